"""Rounding that keeps totals: the largest-remainder method, vectorized over many groups.

Rounding each number on its own loses units (three thirds of 10 round to 9); planners
expect a family's month to still add up after it is cut into SKU-weeks. So each group's
total is rounded once (half up), every member is rounded down, and the units still missing
go to the members with the largest remainders (ties: the earlier member).
"""

from __future__ import annotations

import numpy as np


def round_keeping_totals(
    values: np.ndarray, groups: np.ndarray, decimals: int | None
) -> np.ndarray:
    """Round non-negative ``values`` to ``decimals`` places so each group keeps its rounded total.

    ``groups`` holds a group number per value (any integers); ``decimals=None`` returns the
    values unchanged.
    """
    if decimals is None or values.size == 0:
        return values
    scale = 10.0**decimals
    scaled = np.asarray(values, dtype=float).ravel() * scale
    group_ids = np.unique(np.asarray(groups).ravel(), return_inverse=True)[1]
    # A tiny allowance keeps 2.9999999999 (float noise for 3) from losing its unit.
    floors = np.floor(scaled + 1e-9)
    remainders = scaled - floors
    count = int(group_ids.max()) + 1
    targets = np.floor(np.bincount(group_ids, weights=scaled, minlength=count) + 0.5 + 1e-9)
    missing = targets - np.bincount(group_ids, weights=floors, minlength=count)
    order = np.lexsort((np.arange(scaled.size), -remainders, group_ids))
    sorted_groups = group_ids[order]
    first = np.searchsorted(sorted_groups, np.arange(count))
    rank = np.arange(scaled.size) - first[sorted_groups]
    bumped = np.zeros(scaled.size)
    bumped[order] = rank < missing[sorted_groups]
    return ((floors + bumped) / scale).reshape(np.shape(values))
