"""Exceptions of runs and plans, pinned on the original system's samples and on small
networks whose answer can be worked out by hand."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from scpln.engine.canonical import load_config
from scpln.engine.exceptions import (
    Kind,
    Severity,
    Thresholds,
    divergence_exceptions,
    plan_exceptions,
    root_cause,
    run_exceptions,
)
from scpln.engine.planning import (
    default_parameters,
    planning_inputs_from_config,
    run_pipeline,
)
from scpln.engine.psi import simulate

SAMPLES = ("mono_node_sample_2Mths", "multi_node_sample_3Mths", "multi_node_sample_6Mths")


def _document(reference_dir: Path, name: str) -> dict[str, Any]:
    return json.loads((reference_dir / "canonical" / f"{name}.json").read_text())


def _unsupplied_components(document: dict[str, Any]) -> set[str]:
    """Independently of the engine: BOM children of what a factory makes, at a factory
    that no arc delivers to and that does not make them itself."""
    children: dict[str, set[str]] = {}
    for line in document["bom"]:
        children.setdefault(line["parent_item"], set()).add(line["child_item"])
    delivered = {arc["to_node"] for arc in document["arcs"]}
    found = set()
    for node in document["nodes"]:
        if node["node_type"] != "factory" or node["code"] in delivered:
            continue
        made = {p["item_code"] for p in node.get("production_policies", []) if p["item_code"]}
        for item in made:
            found |= {f"{node['code']}/{c}" for c in children.get(item, ()) if c not in made}
    return found


@pytest.mark.reference
@pytest.mark.parametrize("name", SAMPLES)
def test_a_run_names_every_component_that_nothing_supplies(reference_dir, name) -> None:
    document = _document(reference_dir, name)
    records = run_exceptions(simulate(load_config(document)).raw)
    named = {f"{r.node}/{r.item}" for r in records if r.kind == Kind.UNSOURCED_COMPONENT}
    assert named == _unsupplied_components(document)
    assert named  # every sample has at least one


@pytest.mark.reference
@pytest.mark.parametrize("name", SAMPLES)
def test_stockouts_name_the_stores_with_their_first_date_and_units_short(
    reference_dir, name
) -> None:
    config = load_config(_document(reference_dir, name))
    run = simulate(config)
    records = run_exceptions(run.raw)
    # Independently, from the PSI table a planner downloads: every store × item with a
    # shortage, the first day it had one, the days it had one and the units.
    psi = run.psi
    stores = {n.code for n in config.nodes if n.node_type == "store"}
    short = psi[psi["node"].isin(stores) & (psi["shortage"] > 1e-9)]
    expected = {
        (str(node), str(item)): (int(g["day"].min()), len(g), float(g["shortage"].sum()))
        for (node, item), g in short.groupby(["node", "item"], observed=True)
    }
    found = {
        (r.node, r.item): (r.first_day, r.detail["days_out"], r.quantity)
        for r in records
        if r.kind == Kind.STOCKOUT
    }
    assert found.keys() == expected.keys()
    for key, (first, days_out, units) in expected.items():
        assert found[key][:2] == (first, days_out)
        assert found[key][2] == pytest.approx(units, rel=1e-4)
    assert config.start_date is not None
    for key, (first, _days_out, _units) in expected.items():
        (row,) = (r for r in records if r.kind == Kind.STOCKOUT and (r.node, r.item) == key)
        assert row.first_date == config.start_date + dt.timedelta(days=first)


@pytest.mark.reference
def test_the_six_month_sample_stockouts_start_where_the_components_run_out(
    reference_dir,
) -> None:
    config = load_config(_document(reference_dir, "multi_node_sample_6Mths"))
    records = run_exceptions(simulate(config).raw)
    stockouts = {(r.node, r.item): r for r in records if r.kind == Kind.STOCKOUT}
    # Tokyo's SKU-A is made at FACTORY-1 from COMP-X, which nothing supplies.
    tyo = stockouts[("STORE-TYO", "SKU-A")]
    assert tyo.first_date == dt.date(2025, 3, 10)
    assert tyo.cause_kind == Kind.UNSOURCED_COMPONENT
    assert tyo.cause_refs == ("FACTORY-1/COMP-X",)
    assert tyo.severity == Severity.HIGH
    # Mexico City's SKU-B comes from DC-4, which nothing replenishes (the config's warning).
    mex = stockouts[("STORE-MEX", "SKU-B")]
    assert mex.cause_kind == Kind.NO_SUPPLY_PATH
    assert mex.cause_refs == ("DC-4/SKU-B",)
    blocked = {(r.node, r.item): r.cause_refs for r in records if r.kind == Kind.COMPONENT_SHORTAGE}
    assert blocked[("FACTORY-3", "SKU-D")] == ("FACTORY-3/COMP-Z",)


@pytest.mark.reference
@pytest.mark.parametrize("name", ["multi_node_sample_3Mths", "multi_node_sample_6Mths"])
def test_the_root_cause_explains_the_fill_rate(reference_dir, name) -> None:
    run = simulate(load_config(_document(reference_dir, name)))
    records = run_exceptions(run.raw)
    cause = root_cause(
        records, fill_rate=run.kpis["fill_rate"], shortage_total=run.kpis["shortage_total"]
    )
    # Every unit short traces to a cause: the shares add up to the whole shortage, and the
    # shortage is what the fill rate misses.
    assert sum(c.share for c in cause.causes) == pytest.approx(1.0, rel=1e-4)
    assert run.kpis["shortage_total"] == pytest.approx(
        (1 - run.kpis["fill_rate"]) * run.kpis["demand_total"]
    )
    assert cause.main is not None
    assert cause.main.kind == Kind.UNSOURCED_COMPONENT
    assert set(cause.main.refs) <= {
        f"{r.node}/{r.item}" for r in records if r.kind == Kind.UNSOURCED_COMPONENT
    }


@pytest.mark.reference
def test_six_month_shortage_is_four_fifths_unsourced_components(reference_dir) -> None:
    run = simulate(load_config(_document(reference_dir, "multi_node_sample_6Mths")))
    records = run_exceptions(run.raw)
    shares = {
        c.kind: c.share
        for c in root_cause(
            records, fill_rate=run.kpis["fill_rate"], shortage_total=run.kpis["shortage_total"]
        ).causes
    }
    # By hand from the stock-outs above: Mexico City's SKU-B (879 of 4,743.7 short) is the
    # unreachable store; Los Angeles' 18 units wait for FACTORY-2's capacity; the rest.
    mex = 879.0 / run.kpis["shortage_total"]
    la = 18.0 / run.kpis["shortage_total"]
    assert shares[Kind.NO_SUPPLY_PATH] == pytest.approx(mex, rel=1e-4)
    assert shares["capacity"] == pytest.approx(la, rel=1e-4)
    assert shares[Kind.UNSOURCED_COMPONENT] == pytest.approx(1 - mex - la, rel=1e-4)


SMALL: dict[str, Any] = {
    "schema_version": "canonical-1.0",
    "meta": {"name": "small", "attributes": {"planning_horizon": 60}},
    "items": [
        {"code": "FG", "item_type": "product", "unit_cost": 10, "attributes": {"sales_price": 20}},
        {"code": "OLD", "item_type": "product", "unit_cost": 5, "attributes": {"sales_price": 9}},
    ],
    "nodes": [
        {
            "code": "F",
            "node_type": "factory",
            "production_policies": [
                {"item_code": None, "production_capacity": 100},
                {"item_code": "FG"},
            ],
        },
        {
            "code": "S",
            "node_type": "store",
            "inventory_policies": [
                {
                    "item_code": "FG",
                    "initial_inventory": 3000,
                    "reorder_point": 0,
                    "order_up_to": 100,
                },
                {"item_code": "OLD", "initial_inventory": 40},
            ],
        },
    ],
    "arcs": [{"from_node": "F", "to_node": "S", "arc_type": "transport", "lead_time_days": 1}],
    "bom": [],
    "demands": [
        {
            "node_code": "S",
            "item_code": "FG",
            "bucket": "M1",
            "mean": 310,
            "demand_model": "deterministic",
        },
        {
            "node_code": "S",
            "item_code": "FG",
            "bucket": "M2",
            "mean": 280,
            "demand_model": "deterministic",
        },
    ],
}


def _small(**changes: Any):
    document = copy.deepcopy(SMALL)
    document.update(changes)
    return load_config(document)


def test_stock_far_above_its_policy_is_excess_and_unsold_stock_is_dead() -> None:
    run = simulate(_small())
    records = run_exceptions(run.raw, Thresholds(excess_cover_days=30))
    by_kind = {(r.kind, r.node, r.item): r for r in records}
    # 3,000 FG at S, 10 a day sold in January and February (310 + 280; the 60th day is in
    # March, which has no demand): 2,410 left, above order-up-to 100 (30 days' cover is 295).
    excess = by_kind[(Kind.EXCESS_INVENTORY, "S", "FG")]
    assert excess.quantity == pytest.approx(2410 - 100)
    assert excess.value == pytest.approx((2410 - 100) * 10)
    assert excess.detail["cover_days"] == pytest.approx(2410 / (590 / 60))
    dead = by_kind[(Kind.DEAD_STOCK, "S", "OLD")]
    assert dead.quantity == pytest.approx(40)
    assert dead.value == pytest.approx(40 * 5)
    # The factory made next to nothing of its 100 a day: idle, by what it left unused.
    made = float(run.psi.loc[run.psi["node"] == "F", "production"].sum())
    assert made < 0.3 * 100 * 60
    idle = by_kind[(Kind.CAPACITY_IDLE, "F", "")]
    assert idle.quantity == pytest.approx(100 * 60 - made)
    assert not [r for r in records if r.kind == Kind.STOCKOUT]


def test_a_factory_over_its_capacity_is_overloaded_with_the_cost_of_the_excess() -> None:
    config = _small(
        nodes=[
            {
                "code": "F",
                "node_type": "factory",
                "production_policies": [
                    {
                        "item_code": None,
                        "production_capacity": 5,
                        "allow_over_capacity": True,
                        "over_capacity_variable_cost": 2,
                    },
                    {"item_code": "FG"},
                ],
            },
            {
                "code": "S",
                "node_type": "store",
                "inventory_policies": [
                    {
                        "item_code": "FG",
                        "initial_inventory": 0,
                        "reorder_point": 20,
                        "order_up_to": 40,
                    },
                ],
            },
        ]
    )
    run = simulate(config)
    records = run_exceptions(run.raw)
    over = next(r for r in records if r.kind == Kind.CAPACITY_OVERLOAD)
    released, capacity = run.raw.factory_released[:, 0], run.raw.factory_capacity[:, 0]
    assert over.node == "F"
    assert over.quantity == pytest.approx(float((released - capacity).clip(min=0).sum()))
    assert over.detail["load"] == pytest.approx(float(released.sum()))
    assert over.value == pytest.approx(2 * over.quantity)


def test_a_plan_and_run_that_disagree_on_the_fill_rate_diverge() -> None:
    run_kpis = {"fill_rate": 0.80, "demand_total": 1000.0}
    none = divergence_exceptions(plan_kpis={"fill_rate": 0.84}, run_kpis=run_kpis, run_records=[])
    assert none == []
    (row,) = divergence_exceptions(plan_kpis={"fill_rate": 0.95}, run_kpis=run_kpis, run_records=[])
    assert row.kind == Kind.PLAN_RUN_DIVERGENCE
    assert row.detail["points"] == pytest.approx(15.0)
    assert row.quantity == pytest.approx(150.0)
    assert row.severity == Severity.HIGH


@pytest.mark.reference
def test_the_plan_of_the_six_month_sample_reports_its_unreachable_demand(reference_dir) -> None:
    config = load_config(_document(reference_dir, "multi_node_sample_6Mths"))
    inputs = planning_inputs_from_config(config)
    result = run_pipeline(inputs, default_parameters(inputs))
    records = plan_exceptions(result.final, inputs)
    unreachable = [r for r in records if r.kind == Kind.UNREACHABLE_DEMAND]
    assert {(r.node, r.item) for r in unreachable} >= {("STORE-MEX", "SKU-B")}
    total_short = sum(r.quantity for r in unreachable)
    assert total_short == pytest.approx(result.kpis["unreachable_short"], rel=1e-6)
    # Sold SKUs whose projected stock goes negative in the final plan, from the table itself.
    grid = result.final.plan_final
    negative = grid[(grid["level"] == 0) & (grid["projected_on_hand"] < -1e-9)]
    assert {r.item for r in records if r.kind == Kind.LATE_DEMAND} == set(negative["item"])
    for r in records:
        if r.kind == Kind.LATE_DEMAND:
            rows = negative[negative["item"] == r.item]
            assert r.first_date == pd.Timestamp(rows["week_start"].min()).date()


@pytest.mark.reference
def test_the_plan_names_work_centres_loaded_over_their_capacity(reference_dir) -> None:
    config = load_config(_document(reference_dir, "multi_node_sample_6Mths"))
    inputs = planning_inputs_from_config(config)
    result = run_pipeline(inputs, default_parameters(inputs))
    records = plan_exceptions(result.final, inputs, result.reconciliation)
    # Independently, from the reconcile stage's weekly capacity table.
    table = result.reconciliation.capacity
    over = table[table["load"] > table["capacity"] + 1e-9]
    expected = (over["load"] - over["capacity"]).groupby(over["workcenter"]).sum()
    found = {r.node: r for r in records if r.kind == Kind.CAPACITY_OVERLOAD}
    assert set(found) == set(expected.index) and found
    for centre, units in expected.items():
        row = found[str(centre)]
        assert row.quantity == pytest.approx(units)
        weeks = over[over["workcenter"] == centre]
        assert row.first_date == pd.Timestamp(weeks["week_start"].min()).date()
        assert row.detail["weeks_over"] == len(weeks)


@pytest.mark.reference
@pytest.mark.parametrize("name", SAMPLES)
def test_a_plans_exceptions_are_valued_at_the_configs_prices(reference_dir, name) -> None:
    document = _document(reference_dir, name)
    config = load_config(document)
    inputs = planning_inputs_from_config(config)
    result = run_pipeline(inputs, default_parameters(inputs))
    records = plan_exceptions(result.final, inputs, result.reconciliation)
    # Independently, from the document: what customers miss at its sales price, what is
    # short or late in stock at its unit cost; a capacity overload names no item.
    sales = {
        i["code"]: float(i.get("attributes", {}).get("sales_price", 0)) for i in document["items"]
    }
    cost = {i["code"]: float(i.get("unit_cost", 0)) for i in document["items"]}
    rate = {
        Kind.LATE_DEMAND: sales,
        Kind.UNREACHABLE_DEMAND: sales,
        Kind.COMPONENT_SHORTAGE: cost,
        Kind.LATE_RECEIPT: cost,
    }
    assert records
    for r in records:
        expected = r.quantity * rate[r.kind][r.item] if r.kind in rate else 0.0
        assert r.value == pytest.approx(expected), (r.kind, r.item)
    assert any(r.value > 0 for r in records)  # every sample has priced items late or short
