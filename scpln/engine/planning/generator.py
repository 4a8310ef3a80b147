"""Deterministic planning input sets of any size, for property tests and the benchmark.

The shape follows the reference files: families of SKUs with mix shares, monthly family
demand with a seasonal swing, work centres (one per five families) whose capacity is a little
short of the demand routed to them in some months (so backlog, spill and pull-in happen), a
two-level BOM (components, and raw materials under some of them), stock, open POs, lot sizes
and MOQs. The same arguments always give the same set.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .calendar import derive_calendar
from .inputs import COLUMNS, PlanningInputs, make_planning_inputs


def generate_planning_inputs(
    *,
    families: int,
    skus_per_family: int,
    periods: int = 12,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 1),
    tightness: float = 1.0,
    network: bool = False,
) -> PlanningInputs:
    """An input set with ``families × skus_per_family`` SKUs over ``periods`` months.

    ``tightness`` scales demand against capacity (above 1: capacity runs short more often).
    ``network`` adds a ``network`` table as a canonical config gives one (drawn from its own
    stream, so the rest of the set is the same either way): target stock per SKU at the
    warehouse and a store, stranded stock and demand at a store nothing supplies for about a
    fifth of the SKUs, and a third of the components with no supplier at their work centre.
    """
    if families < 1 or skus_per_family < 1 or periods < 1:
        raise ValueError("families, skus_per_family and periods must be at least 1")
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start).to_period("M")
    months = [str(first + i) for i in range(periods)]
    family = [f"F{i + 1:04d}" for i in range(families)]
    sku = [f"S{i + 1:05d}" for i in range(families * skus_per_family)]
    sku_family = np.repeat(family, skus_per_family)

    raw_shares = rng.uniform(0.5, 1.5, len(sku)).reshape(families, skus_per_family)
    shares = np.round(raw_shares / raw_shares.sum(axis=1, keepdims=True), 6)
    shares[:, -1] = 1.0 - shares[:, :-1].sum(axis=1)

    base = rng.uniform(80, 400, families)[:, None]
    season = 1.0 + 0.25 * np.sin(2 * np.pi * (np.arange(periods) + rng.uniform(0, 12)) / 12)
    demand = np.round(base * season[None, :] * rng.uniform(0.85, 1.15, (families, periods)))

    centres = -(-families // 5)
    centre_of_family = np.arange(families) % centres
    routed = np.zeros((centres, periods))
    np.add.at(routed, centre_of_family, demand)
    capacity = np.round(routed.mean(axis=1, keepdims=True) * 1.02 / tightness) * np.ones(periods)

    components = max(1, len(sku) // 4)
    materials = max(1, components // 3)
    comp = [f"C{i + 1:05d}" for i in range(components)]
    mat = [f"M{i + 1:05d}" for i in range(materials)]
    bom_parent = np.concatenate([sku, sku[: len(sku) // 2], comp[: components // 2]])
    bom_child = np.concatenate(
        [
            np.array(comp)[np.arange(len(sku)) % components],
            np.array(comp)[(np.arange(len(sku) // 2) + 1) % components],
            np.array(mat)[np.arange(components // 2) % materials],
        ]
    )
    bom = pd.DataFrame(
        {"parent": bom_parent, "child": bom_child, "qty": rng.choice([1.0, 2.0], len(bom_parent))}
    ).drop_duplicates(["parent", "child"])

    items = pd.DataFrame(
        {
            "item": sku + comp + mat,
            "lead_time": np.concatenate(
                [
                    rng.integers(3, 15, len(sku)),
                    rng.integers(7, 22, components),
                    rng.integers(14, 29, materials),
                ]
            ).astype(float),
            "lot": rng.choice([0.0, 5.0, 10.0], len(sku) + components + materials),
            "moq": rng.choice([0.0, 0.0, 20.0], len(sku) + components + materials),
        }
    )
    stocked = sku + comp
    inventory = pd.DataFrame(
        {
            "item": stocked,
            "loc": "WH1",
            "qty": np.round(rng.uniform(0, 60, len(stocked))),
        }
    )
    due = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, 28, components), unit="D")
    open_po = pd.DataFrame(
        {"item": comp, "due": due, "qty": np.round(rng.uniform(0, 200, components))}
    )

    centre_of_sku = [f"WC{c + 1:03d}" for c in centre_of_family.repeat(skus_per_family)]
    table = pd.DataFrame(columns=list(COLUMNS["network"]))
    if network:
        table, inventory = _network(seed, sku, comp, bom, centre_of_sku, inventory)
    calendar = derive_calendar(start, (pd.Timestamp(months[-1]) + pd.offsets.MonthEnd(0)).date())
    return make_planning_inputs(
        demand=pd.DataFrame(
            {
                "family": np.repeat(family, periods),
                "period": np.tile(months, families),
                "demand": demand.reshape(-1),
            }
        ),
        capacity=pd.DataFrame(
            {
                "workcenter": np.repeat([f"WC{i + 1:03d}" for i in range(centres)], periods),
                "period": np.tile(months, centres),
                "capacity": capacity.reshape(-1),
            }
        ),
        mix_share=pd.DataFrame({"family": sku_family, "sku": sku, "share": shares.reshape(-1)}),
        items=items,
        inventory=inventory,
        open_po=open_po.assign(due=open_po["due"].astype("datetime64[ns]")),
        bom=bom.reset_index(drop=True),
        period_cost=pd.DataFrame({"period": months, "cost": np.linspace(100, 180, periods)}),
        period_score=pd.DataFrame({"period": months, "score": np.ones(periods)}),
        calendar=calendar,
        routing=pd.DataFrame({"sku": sku, "workcenter": centre_of_sku}),
        network=table,
        workcenters=pd.DataFrame(
            {"workcenter": [f"WC{i + 1:03d}" for i in range(centres)], "allow_over_capacity": False}
        ),
        defaults={"lt_unit": "day"},
        origin="generated",
    )


def _network(
    seed: int,
    sku: list[str],
    comp: list[str],
    bom: pd.DataFrame,
    centre_of_sku: list[str],
    inventory: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A ``network`` table (and the stock it strands) in the shape a config gives."""
    rng = np.random.default_rng([seed, 1])
    rows = [(s, "WH1", float(np.round(rng.uniform(0, 80))), True, 0.0, 7.0) for s in sku]
    rows += [(s, "ST1", float(np.round(rng.uniform(0, 40))), True, 1.0, 10.0) for s in sku]
    stranded = [s for s in sku if rng.uniform() < 0.2]
    stock = np.round(rng.uniform(0, 30, len(stranded)))
    rows += [
        (s, "ST9", float(q), False, float(np.round(rng.uniform(0, 60))), 0.0)
        for s, q in zip(stranded, stock, strict=True)
    ]
    centre = dict(zip(sku, centre_of_sku, strict=True))
    used = bom[bom["parent"].isin(sku)]
    unsupplied = sorted({c for c in comp if rng.uniform() < 1 / 3} & set(used["child"]))
    places = sorted(
        {(c, centre[p]) for p, c in zip(used["parent"], used["child"], strict=True)}
        & {(c, loc) for c in unsupplied for loc in set(centre_of_sku)}
    )
    rows += [(c, loc, 0.0, False, 0.0, 0.0) for c, loc in places]
    extra = [(s, "ST9", float(q)) for s, q in zip(stranded, stock, strict=True)]
    extra += [(c, loc, float(np.round(rng.uniform(0, 150)))) for c, loc in places]
    stocked = pd.concat([inventory, pd.DataFrame(extra, columns=["item", "loc", "qty"])])
    table = pd.DataFrame(rows, columns=list(COLUMNS["network"]))
    return table, stocked.reset_index(drop=True)
