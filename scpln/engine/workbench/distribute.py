"""Spreading an aggregate edit over its detail cells without losing a unit.

The original system rescaled the unlocked cells to the full target when some cells were
locked, so the aggregate and the sum of its details drifted apart. Here the locked cells keep
their values, only what is left of the target (``target − Σ locked``) is spread over the
unlocked cells, and an amount that cannot be placed — negative, with no unlocked cell or no
weight to carry it, or not a whole number of rounding steps — refuses the edit instead.
With a rounding step the cells get whole steps by the largest-remainder method (ties: the
earlier cell), so the cells always add up to the target exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Mode = Literal["proportional", "equal", "weights"]
MODES: tuple[Mode, ...] = ("proportional", "equal", "weights")
# Float noise allowed when comparing sums of plan quantities (the pipeline's own tolerance).
EPS = 1e-6


@dataclass(frozen=True)
class Unplaceable(Exception):
    """The edit cannot be placed: ``amount`` units are left over; ``locked`` are the positions
    of the locked cells that held the rest."""

    amount: float
    locked: tuple[int, ...]
    reason: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.amount:g} cannot be placed"


def distribute(
    current: np.ndarray,
    locked: np.ndarray,
    target: float,
    *,
    mode: Mode = "proportional",
    weights: Sequence[float] | np.ndarray | None = None,
    step: float | None = None,
) -> np.ndarray:
    """New values of the cells ``current`` so that they add up to ``target``.

    Locked cells keep their values. ``proportional`` spreads in proportion to the unlocked
    cells' current values (equally when they are all zero), ``equal`` equally, ``weights``
    in proportion to ``weights`` (one per cell, non-negative). Every value stays non-negative.
    Raises :class:`Unplaceable` rather than return cells that do not add up to ``target``.
    """
    values = np.asarray(current, dtype=float).copy()
    held = np.asarray(locked, dtype=bool)
    locked_positions = tuple(int(i) for i in np.flatnonzero(held))
    free = float(target) - float(values[held].sum())
    open_cells = np.flatnonzero(~held)
    if free < -EPS:
        raise Unplaceable(free, locked_positions, "the locked cells already exceed the target")
    if open_cells.size == 0:
        if abs(free) > EPS:
            raise Unplaceable(free, locked_positions, "every cell is locked")
        return values
    share = _weights(values[open_cells], open_cells, mode, weights)
    if share.sum() <= 0:
        if abs(free) > EPS:
            raise Unplaceable(free, locked_positions, "no unlocked cell has a weight")
        values[open_cells] = 0.0
        return values
    free = max(free, 0.0)
    if step is None:
        placed = free * share / share.sum()
        # Put the float noise of the division on the largest cell, so the sum is the target.
        placed[int(np.argmax(placed))] += free - placed.sum()
        values[open_cells] = np.maximum(placed, 0.0)
        return values
    if step <= 0:
        raise ValueError("step must be positive")
    units = free / step
    whole = round(units)
    if abs(units - whole) > EPS * max(1.0, abs(units)):
        whole = int(np.floor(units))
        left = free - whole * step
        raise Unplaceable(left, locked_positions, f"the rest is not a whole number of {step:g}")
    values[open_cells] = largest_remainder(share, whole) * step
    return values


def _weights(
    open_values: np.ndarray,
    open_cells: np.ndarray,
    mode: Mode,
    weights: Sequence[float] | np.ndarray | None,
) -> np.ndarray:
    if mode == "equal":
        return np.ones(open_cells.size)
    if mode == "weights":
        if weights is None:
            raise ValueError("mode 'weights' needs weights")
        given = np.asarray(weights, dtype=float)[open_cells]
        if (given < 0).any() or not np.isfinite(given).all():
            raise ValueError("weights must be finite and non-negative")
        return given
    if mode != "proportional":
        raise ValueError(f"unknown mode {mode!r}")
    base = np.clip(open_values, 0.0, None)
    return base if base.sum() > 0 else np.ones(open_cells.size)


def largest_remainder(share: np.ndarray, units: int) -> np.ndarray:
    """``units`` whole units split in proportion to ``share``: each cell gets the floor of its
    exact part, and the units still missing go to the largest remainders (ties: earlier)."""
    exact = units * share / share.sum()
    floors = np.floor(exact)
    missing = int(units - floors.sum())
    if missing > 0:
        order = np.lexsort((np.arange(exact.size), -(exact - floors)))
        floors[order[:missing]] += 1
    return floors
