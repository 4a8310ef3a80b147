"""Anchoring the detailed plan to the aggregate plan at the cutover date.

Two weekly plans exist for every SKU: the aggregate one (AGG) and the detailed one (DET:
MRP's planned receipts, netted against the SKU's own stock and rounded to its lots). AGG
decides a family's volume week by week; its split over the family's SKUs follows each SKU's
net requirement over the horizon (what it must ship plus its target stock, less its own
stock and open orders; the mix shares only where the family needs nothing), because mix
shares cannot know how much stock each SKU already holds. The cutover splits the horizon:
weeks that start before it are *near*, the others *far*. The anchor policy decides which
plan governs where, and where the difference between the two is absorbed so that, over the
horizon, every SKU makes what the aggregate plan agreed (its total is conserved):

- ``DET_near``: DET governs the near weeks and is never touched; AGG governs the far weeks,
  and the far weeks of the reconciliation window absorb the near weeks' difference.
- ``AGG_far``: AGG governs the far weeks and is never touched; DET governs the near weeks,
  and the near weeks of the window absorb the difference, so DET meets AGG at the cutover.
- ``blend``: across the window the plan moves linearly from DET to AGG (week by week, DET's
  weight falls from 1 to 0), and the whole window absorbs the difference.

Absorption is proportional to the plan in the absorbing weeks, so no week goes negative.
A reduction larger than those weeks hold leaves a *residual*, which carryover sends on:
``next`` to the weeks after the window (nearest first), ``prev`` to the weeks before it
(nearest first), ``both`` splits it (``PlanParameters.next_share`` to next), and ``auto``
tries the side that can take more first and the other side with what is left (ties: next
for DET_near and blend, prev for AGG_far). Whatever still cannot be placed stays a reported
residual (the plan then exceeds AGG by it); it is never dropped silently. Without a far
week (no cutover, or one inside the last week) DET governs everywhere and its whole
difference from AGG is the residual, so ``plan = AGG + residual`` per SKU holds always.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .parameters import PlanParameters
from .rounding import round_keeping_totals


@dataclass(frozen=True)
class Anchored:
    """``plan`` is SKUs × weeks. Per SKU: ``delta`` is the combined plan minus AGG before
    absorbing; ``absorbed``, ``carried_prev`` and ``carried_next`` are the changes made in the
    window and by carryover (negative: units taken out); ``residual`` is what the anchored
    (rounded) plan still exceeds AGG by: 0 when everything was placed. ``agg`` is AGG as
    anchoring used it (split over SKUs by their net requirements)."""

    agg: np.ndarray
    plan: np.ndarray
    delta: np.ndarray
    absorbed: np.ndarray
    carried_prev: np.ndarray
    carried_next: np.ndarray
    residual: np.ndarray
    near: np.ndarray
    in_window: np.ndarray


def cutover_week(week_starts: np.ndarray, params: PlanParameters) -> int:
    """Index of the first far week (the number of weeks when there is no cutover)."""
    if params.cutover_date is None:
        return len(week_starts)
    cutover = np.datetime64(params.cutover_date, "ns")
    return int(np.searchsorted(week_starts.astype("datetime64[ns]"), cutover, side="left"))


def anchor(
    agg: np.ndarray,
    det: np.ndarray,
    need: np.ndarray,
    family: np.ndarray,
    cut: int,
    params: PlanParameters,
) -> Anchored:
    """Combine AGG and DET (both SKUs × weeks) around the cutover week ``cut``; ``need`` is
    each SKU's net requirement over the horizon and ``family`` numbers its family."""
    skus, weeks = agg.shape
    t = np.arange(weeks)
    groups = family[:, None] * weeks + t[None, :]
    agg = round_keeping_totals(family_volume_by_need(agg, need, family), groups, params.decimals)
    if cut >= weeks:
        # No far week: DET governs the whole horizon and nothing is absorbed, so all of its
        # difference from AGG is the residual (the log says so; it is never reported as 0).
        zero = np.zeros(skus)
        delta = det.sum(axis=1) - agg.sum(axis=1)
        no_window = np.zeros(weeks, dtype=bool)
        return Anchored(agg, det.copy(), delta, zero, zero, zero, delta, t < cut, no_window)
    width = params.window_weeks
    policy = params.anchor_policy
    if policy == "blend" and width > 0:
        det_weight = np.clip((cut + width - t - 0.5) / (2 * width), 0.0, 1.0)
    else:
        det_weight = (t < cut).astype(float)
    if policy == "DET_near":
        lo, hi = cut, cut + width
    elif policy == "AGG_far":
        lo, hi = cut - width, cut
    else:
        lo, hi = cut - width, cut + width
    lo, hi = max(lo, 0), min(hi, weeks)
    hi = max(hi, lo)
    base = det_weight * det + (1.0 - det_weight) * agg
    delta = (base - agg).sum(axis=1)
    plan = base.copy()
    absorbed = _absorb_in_window(plan, -delta, lo, hi)
    left = -delta - absorbed
    carried_prev, carried_next = _carry(plan, left, lo, hi, params)
    rows = np.repeat(np.arange(skus), weeks).reshape(skus, weeks)
    plan = round_keeping_totals(plan, rows, params.decimals)
    return Anchored(
        agg=agg,
        plan=plan,
        delta=delta,
        absorbed=absorbed,
        carried_prev=carried_prev,
        carried_next=carried_next,
        residual=plan.sum(axis=1) - agg.sum(axis=1),
        near=t < cut,
        in_window=(t >= lo) & (t < hi),
    )


def family_volume_by_need(agg: np.ndarray, need: np.ndarray, family: np.ndarray) -> np.ndarray:
    """AGG's family volume per week, split over SKUs by their share of the family's need."""
    families = int(family.max(initial=-1)) + 1
    volume = np.zeros((families, agg.shape[1]))
    np.add.at(volume, family, agg)
    agg_total = agg.sum(axis=1)
    family_need = np.bincount(family, weights=need, minlength=families)[family]
    family_agg = np.bincount(family, weights=agg_total, minlength=families)[family]
    size = np.bincount(family, minlength=families)[family]
    mix = np.where(
        family_need > 0,
        np.divide(need, family_need, out=np.zeros_like(need), where=family_need > 0),
        np.where(
            family_agg > 0,
            np.divide(agg_total, family_agg, out=np.zeros_like(agg_total), where=family_agg > 0),
            1.0 / size,
        ),
    )
    return volume[family] * mix[:, None]


def _absorb_in_window(plan: np.ndarray, change: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Add ``change`` per SKU to weeks ``lo..hi-1`` in proportion to them; returns what fit."""
    if hi <= lo:
        return np.zeros(len(change))
    window = plan[:, lo:hi]
    held = window.sum(axis=1)
    weights = np.where(
        held[:, None] > 0,
        np.divide(window, held[:, None], out=np.zeros_like(window), where=held[:, None] > 0),
        1.0 / (hi - lo),
    )
    fits = np.where(change < 0, -np.minimum(-change, held), change)
    plan[:, lo:hi] = np.maximum(window + weights * fits[:, None], 0.0)
    return fits


def _carry(
    plan: np.ndarray, left: np.ndarray, lo: int, hi: int, params: PlanParameters
) -> tuple[np.ndarray, np.ndarray]:
    """Send what the window could not take to the weeks before and/or after it."""
    weeks = plan.shape[1]
    before = np.arange(lo - 1, -1, -1)
    after = np.arange(hi, weeks)
    zero = np.zeros(len(left))
    mode = params.carryover
    if mode == "prev":
        return _fill(plan, left, before), zero
    if mode == "next":
        return zero, _fill(plan, left, after)
    if mode == "both":
        to_next = left * params.next_share
        return _fill(plan, left - to_next, before), _fill(plan, to_next, after)
    room_before = plan[:, before].sum(axis=1)
    room_after = plan[:, after].sum(axis=1)
    prefer_next = np.where(
        room_after == room_before, params.anchor_policy != "AGG_far", room_after > room_before
    )
    first_next = np.where(prefer_next, left, 0.0)
    next_part = _fill(plan, first_next, after)
    prev_part = _fill(plan, left - next_part, before)
    next_part += _fill(plan, left - next_part - prev_part, after)
    return prev_part, next_part


def _fill(plan: np.ndarray, change: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Apply ``change`` per SKU to the weeks in ``order``, nearest first; returns what fit.

    A reduction empties the nearest weeks first; an addition goes to the nearest week.
    """
    if len(order) == 0:
        return np.zeros(len(change))
    held = plan[:, order]
    need = np.maximum(-change, 0.0)
    before = np.cumsum(held, axis=1) - held
    taken = np.clip(need[:, None] - before, 0.0, held)
    plan[:, order] = held - taken
    added = np.maximum(change, 0.0)
    plan[:, order[0]] += added
    return added - taken.sum(axis=1)
