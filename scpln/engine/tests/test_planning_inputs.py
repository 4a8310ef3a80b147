"""Planning inputs from the original files and from canonical configs: read, checked, complete."""

import json
import textwrap

import pytest

from scpln.engine.canonical import load_config
from scpln.engine.planning import (
    PlanningInputError,
    generate_planning_inputs,
    load_planning_inputs,
    planning_inputs_from_config,
)
from scpln.engine.planning.inputs import make_planning_inputs

CONFIGS = ["mono_node_sample_2Mths", "multi_node_sample_3Mths", "multi_node_sample_6Mths"]

GOOD = {
    "demand_family.csv": "family,period,demand\nF1,2025-01,100\nF1,2025-02,120\nF2,2025-01,80\n"
    "F2,2025-02,90\n",
    "capacity.csv": "workcenter,period,capacity\nWC1,2025-01,500\nWC1,2025-02,500\n",
    "mix_share.csv": "family,sku,share\nF1,SKU1,0.6\nF1,SKU2,0.4\nF2,SKU3,1.0\n",
    "item.csv": "item,lt,lot,moq\nSKU1,7,10,0\nSKU2,7,10,0\nSKU3,5,5,0\nCOMP1,14,1,0\n",
    "bom.csv": "parent,child,qty\nSKU1,COMP1,1\nSKU2,COMP1,1\n",
    "inventory.csv": "item,loc,qty\nSKU1,WH1,50\nCOMP1,WH1,200\n",
    "open_po.csv": "item,due,qty\nCOMP1,2025-01-10,100\n",
}


def _write(folder, files):
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def _problems(folder, **changes):
    files = {**GOOD, **changes}
    with pytest.raises(PlanningInputError) as caught:
        load_planning_inputs(_write(folder, {k: v for k, v in files.items() if v is not None}))
    return [str(p) for p in caught.value.problems]


def assert_complete_and_consistent(inputs):
    """What every stage relies on, whichever source the inputs came from."""
    mix = inputs.mix_share
    assert mix["family"].notna().all()
    assert not mix["sku"].duplicated().any(), "a SKU belongs to one family"
    assert mix.groupby("family")["share"].sum().sub(1).abs().max() < 1e-6
    assert set(inputs.demand["family"]) <= set(mix["family"])
    assert set(inputs.demand["period"]) <= set(inputs.calendar.period_codes)
    centres = set(inputs.routing["workcenter"]) or set(inputs.capacity["workcenter"])
    covered = set(zip(inputs.capacity["workcenter"], inputs.capacity["period"], strict=True))
    for centre in centres:
        for period in inputs.calendar.period_codes:
            assert (centre, period) in covered, f"{centre} has no capacity in {period}"
    if not inputs.routing.empty:
        assert set(inputs.routing["sku"]) == set(mix["sku"])
    known = set(inputs.items["item"])
    assert set(mix["sku"]) <= known
    assert set(inputs.bom["parent"]) | set(inputs.bom["child"]) <= known
    assert set(inputs.inventory["item"]) | set(inputs.open_po["item"]) <= known
    weeks = inputs.calendar.weeks
    assert weeks["week_start"].is_monotonic_increasing
    assert weeks["week"].is_unique


@pytest.mark.reference
def test_reference_planning_files_load_as_they_are(reference_dir):
    inputs = load_planning_inputs(reference_dir / "planning")
    assert_complete_and_consistent(inputs)
    assert inputs.calendar.source == "file"
    assert len(inputs.calendar.periods) == 12
    assert len(inputs.calendar.weeks) == 53
    assert inputs.calendar.week_codes[-1] == "2026-W01"
    assert inputs.skus == ["SKU1", "SKU2", "SKU3"]
    assert inputs.defaults["default_anchor_policy"] == "DET_near"


@pytest.mark.reference
@pytest.mark.parametrize("name", CONFIGS)
def test_inputs_built_from_a_reference_config_are_complete_and_consistent(reference_dir, name):
    config = load_config(reference_dir / "canonical" / f"{name}.json")
    inputs = planning_inputs_from_config(config)
    assert_complete_and_consistent(inputs)
    horizon = (inputs.calendar.end - inputs.calendar.start).days + 1
    assert horizon == config.horizon_days
    # Every unit of demand in the horizon is planned, in its family, or reported as demand
    # no supply path reaches.
    planned = inputs.demand["demand"].sum() + inputs.unreachable["demand"].sum()
    assert planned == pytest.approx(sum(d.mean for d in config.demands))


@pytest.mark.reference
def test_config_families_shares_capacity_and_stock_come_from_the_config(reference_dir):
    config = load_config(reference_dir / "canonical" / "multi_node_sample_6Mths.json")
    inputs = planning_inputs_from_config(config)
    demand = inputs.demand.set_index(["family", "period"])["demand"]
    # SKU-A (Tokyo 200) and SKU-B (Tokyo 160) in January; Mexico City's 140 of SKU-B is not
    # planned: its DC-4 has no source of SKU-B, so only the stock stranded there serves it.
    assert demand[("PRODUCT-FAMILY-1", "2025-01")] == 360
    assert inputs.unreachable.loc["SKU-B", "demand"] == sum(
        d.mean for d in config.demands if d.item_code == "SKU-B" and d.node_code == "STORE-MEX"
    )
    shares = inputs.mix_share.set_index("sku")["share"]
    a = sum(d.mean for d in config.demands if d.item_code == "SKU-A")
    b = sum(d.mean for d in config.demands if d.item_code == "SKU-B" and d.node_code != "STORE-MEX")
    assert shares["SKU-A"] == pytest.approx(a / (a + b))
    capacity = inputs.capacity.set_index(["workcenter", "period"])["capacity"]
    assert capacity[("FACTORY-1", "2025-04")] == 520
    assert inputs.routing.set_index("sku")["workcenter"]["SKU-F"] == "FACTORY-4"
    stock = inputs.inventory.groupby("item")["qty"].sum()
    # DC-1 60, DC-2 55, Tokyo 15, Los Angeles 12, all × initial_inventory_scale 3.
    assert stock["SKU-A"] == (60 + 55 + 15 + 12) * 3
    bom = inputs.bom.set_index(["parent", "child"])["qty"]
    assert bom[("SKU-F", "COMP-W")] == 1.5
    # Every factory of the sample allows over capacity, in a run and so in the plan.
    assert inputs.workcenters["allow_over_capacity"].all()


@pytest.mark.reference
def test_a_horizon_that_starts_mid_month_plans_the_days_it_covers(reference_dir):
    document = json.loads((reference_dir / "canonical" / "mono_node_sample_2Mths.json").read_text())
    document["meta"]["attributes"]["start_date"] = "2025-01-15"
    document["meta"]["attributes"]["planning_horizon"] = 45
    inputs = planning_inputs_from_config(load_config(document))
    assert inputs.calendar.period_codes == ["2025-01", "2025-02"]
    demand = inputs.demand.set_index("period")["demand"]
    # M1 (15 Jan – 14 Feb, 31 days) holds 140; M2 (15 Feb – 14 Mar, 28 days) 180.
    assert demand["2025-01"] == pytest.approx(140 * 17 / 31)
    assert demand["2025-02"] == pytest.approx(140 * 14 / 31 + 180 * 14 / 28)
    assert_complete_and_consistent(inputs)


def test_generated_inputs_are_complete_and_consistent():
    inputs = generate_planning_inputs(families=7, skus_per_family=3, periods=5, seed=3)
    assert_complete_and_consistent(inputs)
    assert len(inputs.skus) == 21
    again = generate_planning_inputs(families=7, skus_per_family=3, periods=5, seed=3)
    assert inputs.demand.equals(again.demand)


def test_without_a_calendar_file_weeks_are_iso_weeks_cut_at_month_ends(tmp_path):
    inputs = load_planning_inputs(_write(tmp_path, GOOD))
    assert inputs.calendar.source == "derived"
    assert inputs.calendar.week_codes[:2] == ["2025-W01", "2025-W02"]
    january_last = inputs.calendar.parts[inputs.calendar.parts["week"] == "2025-W05"]
    assert january_last["weight"].tolist() == [5.0, 2.0]
    assert_complete_and_consistent(inputs)


def test_a_bad_value_is_reported_with_file_row_and_column(tmp_path):
    problems = _problems(
        tmp_path, **{"mix_share.csv": "family,sku,share\nF1,SKU1,0.6\nF1,SKU2,0.4\nF2,SKU3,1.4\n"}
    )
    assert "mix_share.csv row 4: share: must be between 0 and 1, not 1.4" in problems


def test_every_problem_is_reported_at_once(tmp_path):
    problems = _problems(
        tmp_path,
        **{
            "demand_family.csv": "family,period,demand\nF1,2025-01,lots\nF1,2025-02,120\n"
            "F2,2025-01,80\nF3,2025-02,5\n",
            "mix_share.csv": "family,sku,share\nF1,SKU1,0.5\nF1,SKU2,0.4\nF2,SKU3,1\n",
            "bom.csv": "parent,child,qty\nSKU1,COMP9,1\nSKU2,COMP1,0\n",
            "open_po.csv": "item,due,qty\nCOMP1,10/01/2025,100\n",
        },
    )
    assert problems == [
        "demand_family.csv row 2: demand: 'lots' is not a number",
        "open_po.csv row 2: due: '10/01/2025' is not a date YYYY-MM-DD",
        "bom.csv row 3: qty: must be > 0, not 0",
        "mix_share.csv: family F1: shares sum to 0.9; they must sum to 1",
        "demand_family.csv row 5: family: F3 has no SKUs in mix_share.csv",
        "bom.csv row 2: child: COMP9 is not in item.csv",
    ]


def test_references_calendar_and_capacity_gaps_are_reported(tmp_path):
    problems = _problems(
        tmp_path,
        **{
            "capacity.csv": "workcenter,period,capacity\nWC1,2025-01,500\n",
            "bom.csv": "parent,child,qty\nSKU1,COMP1,1\nCOMP1,SKU2,1\nSKU3,COMP1,1\nCOMP1,SKU3,1\n",
            "item.csv": None,
        },
    )
    assert "item.csv: is missing from " + str(tmp_path) in problems
    assert "capacity.csv: workcenter WC1: no capacity for period 2025-02" in problems
    assert any(p.startswith("bom.csv row 3: child: SKU2 is a sold SKU") for p in problems)


def test_duplicates_and_bom_cycles_are_refused(tmp_path):
    problems = _problems(
        tmp_path,
        **{
            "capacity.csv": "workcenter,period,capacity\nWC1,2025-01,500\nWC1,2025-02,500\n"
            "WC1,2025-02,400\n",
            "bom.csv": "parent,child,qty\nSKU1,COMP1,1\nCOMP1,COMP2,1\nCOMP2,COMP1,1\n",
            "item.csv": "item,lt,lot,moq\nSKU1,7,10,0\nSKU2,7,10,0\nSKU3,5,5,0\nCOMP1,14,1,0\n"
            "COMP2,1,0,0\n",
        },
    )
    assert problems == [
        "capacity.csv row 4: period: (WC1, 2025-02) is repeated; first given on "
        "capacity.csv row 3: period",
        "bom.csv: cycle COMP1 → COMP2 → COMP1",
    ]


def test_network_and_target_tables_are_checked_naming_row_and_column():
    good = generate_planning_inputs(families=1, skus_per_family=1, periods=1)
    with pytest.raises(PlanningInputError) as caught:
        make_planning_inputs(
            demand=good.demand,
            capacity=good.capacity,
            mix_share=good.mix_share,
            items=good.items,
            network=[("S00001", "DC", -5.0, True, 0.0, 3.0), ("NOPE", "DC", 1.0, True, 0.0, 0)],
            target_stock=[("S00001", "2031-W01", 1.0), ("S00001", good.calendar.week_codes[0], -1)],
            calendar=good.calendar,
        )
    assert [str(p) for p in caught.value.problems] == [
        "network[1].item: NOPE is not in items",
        "network[0].target: must be ≥ 0, not -5.0",
        "target_stock[0].week: 2031-W01 is not a week of the calendar",
        "target_stock[1].target: must be ≥ 0, not -1.0",
    ]


def test_a_site_of_a_work_centre_without_capacity_is_refused():
    good = generate_planning_inputs(families=1, skus_per_family=1, periods=1)
    centre = good.capacity["workcenter"].iloc[0]
    with pytest.raises(PlanningInputError) as caught:
        make_planning_inputs(
            demand=good.demand,
            capacity=good.capacity,
            mix_share=good.mix_share,
            items=good.items,
            routing=good.routing,
            sites=[(centre, "F1"), ("F1+F2", "F2")],
            calendar=good.calendar,
        )
    assert [str(p) for p in caught.value.problems] == ["sites[1].workcenter: F1+F2 has no capacity"]


def test_prices_name_known_items_and_are_not_negative():
    good = generate_planning_inputs(families=1, skus_per_family=1, periods=1)
    with pytest.raises(PlanningInputError) as caught:
        make_planning_inputs(
            demand=good.demand,
            capacity=good.capacity,
            mix_share=good.mix_share,
            items=good.items,
            prices=[("S00001", -1.0, 2.0), ("NOPE", 1.0, 1.0), ("S00001", 3.0, -2.0)],
            calendar=good.calendar,
        )
    assert [str(p) for p in caught.value.problems] == [
        "prices[2].item: (S00001) is repeated; first given on prices[0].item",
        "prices[1].item: NOPE is not in items",
        "prices[0].sales_price: must be ≥ 0, not -1.0",
        "prices[2].unit_cost: must be ≥ 0, not -2.0",
    ]
