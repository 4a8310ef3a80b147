"""How much a factory releases to production on a day, and what that consumes.

A release is the wanted quantity (the policy's order or the plan's schedule) cut, in
this order, by: a hard item capacity; a hard factory capacity, shared by all its
items in proportion to what they want; and the components on hand, shared the same
way — every product using a short component gets the same fraction of its want, and a
product's release is limited by its scarcest component. Proportional sharing is
deterministic and never consumes more than is on hand; it does not search for the mix
that maximizes output. Soft capacities (over-capacity allowed) never cut; what goes
above them is reported as over-capacity and priced at the over-capacity rates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import MODE_UNLIMITED, ProductionSpec


@dataclass(frozen=True, eq=False)
class LevelProduction:
    """The producing node-items of one level and the BOM edges they use.

    ``pos`` index the :class:`ProductionSpec` arrays; ``edge_pos`` says which entry of
    ``pos`` each edge belongs to and ``edge_comp`` indexes ``comps``, the distinct
    component node-items of the level.
    """

    pos: np.ndarray
    ni: np.ndarray
    factory_of: np.ndarray
    lead_time: np.ndarray
    item_hard: np.ndarray
    comps: np.ndarray
    edge_pos: np.ndarray
    edge_comp: np.ndarray
    edge_qty: np.ndarray
    # components supplied without limit (a material-unconstrained run), None when none are
    free: np.ndarray | None

    @classmethod
    def of(cls, spec: ProductionSpec, pos: np.ndarray, mode: np.ndarray) -> LevelProduction:
        ni = spec.ni[pos]
        edges = np.flatnonzero(np.isin(spec.edge_prod, ni))
        comps, edge_comp = np.unique(spec.edge_comp[edges], return_inverse=True)
        free = mode[comps] == MODE_UNLIMITED
        return cls(
            pos=pos,
            ni=ni,
            factory_of=spec.factory_of[pos],
            lead_time=spec.lead_time[pos],
            item_hard=spec.item_hard[pos],
            comps=comps,
            edge_pos=np.searchsorted(ni, spec.edge_prod[edges]),
            edge_comp=edge_comp.astype(np.int64),
            edge_qty=spec.edge_qty[edges],
            free=free if free.any() else None,
        )


@dataclass(frozen=True, eq=False)
class Release:
    """One level's releases on one day."""

    quantity: np.ndarray  # per producing node-item of the level
    consumption: np.ndarray  # per component in ``LevelProduction.comps``
    item_over: np.ndarray  # units above a soft item capacity
    factory_total: np.ndarray  # units released per factory of the spec


def release(
    spec: ProductionSpec,
    lp: LevelProduction,
    want: np.ndarray,
    segment: int,
    on_hand: np.ndarray,
    capacity_left: np.ndarray,
) -> Release:
    """Cut ``want`` to what capacity and components allow; changes no argument.

    ``capacity_left`` is each factory's hard capacity not yet used today: a factory
    making parts and the products built from them serves the parts' level first.
    """
    n_factories = len(spec.factory)
    item_cap = spec.item_capacity[segment, lp.pos]
    qty = np.where(lp.item_hard, np.minimum(want, item_cap), want)
    qty = np.maximum(qty, 0.0)
    total = np.bincount(lp.factory_of, qty, minlength=n_factories)
    cut = spec.node_hard & (total > capacity_left)
    if cut.any():
        share = np.where(cut, capacity_left / np.where(cut, total, 1.0), 1.0)
        qty = qty * share[lp.factory_of]
    consumption: np.ndarray = np.zeros(len(lp.comps))
    if len(lp.edge_pos):
        need = np.bincount(lp.edge_comp, qty[lp.edge_pos] * lp.edge_qty, minlength=len(lp.comps))
        have = on_hand[lp.comps]
        if lp.free is not None:  # supplied on the spot: never short
            have = np.where(lp.free, np.maximum(have, need), have)
        short = need > have
        if short.any():
            ratio = np.where(short, have / np.where(short, need, 1.0), 1.0)
            fraction = np.ones(len(qty))
            np.minimum.at(fraction, lp.edge_pos, ratio[lp.edge_comp])
            qty = qty * fraction
        consumption = np.bincount(
            lp.edge_comp, qty[lp.edge_pos] * lp.edge_qty, minlength=len(lp.comps)
        )
        # Sharing is exact up to rounding; never let it dip below what is on hand.
        consumption = np.minimum(consumption, have)
    return Release(
        quantity=qty,
        consumption=consumption,
        item_over=np.where(lp.item_hard, 0.0, np.maximum(qty - item_cap, 0.0)),
        factory_total=np.bincount(lp.factory_of, qty, minlength=n_factories),
    )
