"""Result tables as Parquet bytes: how a run's PSI, P&L and trace are stored.

One Parquet document per table per run: a large run stays one row of bytes,
compressed column by column, and loads straight back into a DataFrame. Row
filters (node, item, day range) are pushed down to the reader.

Arrow reads the bytes from an Arrow-owned copy (:func:`arrow_owned`), never
from a Python object: Arrow's reader may call into a Python file
(``io.BytesIO``), or drop its last reference to a wrapped ``bytes``, from one of
its own threads, which must then take the GIL; a thread that asks for the GIL
while the interpreter finalises is ended by a forced unwind that C++ answers
with ``std::terminate``. A command that had printed its result exited with
SIGABRT ("terminate called without an active exception"; about one exit in
three of a ``manage.py shell`` that read a run table, on a busy machine).

Reads also run on the calling thread (``use_threads=False``, no pre-buffering):
on these two-core machines a single thread was no slower (3M rows × 13 columns:
0.5 s whole, 0.3 s filtered to one node and item, against 1.3 s / 0.4 s
threaded).

Row-group statistics (min/max) are written for ``day`` only: the tables are in
day order, so a day range skips row groups, while every row group holds every
node and item — their statistics could never skip one, and computing them over
millions of dictionary-coded strings took a quarter of a PSI table's writing
time (and the numbers' a third of a trace's): bench/bench_workbench.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION = "zstd"
STATISTICS = ("day",)  # the columns whose row-group statistics are written
# Number columns coded as dictionaries: a table's days (day order: each page a few values),
# the cost trace's quantities and amounts (a rate per entity: few distinct a row group).
DICTIONARY_NUMBERS = ("day", "quantity", "amount")


Frame: TypeAlias = pd.DataFrame | pa.Table


def frame_to_parquet(frame: Frame | None, *, fast: bool = False) -> bytes:
    """A DataFrame as Parquet bytes (the index is not kept); None → an empty table. An Arrow
    table is encoded as it is: a large table built from arrays (the run's cost trace) need
    not be copied into a DataFrame first.

    zstd with dictionary pages for text and categorical columns, and for the numbers of
    :data:`DICTIONARY_NUMBERS`, by default: other numbers tried as dictionaries (until a
    column's distinct values overflow the page) cost a run's PSI table about twice the
    encoding time for some 5 % more bytes (1.6 million rows: 0.30–0.45 s → 0.17–0.25 s CPU,
    8.8 → 8.4 MB). ``fast`` — for tables rewritten often where writing time counts — takes
    lz4 and dictionary pages for text columns only: half to a third of the time for about
    15 % more bytes (readers need no hint).

    A column without nulls is written as required (no definition level a value): a
    10,000-SKU year's PSI table (11 million rows) encodes in 0.96 instead of 1.36 CPU s with
    its days as a dictionary too, its trace in 0.71 instead of 0.96 s (51 instead of 79 MB)
    with its quantities and amounts as dictionaries too. Either decodes to the same frame.
    """
    table = _required(frame if isinstance(frame, pa.Table) else _arrow(frame))
    sink = pa.BufferOutputStream()
    statistics = [name for name in STATISTICS if name in table.column_names] or False
    text = [f.name for f in table.schema if pa.types.is_string(f.type)]
    text += [f.name for f in table.schema if pa.types.is_large_string(f.type)]
    if fast:
        pq.write_table(
            table,
            sink,
            compression="lz4",
            use_dictionary=text or False,
            write_statistics=statistics,
        )
    else:
        coded = text + [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
        coded += [name for name in DICTIONARY_NUMBERS if name in table.column_names]
        pq.write_table(
            table,
            sink,
            compression=COMPRESSION,
            use_dictionary=coded or False,
            write_statistics=statistics,
        )
    return sink.getvalue().to_pybytes()


def _arrow(frame: pd.DataFrame | None) -> pa.Table:
    """A DataFrame as an Arrow table, as ``pa.Table.from_pandas`` makes it (its schema and
    pandas metadata), but numeric and categorical columns taken as they are: ``from_pandas``
    scans every float for NaN to make it a null (0.26 of the 0.31 CPU s a 10,000-SKU year's
    PSI table took), where a NaN kept decodes to the same NaN. Frames with other columns
    (text, dates, nullable numbers) go through ``from_pandas``."""
    frame = pd.DataFrame() if frame is None else frame
    if frame.columns.has_duplicates:
        return pa.Table.from_pandas(frame, preserve_index=False)
    schema = pa.Schema.from_pandas(frame.iloc[:0], preserve_index=False)
    arrays = [
        _plain_array(frame[name], field.type)
        for name, field in zip(frame.columns, schema, strict=True)
    ]
    if any(array is None for array in arrays):
        return pa.Table.from_pandas(frame, preserve_index=False)
    return pa.Table.from_arrays(arrays, schema=schema)


def _plain_array(column: pd.Series, type_: pa.DataType) -> pa.Array | None:
    """A numpy-backed number column or a categorical of text as an Arrow array of
    ``type_`` without copying its values; None for any other column."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        array = pa.array(column.to_numpy(), type=type_)
    elif isinstance(dtype, pd.CategoricalDtype) and pa.types.is_dictionary(type_):
        codes = column.cat.codes.to_numpy()
        labels = pa.array(dtype.categories.to_numpy(), type=type_.value_type)
        array = pa.DictionaryArray.from_arrays(codes, labels, from_pandas=True, safe=False)
    else:
        return None
    return array if array.type == type_ else None


def _required(table: pa.Table) -> pa.Table:
    """``table`` with its columns that hold no null declared required (not nullable)."""
    fields = [
        field.with_nullable(field.nullable and column.null_count > 0)
        for field, column in zip(table.schema, table.columns, strict=True)
    ]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def frames_to_parquet(
    frames: Sequence[Frame | Callable[[], Frame | None] | None],
    *,
    fast: bool = False,
) -> list[bytes]:
    """:func:`frame_to_parquet` of each frame, two at a time: Arrow encodes without the GIL,
    so the two cores of these machines write a run's PSI table and its trace at once. A frame
    may be given as the function that builds it, which then runs on the writing thread too.
    The threads end before this returns (a pool left behind can abort the interpreter at its
    exit, as the readers' did)."""

    def encoded(frame: Frame | Callable[[], Frame | None] | None) -> bytes:
        return frame_to_parquet(frame() if callable(frame) else frame, fast=fast)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(encoded, frames))


def parquet_to_frame(
    data: bytes | memoryview,
    *,
    filters: Sequence[tuple[str, str, Any]] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Parquet bytes back to a DataFrame, keeping only rows that pass ``filters``.

    ``data`` may be a memoryview: a ``BinaryField`` as read from PostgreSQL.

    ``filters`` are ``(column, op, value)`` on columns that exist in the table
    (the caller drops filters on absent columns). ``columns`` reads only those
    columns (all when None), which for a wide table is most of the saving.
    """
    if not data:
        return pd.DataFrame()
    table = pq.read_table(
        pa.BufferReader(arrow_owned(data)),
        filters=list(filters) if filters else None,
        columns=list(columns) if columns is not None else None,
        use_threads=False,
        pre_buffer=False,
    )
    return table.to_pandas(use_threads=False)


def parquet_columns(data: bytes) -> list[str]:
    if not data:
        return []
    return list(pq.read_schema(pa.BufferReader(arrow_owned(data))).names)


def arrow_owned(data: bytes | memoryview) -> pa.Buffer:
    """A copy of ``data`` in memory Arrow allocated, so releasing it needs no GIL."""
    buffer = pa.allocate_buffer(len(data))
    np.frombuffer(buffer, dtype=np.uint8)[:] = np.frombuffer(data, dtype=np.uint8)
    return buffer
