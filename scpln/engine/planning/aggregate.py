"""Aggregate planning: family × month supply against demand under capacity.

Each month, a family's requirement is its demand plus the backlog it carries in. Stock (the
on-hand of the family's SKUs, plus their open purchase orders from the month they are due)
serves it first, down to the family's target stock at the month's end (its SKUs' targets,
see ``PlanningInputs.target_matrix``; 0 without a network); what remains needs production.
A family below its target (at the start, or because the target rises ahead of demand) also
asks for the difference (``to_stock``), as soon as capacity allows: production serves the
month's requirement first and puts the rest into stock. A resource that is asked for more
than its capacity gives every family that needs it the same fraction of its need (pro
rata), so no family is starved to serve another. Whatever demand is not supplied is backlog
and is carried into the next month's requirement, never dropped; the backlog left after the
last month is the plan's backlog at the end of the horizon. For every
family and month: ``demand + backlog_in = supply + backlog`` and
``supply + to_stock = from_stock + production``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import PlanningCalendar
from .capacity import Resources, resources
from .inputs import PlanningInputs
from .parameters import PlanParameters, horizon_calendar
from .rounding import round_keeping_totals
from .tables import repeat_labels, tile_labels, to_dense, utilisation


@dataclass(frozen=True)
class AggregatePlan:
    """The aggregate stage's artifacts.

    ``aggregate``: family, period, period_index, demand, backlog_in, from_stock, production,
    to_stock, supply, backlog — one row per family × horizon period (``to_stock``: production
    that raises the family's stock towards its target instead of serving demand).
    ``aggregate_capacity``: workcenter, period, period_index, capacity, requested, production,
    utilisation — one row per resource × period (``requested`` is the production asked of it).
    """

    aggregate: pd.DataFrame
    aggregate_capacity: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"aggregate": self.aggregate, "aggregate_capacity": self.aggregate_capacity}


def run_aggregate(inputs: PlanningInputs, params: PlanParameters) -> AggregatePlan:
    """Plan family supply month by month; demand outside the horizon is not planned."""
    calendar = horizon_calendar(inputs, params)
    families = inputs.families
    decimals = params.decimals
    demand = _family_demand(inputs, calendar, families, decimals)
    stock0, inflow = _family_stock(inputs, calendar, families, decimals)
    res = resources(inputs, calendar, params)
    route = _Routes.of(inputs, families, res)
    resources_count = len(res.names)

    shape = demand.shape
    backlog_in, from_stock, production, backlog_out = (np.zeros(shape) for _ in range(4))
    to_stock = np.zeros(shape)
    requested_by_resource = np.zeros((resources_count, shape[1]))
    made_by_resource = np.zeros((resources_count, shape[1]))
    backlog = np.zeros(len(families))
    target = _family_target(inputs, calendar, families, decimals)
    stock = stock0.copy()
    for p in range(shape[1]):
        backlog_in[:, p] = backlog
        requirement = demand[:, p] + backlog
        stock += inflow[:, p]
        # Stock above the month-end target serves demand; below it, the family owes the
        # difference to stock.
        served = np.clip(stock - target[:, p], 0.0, requirement)
        stock -= served
        need = requirement - served + np.maximum(target[:, p] - stock, 0.0)
        asked = need[route.family] * route.share
        requested = np.bincount(route.resource, weights=asked, minlength=resources_count)
        capacity = res.monthly[:, p]
        granted = np.where(
            res.allow_over | (requested <= capacity),
            1.0,
            np.divide(capacity, requested, out=np.ones_like(requested), where=requested > 0),
        )
        made_by_route = asked * granted[route.resource]
        made = np.bincount(route.family, weights=made_by_route, minlength=len(families))
        made = round_keeping_totals(made, route.main_resource, decimals)
        from_stock[:, p] = served
        production[:, p] = made
        # Production serves the month's requirement first; the rest goes into stock.
        supplied = np.minimum(made, requirement - served)
        to_stock[:, p] = made - supplied
        stock += to_stock[:, p]
        backlog = requirement - served - supplied
        backlog_out[:, p] = backlog
        requested_by_resource[:, p] = requested
        unrounded = np.bincount(route.family, weights=made_by_route, minlength=len(families))
        scale = np.divide(made, unrounded, out=np.zeros_like(made), where=unrounded > 0)
        made_by_resource[:, p] = np.bincount(
            route.resource, weights=made_by_route * scale[route.family], minlength=resources_count
        )
    return AggregatePlan(
        aggregate=_family_table(
            calendar,
            families,
            demand=demand,
            backlog_in=backlog_in,
            from_stock=from_stock,
            production=production,
            to_stock=to_stock,
            supply=from_stock + production - to_stock,
            backlog=backlog_out,
        ),
        aggregate_capacity=_capacity_table(calendar, res, requested_by_resource, made_by_resource),
    )


def _family_demand(
    inputs: PlanningInputs, calendar: PlanningCalendar, families: list[str], decimals: int | None
) -> np.ndarray:
    """Family × period demand; rounded per family so each family's horizon demand is kept."""
    frame = inputs.demand.assign(period_index=_period_index(calendar, inputs.demand["period"]))
    demand = to_dense(frame, "family", families, "period_index", len(calendar.periods), "demand")
    groups = np.repeat(np.arange(len(families)), demand.shape[1]).reshape(demand.shape)
    return round_keeping_totals(demand, groups, decimals)


def _family_stock(
    inputs: PlanningInputs, calendar: PlanningCalendar, families: list[str], decimals: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Family on-hand at the start, and open-PO receipts of its SKUs by the period they are due.

    A PO already due before the horizon counts as arriving in the first period; one due after
    the horizon is not stock of this plan.
    """
    family = inputs.mix_share.set_index("sku")["family"]
    stocked = inputs.inventory.assign(family=inputs.inventory["item"].map(family))
    on_hand = stocked.dropna(subset=["family"]).groupby("family")["qty"].sum()
    stock0 = on_hand.reindex(families, fill_value=0.0).to_numpy(dtype=float)
    po = inputs.open_po.assign(family=inputs.open_po["item"].map(family)).dropna(subset=["family"])
    po = po.assign(period_index=np.maximum(calendar.period_index_of(po["due"]), 0))
    inflow = to_dense(po, "family", families, "period_index", len(calendar.periods), "qty")
    if decimals is not None:
        stock0 = np.floor(stock0 * 10.0**decimals + 1e-9) / 10.0**decimals
        inflow = np.floor(inflow * 10.0**decimals + 1e-9) / 10.0**decimals
    return stock0, inflow


def _family_target(
    inputs: PlanningInputs, calendar: PlanningCalendar, families: list[str], decimals: int | None
) -> np.ndarray:
    """Each family's target stock at each month's end (families × periods): its SKUs' targets
    in the week holding the month's last day, rounded up to the grid, as stock is rounded
    down, so the plan never counts on stock it must keep."""
    weekly = inputs.target_matrix(inputs.skus, calendar.week_codes)
    month_end = calendar.week_index_of(calendar.periods["end"])
    family = pd.Index(families).get_indexer(pd.Index(inputs.sku_families))
    values = np.zeros((len(families), len(month_end)))
    np.add.at(values, family, weekly[:, np.minimum(month_end, weekly.shape[1] - 1)])
    if decimals is not None:
        values = np.ceil(values * 10.0**decimals - 1e-9) / 10.0**decimals
    return values


@dataclass(frozen=True)
class _Routes:
    """Family → resource routes (one per pair that carries production), kept sparse so the
    monthly loop costs as many operations as there are routes, not families × resources."""

    family: np.ndarray
    resource: np.ndarray
    share: np.ndarray
    main_resource: np.ndarray

    @classmethod
    def of(cls, inputs: PlanningInputs, families: list[str], res: Resources) -> _Routes:
        family = pd.Index(families).get_indexer(pd.Index(inputs.sku_families))
        share = inputs.mix_share.set_index("sku")["share"].reindex(inputs.skus).to_numpy()
        width = max(len(res.names), 1)
        pairs, pair_of_sku = np.unique(family * width + res.of_sku, return_inverse=True)
        pair_share = np.bincount(pair_of_sku, weights=share, minlength=len(pairs))
        pair_family, pair_resource = pairs // width, pairs % width
        # Rounding keeps each resource's month total, so a full resource stays within its
        # capacity (exactly when a family is made on one resource; see docs/planning.md).
        order = np.lexsort((-pair_share, pair_family))
        first = order[np.r_[True, pair_family[order][1:] != pair_family[order][:-1]]]
        main_resource = np.zeros(len(families), dtype=np.int64)
        main_resource[pair_family[first]] = pair_resource[first]
        return cls(
            family=pair_family,
            resource=pair_resource,
            share=pair_share,
            main_resource=main_resource,
        )


def _period_index(calendar: PlanningCalendar, periods: pd.Series) -> np.ndarray:
    index = calendar.periods.set_index("period")["period_index"]
    return index.reindex(periods).fillna(-1).to_numpy(dtype=np.int64)


def _family_table(
    calendar: PlanningCalendar, families: list[str], **columns: np.ndarray
) -> pd.DataFrame:
    count = len(calendar.periods)
    frame = pd.DataFrame(
        {
            "family": repeat_labels(families, count),
            "period": tile_labels(calendar.periods["period"], len(families)),
            "period_index": np.tile(np.arange(count), len(families)),
        }
    )
    for name, values in columns.items():
        frame[name] = values.reshape(-1)
    return frame


def _capacity_table(
    calendar: PlanningCalendar, res: Resources, requested: np.ndarray, made: np.ndarray
) -> pd.DataFrame:
    frame = _family_table(
        calendar, res.names, capacity=res.monthly, requested=requested, production=made
    ).rename(columns={"family": "workcenter"})
    frame["utilisation"] = utilisation(frame["production"], frame["capacity"])
    return frame
