"""Between the dense arrays the stages compute on and the long tables they store.

Stages compute on dense ``rows × weeks`` arrays (fast, no per-row Python), and hand over long
tables (one row per key × week, zeros included, in key then week order) because those are
what a plan version stores and what a later stage, or a re-run, reads back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import PlanningCalendar


def to_dense(
    frame: pd.DataFrame, key: str, labels: Sequence[str], index: str, size: int, value: str
) -> np.ndarray:
    """A ``len(labels) × size`` array of ``frame[value]`` at (``frame[key]``, ``frame[index]``).

    Rows whose key is not in ``labels`` or whose index is outside ``0..size-1`` are left out;
    a (key, index) pair given twice is summed.
    """
    rows = label_positions(labels, frame[key])
    cols = frame[index].to_numpy(dtype=np.int64)
    keep = (rows >= 0) & (cols >= 0) & (cols < size)
    flat = rows[keep] * size + cols[keep]
    weights = frame[value].to_numpy(dtype=float)[keep]
    sums = np.bincount(flat, weights=weights, minlength=len(labels) * size)
    return sums.reshape(len(labels), size)


def label_positions(labels: Sequence[object], values: Sequence[object] | pd.Series) -> np.ndarray:
    """Each value's position in ``labels`` (the first, if a label repeats), -1 where absent.

    ``pd.Index(labels).get_indexer(values)`` gives the same, but converts a column of Arrow
    strings (how tables read back from Parquet, and pandas' own ``str``, hold text) to Python
    objects on every call: 1.2 of 9 s of a 10,000-SKU recalculation (bench/bench_workbench.py).
    Arrow's ``index_in`` looks them up where they are.
    """
    wanted = pa.array(values.to_numpy() if isinstance(values, pd.Index) else values)
    known = pa.array(list(labels))
    if pa.types.is_null(wanted.type) or pa.types.is_null(known.type):
        return np.full(len(wanted), -1, dtype=np.int64)
    found = pc.index_in(wanted, value_set=known)
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def labels_at(labels: Sequence[object] | pd.Series, positions: np.ndarray) -> pd.Series:
    """Text labels picked by position as a string column (a take: no per-row conversion)."""
    return pd.Series(list(labels), dtype="str").take(positions).reset_index(drop=True)


def repeat_labels(labels: Sequence[object] | pd.Series, count: int) -> pd.Series:
    """Each label ``count`` times in a row (the key column of a key × week table)."""
    return labels_at(labels, np.repeat(np.arange(len(labels)), count))


def tile_labels(labels: Sequence[object] | pd.Series, times: int) -> pd.Series:
    """All labels, ``times`` over (the week or period column of a key × week table)."""
    return labels_at(labels, np.tile(np.arange(len(labels)), times))


def week_table(
    calendar: PlanningCalendar,
    key: str,
    labels: Sequence[str],
    columns: Mapping[str, np.ndarray],
    *,
    extra: Mapping[str, Sequence[object] | np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per label × week in chronological order; ``columns`` are ``labels × weeks`` arrays.

    ``extra`` adds per-label attributes (e.g. the family of each SKU) repeated over the weeks.
    """
    weeks = calendar.weeks
    count = len(weeks)
    data: dict[str, object] = {key: _repeat(labels, count)}
    for name, attribute in (extra or {}).items():
        data[name] = _repeat(attribute, count)
    data["week"] = tile_labels(weeks["week"], len(labels))
    data["week_index"] = np.tile(weeks["week_index"].to_numpy(), len(labels))
    data["week_start"] = np.tile(weeks["week_start"].to_numpy(), len(labels))
    for name, values in columns.items():
        data[name] = np.asarray(values, dtype=float).reshape(-1)
    return pd.DataFrame(data)


def _repeat(values: Sequence[object] | np.ndarray, count: int) -> pd.Series:
    """Each value ``count`` times; text stays pandas' string dtype, numbers stay numbers."""
    array = np.asarray(values)
    if array.dtype.kind in "OUS":
        return repeat_labels(list(values), count)
    return pd.Series(np.repeat(array, count))


def part_sums(calendar: PlanningCalendar, values: np.ndarray) -> np.ndarray:
    """Sum ``rows × parts`` values (parts in calendar order) into ``rows × weeks``."""
    week_index = calendar.parts["week_index"].to_numpy()
    starts = np.flatnonzero(np.r_[True, week_index[1:] != week_index[:-1]])
    if values.shape[1] == 0:
        return np.zeros((values.shape[0], 0))
    return np.add.reduceat(values, starts, axis=1)


def part_shares(calendar: PlanningCalendar) -> np.ndarray:
    """Each part's share of its period (its weight over the period's weight)."""
    parts = calendar.parts
    totals = parts.groupby("period_index")["weight"].transform("sum").to_numpy()
    return np.divide(parts["weight"].to_numpy(), totals, out=np.zeros(len(parts)), where=totals > 0)


def utilisation(load: pd.Series, capacity: pd.Series) -> np.ndarray:
    """``load / capacity`` per row, NaN where there is no capacity (not infinity: a
    resource with no capacity has no utilisation to speak of)."""
    capacity_values = capacity.to_numpy()
    return np.divide(
        load.to_numpy(),
        capacity_values,
        out=np.full(len(capacity_values), np.nan),
        where=capacity_values > 0,
    )


@dataclass(frozen=True)
class HorizonGrid:
    """The planned SKUs × the horizon's weeks: the grid the weekly stages compute on, so each
    reads the tables of earlier stages onto the same rows and columns."""

    calendar: PlanningCalendar
    skus: list[str]

    @property
    def weeks(self) -> int:
        return len(self.calendar.weeks)

    def dense(self, frame: pd.DataFrame, value: str, key: str = "sku") -> np.ndarray:
        """``frame[value]`` of a SKU × week table (SKUs in column ``key``) as a grid array."""
        return to_dense(frame, key, self.skus, "week_index", self.weeks, value)
