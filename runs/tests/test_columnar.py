"""A run's tables read back as they were recorded, and tables stored before read the same."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

from runs.columnar import frame_to_parquet, parquet_to_frame

# A PSI-like table (day, categorical node and item, float32 metrics with a NaN) and one with
# every other kind of column a stored table has had (text with gaps, nullable integers,
# dates, a categorical with a gap, booleans).
PSI = pd.DataFrame(
    {
        "day": np.repeat(np.arange(4, dtype=np.int16), 3),
        "node": pd.Categorical(["DC", "FACT", "STORE"] * 4),
        "item": pd.Categorical(["SKU-1", "SKU-2", "SKU-1"] * 4),
        "on_hand": np.array([1.5, 0.0, np.nan, 2.25] * 3, np.float32),
        "quantity": np.arange(12, dtype=np.float64),
    }
)
MIXED = pd.DataFrame(
    {
        "day": np.array([0, 1, 2], np.int32),
        "text": ["a", None, "c"],
        "count": pd.array([1, None, 3], dtype="Int64"),
        "date": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03"]),
        "kind": pd.Categorical(["x", None, "y"]),
        "flag": [True, False, True],
        "amount": [1.0, np.nan, np.inf],
    }
)


@pytest.mark.parametrize("frame", [PSI, MIXED], ids=["psi", "mixed"])
@pytest.mark.parametrize("fast", [False, True])
def test_a_table_reads_back_as_it_was_recorded(frame: pd.DataFrame, fast: bool) -> None:
    assert_frame_equal(parquet_to_frame(frame_to_parquet(frame, fast=fast)), frame)


def test_an_arrow_table_reads_back_as_its_frame() -> None:
    table = pa.Table.from_pandas(PSI, preserve_index=False)
    assert_frame_equal(parquet_to_frame(frame_to_parquet(table)), PSI)


@pytest.mark.parametrize("frame", [PSI, MIXED], ids=["psi", "mixed"])
def test_a_table_stored_with_nullable_plain_columns_still_reads_the_same(
    frame: pd.DataFrame,
) -> None:
    """Runs recorded before columns were written as required and days as dictionaries."""
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink, compression="zstd")
    assert_frame_equal(parquet_to_frame(sink.getvalue()), frame)
    assert_frame_equal(parquet_to_frame(sink.getvalue()), parquet_to_frame(frame_to_parquet(frame)))


def test_row_filters_on_day_node_and_item_still_apply() -> None:
    data = frame_to_parquet(PSI)
    got = parquet_to_frame(data, filters=[("day", ">=", 2), ("node", "=", "DC")])
    expected = PSI[(PSI["day"] >= 2) & (PSI["node"] == "DC")].reset_index(drop=True)
    assert_frame_equal(got, expected, check_categorical=False)
