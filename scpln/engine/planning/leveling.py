"""Weekly capacity leveling: pull-in, then forward spill, then unmet at the horizon end.

A resource's load in a week is the planned receipts (output) of the SKUs it makes. Weeks are
taken in order. A week first uses its own capacity; load beyond it is pulled into free
capacity of the earlier weeks within the reconciliation window (nearest week first: the
least stock built ahead), and what is still left spills into the next week, where it queues
behind that week's own load. Load still spilling out of the last week is *unmet*: reported,
never dropped. Resources allowed to run over capacity are not leveled.

Which SKU's units move is decided by order, not by a per-row loop: a resource's units are
lined up week by week (within a week, SKU by SKU in plan order) and laid, in the same order,
into the leveled weekly loads. So units keep their order, a SKU's total is conserved
exactly, and whole units stay whole when loads and capacities are whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Leveled:
    """``plan``: SKUs × weeks after leveling; ``unmet``: per SKU. Per resource × week:
    ``requested`` and ``load`` (before and after), ``spilled`` (units that left the week for a
    later one, unmet included) and ``pulled`` (units that left it for an earlier one)."""

    plan: np.ndarray
    unmet: np.ndarray
    requested: np.ndarray
    load: np.ndarray
    spilled: np.ndarray
    pulled: np.ndarray


def level(
    plan: np.ndarray,
    resource_of_sku: np.ndarray,
    capacity: np.ndarray,
    allow_over: np.ndarray,
    window_weeks: int,
) -> Leveled:
    resources, weeks = capacity.shape
    requested = np.zeros((resources, weeks))
    np.add.at(requested, resource_of_sku, plan)
    load, unmet_load = _level_loads(requested, capacity, allow_over, window_weeks)
    final, moved_later, moved_earlier = _lay_out(plan, resource_of_sku, load, unmet_load)
    return Leveled(
        plan=final[:, :weeks],
        unmet=final[:, weeks],
        requested=requested,
        load=load,
        spilled=moved_later,
        pulled=moved_earlier,
    )


def _level_loads(
    requested: np.ndarray, capacity: np.ndarray, allow_over: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Leveled loads per resource × week, and the load spilling past the last week."""
    load = np.zeros_like(requested)
    free = np.zeros_like(requested)
    carry = np.zeros(requested.shape[0])
    cap = np.where(allow_over[:, None], np.inf, capacity)
    for t in range(requested.shape[1]):
        wanted = requested[:, t] + carry
        own = np.minimum(wanted, cap[:, t])
        excess = wanted - own
        load[:, t] = own
        free[:, t] = np.where(allow_over, 0.0, cap[:, t] - own)
        for back in range(1, min(window, t) + 1):
            taken = np.minimum(excess, free[:, t - back])
            load[:, t - back] += taken
            free[:, t - back] -= taken
            excess = excess - taken
        carry = excess
    return load, carry


def _lay_out(
    plan: np.ndarray, resource_of_sku: np.ndarray, load: np.ndarray, unmet: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map each resource's ordered units onto its leveled weeks (unmet = week ``weeks``)."""
    skus, weeks = plan.shape
    resources = load.shape[0]
    # Units in order: resource, then week, then SKU in plan order.
    sku_of_unit = np.tile(np.arange(skus), weeks)
    week_of_unit = np.repeat(np.arange(weeks), skus)
    order = np.lexsort((sku_of_unit, week_of_unit, resource_of_sku[sku_of_unit]))
    unit_sku, unit_week = sku_of_unit[order], week_of_unit[order]
    unit_edges = np.concatenate(([0.0], np.cumsum(plan[unit_sku, unit_week])))
    # Slots in order: resource, then week, the unmet pseudo-week last.
    slots = np.concatenate((load, unmet[:, None]), axis=1)
    slot_week = np.tile(np.arange(weeks + 1), resources)
    slot_resource = np.repeat(np.arange(resources), weeks + 1)
    slot_edges = np.concatenate(([0.0], np.cumsum(slots.reshape(-1))))
    points = np.union1d(unit_edges, slot_edges)
    lengths = np.diff(points)
    middle = points[:-1] + lengths / 2
    unit = np.clip(np.searchsorted(unit_edges, middle, side="right") - 1, 0, len(unit_sku) - 1)
    slot = np.clip(np.searchsorted(slot_edges, middle, side="right") - 1, 0, len(slot_week) - 1)
    sku, source, target = unit_sku[unit], unit_week[unit], slot_week[slot]
    # Float sums of the two orderings differ by rounding dust at their seams; dust stays put.
    scale = max(float(unit_edges[-1]), 1.0)
    target = np.where(lengths < 1e-12 * scale * len(lengths), source, target)
    final = np.bincount(
        sku * (weeks + 1) + target, weights=lengths, minlength=skus * (weeks + 1)
    ).reshape(skus, weeks + 1)
    resource = slot_resource[slot]
    later = np.bincount(
        resource * weeks + source,
        weights=np.where(target > source, lengths, 0.0),
        minlength=resources * weeks,
    ).reshape(resources, weeks)
    earlier = np.bincount(
        resource * weeks + source,
        weights=np.where(target < source, lengths, 0.0),
        minlength=resources * weeks,
    ).reshape(resources, weeks)
    return final, later, earlier
