"""Time-varying inputs — customer demand and capacity windows — cut into segments.

Everything here is vectorized: a generated network has millions of demand rows, and
none of them passes through Python on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .network import (
    MODEL_NORMAL,
    MODEL_POISSON,
    DemandSpec,
    Segments,
)

if TYPE_CHECKING:
    from .builder import DemandRows


def segments_of(demand: DemandRows, windows: list[tuple[int, int]]) -> Segments:
    """Cut the day axis wherever a demand row or capacity window starts or ends.

    Days are marked in a flag per day (a day before 0 marks day 0, always a cut), not
    gathered, filtered and counted: 2.4 M demand rows have a few dozen distinct days."""
    bounds = np.array([d for first, last in windows for d in (first, last + 1)], np.int64)
    ends = demand.last_day + 1
    top = max(int(demand.first_day.max(initial=0)), int(ends.max(initial=0)))
    cut = np.zeros(max(top, int(bounds.max(initial=0))) + 1, bool)
    for days in (demand.first_day, ends, bounds):
        cut[np.maximum(days, 0)] = True
    cut[0] = True
    return Segments(np.flatnonzero(cut).astype(np.int64))


def segment_range(segments: Segments, first_day: int, last_day: int) -> slice:
    """The segments that together cover days ``first_day … last_day``."""
    first = int(np.searchsorted(segments.starts, max(first_day, 0), side="right")) - 1
    stop = int(np.searchsorted(segments.starts, last_day + 1, side="left"))
    return slice(first, stop)


def customer_demand(
    rows: DemandRows,
    segments: Segments,
    ni_of: np.ndarray,
    node_codes: tuple[str, ...],
    item_codes: tuple[str, ...],
) -> tuple[DemandSpec, np.ndarray]:
    """Per-segment customer demand, and its per-day variance (for the profiles).

    Overlapping rows of one node-item add up. Rows of one model keep it (sums of
    normals are normal, of Poissons Poisson); where a node-item mixes models in a
    segment it is drawn as a normal with the summed mean and variance, the closest
    single model. A row covering several segments is repeated once per segment, then
    everything is summed with ``bincount`` (cell by cell in row order).
    """
    first = np.maximum(rows.first_day, 0)
    last = rows.last_day
    node, item = rows.node_codes(node_codes), rows.item_codes(item_codes)
    model, mean, sd = rows.model, rows.mean, rows.sd
    keep = last >= first
    if not keep.all():  # rows ending before day 0
        node, item, model, mean, sd = node[keep], item[keep], model[keep], mean[keep], sd[keep]
        first, last = first[keep], last[keep]
    var = np.where(model == MODEL_NORMAL, sd * sd, np.where(model == MODEL_POISSON, mean, 0.0))
    ni = ni_of[node, item]
    present = np.zeros(ni_of.max(initial=-1) + 1, bool)
    present[ni] = True
    cust = np.flatnonzero(present)
    column = np.cumsum(present) - 1
    # Each day's segment, looked up (a generated network's rows cover one segment each).
    seg_of = segments.of_days(int(last.max(initial=0)) + 1)
    lo = seg_of[first]
    count = seg_of[last] - lo + 1
    n_seg, n_cust = segments.count, len(cust)
    size, shape = n_seg * n_cust, (n_seg, n_cust)
    if (count == 1).all():
        flat = lo * n_cust + column[ni]
    else:  # a row covering several segments is repeated once per segment
        row = np.repeat(np.arange(len(ni)), count)
        seg = lo[row] + np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
        flat = seg * n_cust + column[ni][row]
        model, mean, var = model[row], mean[row], var[row]

    def total(weights: np.ndarray | None) -> np.ndarray:
        return np.bincount(flat, weights, minlength=size).reshape(shape)

    rows_in = total(None)
    if rows_in.max(initial=0) <= 1:  # one row a cell at most: its model
        code = np.zeros(size, np.int8)
        code[flat] = model
        code = code.reshape(shape)
    else:
        codes = total(model.astype(float))
        # All rows of a cell share one model iff n·Σm² = (Σm)².
        uniform = rows_in * total(model.astype(float) ** 2) == codes**2
        code = np.where(uniform, codes / np.maximum(rows_in, 1), MODEL_NORMAL).astype(np.int8)
    mean_total, var_total = total(mean), total(var)
    return DemandSpec(cust.astype(np.int64), mean_total, np.sqrt(var_total), code), var_total
