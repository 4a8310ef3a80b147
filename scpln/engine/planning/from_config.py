"""The planning input set of a canonical config (scenario overrides already applied).

What comes from where:

- calendar: calendar months from the config's start date over its horizon, cut into ISO
  weeks (:func:`~.calendar.derive_calendar`; a part weighs its days);
- SKUs: the items with demand rows; family: the SKU's ancestor at level ``family`` in the
  product hierarchy, else its parent there, else the SKU itself (a family of one);
- family × month demand: the demand rows' bucket totals, spread evenly over each bucket's
  days as the simulator does (``canonical.buckets``) and summed per calendar month; days
  outside the horizon are not planned, nor is demand at a store nothing can replenish
  (``supplied`` false below: ``PlanningInputs.unreachable`` reports it);
- mix shares: each SKU's share of its family's demand over the horizon (equal shares for a
  family without demand);
- work centres: factory nodes; capacity per month from the ``capacities`` rows of the node
  (spread by day like demand), else the node-level production capacity per day × the days;
  a factory with neither is unlimited (planned as over-capacity allowed, capacity 0); over
  capacity is allowed where the node-level policy allows it, as in a run; a factory with a
  working calendar has capacity on its working days only (rows spread over those days,
  the daily capacity times the working days of the month);
- routing: a SKU is made by the first factory, in code order, that makes it (its item-level
  production policies, or every product for a factory without any);
- inventory: every store, warehouse and factory's opening stock (``opening_stock``);
  external supplier stock is not the plan's inventory; open POs: none (configs have none);
- network: per item × store, warehouse and factory, as the PSI simulation compiles the
  config (:func:`scpln.engine.psi.plan.stock_positions`, same sourcing rule): ``target``
  is the inventory position the location's policy restores (``order_up_to``, or the base
  stock from its service level averaged over the horizon) where the network replenishes
  it; where nothing does, the opening stock (stranded: it can only serve its own location
  and those below it, so the plan may not count on it elsewhere). Components follow their
  own policies in a run, so their target is 0. ``supplied`` says whether anything can
  replenish the location; ``demand`` is its customer demand over the horizon; ``lead_time``
  the arcs' lead times from the factory (or source) at the start of its chain;
- target stock: per SKU and week, the same targets summed over its locations with each
  policy's level on the week's last day (:func:`scpln.engine.psi.plan.target_levels`), so
  a level that follows the demand (base stock from the service level) rises ahead of a
  demand step by its lead time and review period;
- component supply: per component × factory fed by a capped supplier, what can arrive
  each week (:mod:`.supply`);
- item master: ``lead_time_days`` (so plan with ``lead_time_unit="day"``); lot multiple and
  MOQ where the item is ordered in a run (:func:`_lot_rules`), else lot-for-lot; BOM:
  ``quantity × (1 + scrap_rate)``, as the simulator consumes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import cast

import numpy as np
import pandas as pd

from scpln.engine.canonical import CanonicalConfig, bucket_period
from scpln.engine.canonical.schema import SUPPLIER_TYPES
from scpln.engine.psi.compile import compile_network
from scpln.engine.psi.network import Network
from scpln.engine.psi.plan import stock_positions, target_levels

from .calendar import PlanningCalendar, derive_calendar
from .inputs import PlanningInputs, empty_table, make_planning_inputs
from .sourcing import capacity_pools, factory_capacity, sku_factories
from .supply import component_supply


def planning_inputs_from_config(config: CanonicalConfig) -> PlanningInputs:
    """Build and check the planning inputs of ``config``.

    A factory may run over capacity in the plan exactly when its node-level production
    policy allows it in a run (``allow_over_capacity``, the default): plan and run use one
    capacity rule, so a plan does not under-promise what its run then makes at a cost.
    """
    start = config.start_date
    last = start + dt.timedelta(days=config.horizon_days - 1)
    calendar = derive_calendar(start, last)
    families = _families(config)
    skus = sorted({d.item_code for d in config.demands})
    net = compile_network(config)
    network, target_stock, lots = _network(config, net, skus, calendar)
    # Demand no supply path reaches is reported (PlanningInputs.unreachable), not produced for.
    stranded = network[~network["supplied"] & (network["demand"] > 0)]
    unreachable = set(zip(stranded["loc"], stranded["item"], strict=True))
    sku_demand = _monthly(
        calendar,
        start,
        (
            (d.item_code, d.bucket, d.mean)
            for d in config.demands
            if (d.node_code, d.item_code) not in unreachable
        ),
    )
    family_of = pd.Series({sku: families.get(sku, sku) for sku in skus}, dtype="str")
    demand: pd.DataFrame = (
        sku_demand.rename("demand")
        .reset_index()
        .assign(family=lambda f: f["key"].map(family_of))
        .groupby(["family", "period"], as_index=False)
        .agg(demand=("demand", "sum"))
    )
    workcenters, capacity, routing, sites, item_capacity, capacity_parts, days_off = _factories(
        config, calendar, net, skus
    )
    return make_planning_inputs(
        demand=demand[["family", "period", "demand"]],
        capacity=capacity,
        mix_share=_mix(sku_demand, skus, family_of),
        items=pd.DataFrame(
            {
                "item": pd.Series([i.code for i in config.items], dtype="str"),
                "lead_time": [float(i.lead_time_days) for i in config.items],
                "lot": [lots.get(i.code, (0.0, 0.0))[0] for i in config.items],
                "moq": [lots.get(i.code, (0.0, 0.0))[1] for i in config.items],
            }
        ),
        inventory=_inventory(config),
        bom=pd.DataFrame(
            {
                "parent": pd.Series([b.parent_item for b in config.bom], dtype="str"),
                "child": pd.Series([b.child_item for b in config.bom], dtype="str"),
                "qty": [b.quantity * (1.0 + b.scrap_rate) for b in config.bom],
            }
        ),
        calendar=calendar,
        routing=routing,
        workcenters=workcenters,
        sites=sites,
        component_supply=component_supply(net, calendar, 0),
        item_capacity=item_capacity,
        capacity_parts=capacity_parts,
        days_off=days_off,
        prices=pd.DataFrame(
            {
                "item": pd.Series([i.code for i in config.items], dtype="str"),
                "sales_price": [float(i.sales_price) for i in config.items],
                "unit_cost": [float(i.unit_cost) for i in config.items],
            }
        ),
        network=network,
        target_stock=target_stock,
        defaults={"lt_unit": "day"},
        origin="config",
    )


def _families(config: CanonicalConfig) -> dict[str, str]:
    """SKU → family from the product hierarchy (nearest ``family``-level ancestor, else parent)."""
    parent: dict[str, str | None] = {}
    level: dict[str, str | None] = {}
    for entry in config.hierarchies:
        if entry.hierarchy_type == "product":
            parent[entry.node_key] = entry.parent_key
            level[entry.node_key] = entry.level
    out: dict[str, str] = {}
    for key, direct in parent.items():
        if direct is None:
            continue
        node: str | None = direct
        seen = {key}
        while node is not None and node not in seen and level.get(node) != "family":
            seen.add(node)
            node = parent.get(node)
        out[key] = node if node is not None and level.get(node) == "family" else direct
    return out


def _monthly(
    calendar: PlanningCalendar, start: dt.date, rows: Iterable[tuple[str, str, float]]
) -> pd.Series:
    """Bucket totals per key spread evenly over their days, summed per calendar period.

    Returns a Series indexed by (key, period), periods of the calendar only.
    """
    table = pd.DataFrame(list(rows), columns=["key", "bucket", "value"])
    periods = calendar.periods
    if table.empty:
        return pd.Series(
            [], index=pd.MultiIndex.from_arrays([[], []], names=["key", "period"]), dtype=float
        )
    spans = [bucket_period(bucket, start) for bucket in table["bucket"]]
    first = np.array([np.datetime64(a, "D") for a, _ in spans])
    last = np.array([np.datetime64(b, "D") for _, b in spans])
    p_start = periods["start"].to_numpy().astype("datetime64[D]")
    p_end = periods["end"].to_numpy().astype("datetime64[D]")
    overlap = (
        np.minimum(last[:, None], p_end[None, :]) - np.maximum(first[:, None], p_start[None, :])
    ).astype(np.int64) + 1
    days = (last - first).astype(np.int64) + 1
    amounts = np.maximum(overlap, 0) * (table["value"].to_numpy(dtype=float) / days)[:, None]
    frame = pd.DataFrame(amounts, columns=periods["period"].tolist())
    frame["key"] = table["key"].to_numpy()
    stacked = cast(pd.Series, frame.groupby("key").sum().stack())
    return stacked.rename_axis(["key", "period"])


def _mix(sku_demand: pd.Series, skus: list[str], family_of: pd.Series) -> pd.DataFrame:
    totals = sku_demand.groupby(level="key").sum().reindex(skus, fill_value=0.0)
    mix = pd.DataFrame({"sku": totals.index.astype("str"), "total": totals.to_numpy()})
    mix["family"] = mix["sku"].map(family_of).astype("str")
    family_total = mix.groupby("family")["total"].transform("sum")
    size = mix.groupby("family")["sku"].transform("size")
    mix["share"] = np.where(
        family_total > 0, mix["total"] / family_total.where(family_total > 0, 1.0), 1.0 / size
    )
    return mix[["family", "sku", "share"]].reset_index(drop=True)


def _factories(
    config: CanonicalConfig,
    calendar: PlanningCalendar,
    net: Network,
    skus: list[str],
) -> tuple[pd.DataFrame, ...]:
    """Work centres, their capacity per period, the routing, the sites of pools, the SKUs'
    own hard capacities per period, the work centres' capacity per week part and their days
    off (a pool's: the days none of its factories works).

    A factory's capacity in a period is the sum of its daily capacity in the run — its
    node-level capacity, capped by its ``capacities`` rows, on the days it works — so plan
    and run count the same units; a factory without any limit is unlimited (capacity 0,
    over capacity allowed). Factories that share a SKU (multi-sourcing, see
    :mod:`.sourcing`) are one work centre, a pool: their capacities added up, over capacity
    allowed only where every one of them allows it (unlimited if one is).
    """
    factories = sorted((n for n in config.nodes if n.node_type == "factory"), key=lambda n: n.code)
    prod = net.production
    days = int((calendar.periods["end"].iloc[-1] - calendar.periods["start"].iloc[0]).days) + 1
    first = (calendar.periods["start"].iloc[0].date() - config.start_date).days
    span = np.arange(first, first + days)
    daily = factory_capacity(net, span)
    period_of_day = calendar.period_index_of(
        pd.Series(pd.to_datetime(config.start_date) + pd.to_timedelta(span, unit="D"))
    )
    column = {net.node_codes[n]: f for f, n in enumerate(prod.factory.tolist())}
    sourced = sku_factories(net, skus)
    pools = capacity_pools(sourced)
    values: dict[str, np.ndarray] = {}
    by_day: dict[str, np.ndarray] = {}
    flags: dict[str, tuple[bool, bool]] = {}  # pool → (unlimited, allow over capacity)
    works: dict[str, np.ndarray] = {}  # pool → the span's days one of its factories works
    for node in factories:
        overall = next((p for p in node.production_policies if p.item_code is None), None)
        f = column.get(node.code)
        pool = pools.get(node.code, node.code)
        total = values.setdefault(pool, np.zeros(len(calendar.periods)))
        unlimited = f is None or not np.isfinite(daily[:, f]).any()
        if not unlimited:
            limited = np.where(np.isfinite(daily[:, f]), daily[:, f], 0.0)
            np.add.at(total, period_of_day, limited)
            by_day[pool] = by_day.get(pool, np.zeros(len(span))) + limited
        works[pool] = works.get(pool, np.zeros(len(span), bool)) | _works(net, node.code, span)
        allow = overall.allow_over_capacity if overall is not None else True
        was_unlimited, was_allowed = flags.get(pool, (False, True))
        flags[pool] = (was_unlimited or unlimited, was_allowed and allow)
    frames = [
        pd.DataFrame(
            {
                "workcenter": pool,
                "period": calendar.period_codes,
                # A bucket's daily shares add back to its total; an unlimited pool has 0.
                "capacity": 0.0 if flags[pool][0] else np.round(total, 9),
            }
        )
        for pool, total in values.items()
    ]
    capacity = (pd.concat(frames, ignore_index=True) if frames else empty_table("capacity")).astype(
        {"workcenter": "str", "period": "str", "capacity": "float64"}
    )
    maker = sourced.drop_duplicates("item").set_index("item")["node"]
    routing = pd.DataFrame(
        {
            "sku": pd.Series([s for s in skus if s in maker.index], dtype="str"),
            "workcenter": pd.Series(
                [pools[maker[s]] for s in skus if s in maker.index], dtype="str"
            ),
        }
    )
    workcenters = pd.DataFrame(
        {
            "workcenter": pd.Series(list(flags), dtype="str"),
            "allow_over_capacity": pd.Series(
                [unlimited or allow for unlimited, allow in flags.values()], dtype=bool
            ),
        }
    )
    sites = pd.DataFrame(
        {
            "workcenter": pd.Series([p for c, p in pools.items() if p != c], dtype="str"),
            "loc": pd.Series([c for c, p in pools.items() if p != c], dtype="str"),
        }
    )
    items = _item_capacity(net, sourced, span, period_of_day, calendar.period_codes)
    # A week part's capacity is its own (working) days', so a week with a holiday has less.
    parts = calendar.parts
    first_day = (parts["start"] - calendar.periods["start"].iloc[0]).dt.days.to_numpy()
    last_day = (parts["end"] - calendar.periods["start"].iloc[0]).dt.days.to_numpy()
    frames = []
    for pool, days_capacity in by_day.items():
        if flags[pool][0]:
            continue  # unlimited
        cumulative = np.r_[0.0, np.cumsum(days_capacity)]
        frames.append(
            pd.DataFrame(
                {
                    "workcenter": pool,
                    "period": parts["period"].to_numpy(),
                    "week": parts["week"].to_numpy(),
                    "capacity": np.round(cumulative[last_day + 1] - cumulative[first_day], 9),
                }
            )
        )
    by_part = pd.concat(frames, ignore_index=True) if frames else empty_table("capacity_parts")
    start = pd.Timestamp(config.start_date)
    off = [
        (pool, start + pd.Timedelta(days=int(day)))
        for pool, worked in works.items()
        for day in span[~worked]
    ]
    days_off = pd.DataFrame(off, columns=["workcenter", "date"]) if off else empty_table("days_off")
    return workcenters, capacity, routing, sites, items, by_part, days_off


def _works(net: Network, node: str, span: np.ndarray) -> np.ndarray:
    """Whether ``node`` works on each day of ``span`` (days from the start; every day
    without a calendar, and outside the days the calendar covers)."""
    if net.working is None:
        return np.ones(len(span), bool)
    row = net.working[net.node_codes.index(node)]
    inside = (span >= 0) & (span < len(row))
    return np.where(inside, row[np.clip(span, 0, len(row) - 1)], True)


def _item_capacity(
    net: Network,
    sourced: pd.DataFrame,
    span: np.ndarray,
    period_of_day: np.ndarray,
    periods: list[str],
) -> pd.DataFrame:
    """Per SKU and period, the units its factories may make of it under their hard per-item
    capacities (production policies of the item, ``capacities`` rows of type ``item``), on
    the days they work: the run cuts a release there and carries the rest over. A SKU with
    a factory that has no hard limit of its own for it, on any day, has none."""
    prod = net.production
    daily = prod.item_capacity[net.segments.of_days(int(span.max()) + 1)[span]]
    worked = factory_capacity(net, span) > 0  # days × factories: 0 on a day off
    daily = np.where(worked[:, prod.factory_of], daily, 0.0)
    position = {
        (net.node_codes[net.ni_node[k]], net.item_codes[net.ni_item[k]]): p
        for p, k in enumerate(prod.ni.tolist())
    }
    rows = []
    for sku, nodes in sourced.groupby("item", sort=True)["node"]:
        cols = [position[(node, str(sku))] for node in nodes]
        if not prod.item_hard[cols].all() or not np.isfinite(daily[:, cols]).all():
            continue
        summed = np.bincount(
            period_of_day, weights=daily[:, cols].sum(axis=1), minlength=len(periods)
        )
        totals = np.round(summed, 9)  # a bucket's daily shares add back to its total
        rows += [(str(sku), p, float(v)) for p, v in zip(periods, totals, strict=True)]
    return pd.DataFrame(rows, columns=["sku", "period", "capacity"]).astype(
        {"sku": "str", "period": "str", "capacity": "float64"}
    )


def _network(
    config: CanonicalConfig, net: Network, skus: list[str], calendar: PlanningCalendar
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, tuple[float, float]]]:
    """Target stock, supply and demand per item × location, as the simulation sees them,
    each SKU's target over its locations at each week's end, and each item's lot rules."""
    lots = _lot_rules(net)
    positions = stock_positions(net)
    week_end = (calendar.weeks["week_end"] - pd.Timestamp(config.start_date)).dt.days
    levels = target_levels(net, week_end.to_numpy())
    days = net.segments.of_days(config.horizon_days)
    per_segment = np.bincount(days, minlength=net.segments.count).astype(float)
    demand = np.zeros(net.size)
    demand[net.demand.ni] = per_segment @ net.demand.mean
    positions["demand"] = demand
    positions = positions[~positions["node_type"].isin(SUPPLIER_TYPES)]
    sold = positions["item"].isin(skus)
    supplied = positions["supplied"].to_numpy()
    # Components follow their own policies in a run: the plan keeps no target for them.
    target = np.where(
        sold,
        np.where(
            supplied, positions["target"].fillna(0.0).to_numpy(), positions["opening"].to_numpy()
        ),
        0.0,
    )
    network = pd.DataFrame(
        {
            "item": positions["item"].astype("str").to_numpy(),
            "loc": positions["node"].astype("str").to_numpy(),
            "target": target,
            "supplied": supplied,
            "demand": positions["demand"].to_numpy(),
            "lead_time": positions["lead_time"].to_numpy(dtype=float),
        }
    ).sort_values(["item", "loc"], ignore_index=True)
    # The same rule week by week: supplied locations follow their policy's level over time.
    keep = positions.index.to_numpy()
    weekly = (
        np.where(supplied[None, :], np.nan_to_num(levels[:, keep]), target[None, :])
        * sold.to_numpy()[None, :]
    )
    by_item = pd.DataFrame(weekly.T).groupby(positions["item"].astype("str").to_numpy()).sum()
    by_item = by_item.loc[by_item.index.isin(skus)]
    by_item.columns = calendar.week_codes
    stacked = by_item.stack()
    assert isinstance(stacked, pd.Series)  # one level of columns stacks into a Series
    target_stock = stacked.rename_axis(["item", "week"]).rename("target").reset_index()
    return network, target_stock, lots


def _lot_rules(net: Network) -> dict[str, tuple[float, float]]:
    """Item → (lot multiple, MOQ) where the plan orders it: a product at the first factory
    (code order) that makes it, a component at the first that consumes it — the rules the
    run applies there (the policy's and the supply arc's MOQ and multiple combined, see
    ``docs/engine.md``; an (R, Q) policy's Q is both). Items without rules are absent."""
    prod = net.production
    where = np.concatenate([prod.ni, np.unique(prod.edge_comp)])
    order = np.argsort(net.ni_node[where], kind="stable")
    out: dict[str, tuple[float, float]] = {}
    for k in where[order].tolist():
        item = net.item_codes[net.ni_item[k]]
        if item in out:
            continue
        lot, moq, q = float(net.multiple[k]), float(net.moq[k]), float(net.order_quantity[k])
        if not np.isnan(q):
            lot, moq = q, max(moq, q)
        out[item] = (lot, moq)
    return {item: rule for item, rule in out.items() if rule != (0.0, 0.0)}


def _inventory(config: CanonicalConfig) -> pd.DataFrame:
    rows = [
        (policy.item_code, node.code, config.opening_stock(policy))
        for node in config.nodes
        if node.node_type not in SUPPLIER_TYPES
        for policy in node.inventory_policies
    ]
    frame = pd.DataFrame(rows, columns=["item", "loc", "qty"])
    return frame.astype({"item": "str", "loc": "str", "qty": "float64"})
