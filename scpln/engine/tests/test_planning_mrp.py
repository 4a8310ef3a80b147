"""MRP: netting against stock and open orders, lot rules, lead-time offsets, past-due releases."""

import datetime as dt

import numpy as np
import pytest

from scpln.engine.planning import PlanParameters, run_aggregate, run_allocate, run_mrp
from scpln.engine.planning.inputs import make_planning_inputs


def _mrp(*, items, bom=(), inventory=(), open_po=(), demand=310.0, **params):
    """One SKU ``A`` selling 10 a day in January 2025 (weeks of 5, 7, 7, 7 and 5 days)."""
    inputs = make_planning_inputs(
        demand=[("F", "2025-01", demand)],
        capacity=[("WC1", "2025-01", 1e9)],
        mix_share=[("F", "A", 1.0)],
        items=items,
        bom=bom,
        inventory=inventory,
        open_po=open_po,
    )
    parameters = PlanParameters(**params)
    aggregate = run_aggregate(inputs, parameters)
    return run_mrp(inputs, parameters, run_allocate(inputs, parameters, aggregate))


def _column(plan, item, column):
    rows = plan.mrp[plan.mrp["item"] == item].sort_values("week_index")
    return rows[column].tolist()


def test_netting_against_stock_and_an_open_po_with_past_due_releases_flagged():
    plan = _mrp(
        items=[("A", 7.0, 0.0, 0.0), ("C", 14.0, 0.0, 0.0)],
        bom=[("A", "C", 2.0)],
        inventory=[("C", "WH1", 100.0)],
        open_po=[("C", dt.date(2025, 1, 8), 60.0)],
    )
    # A must ship 50, 70, 70, 70, 50; with no stock every week is a receipt, released a week
    # earlier (7 days = 1 week), so the first release falls before the horizon.
    assert _column(plan, "A", "planned_receipt") == pytest.approx([50, 70, 70, 70, 50])
    assert _column(plan, "A", "planned_release") == pytest.approx([70, 70, 70, 50, 0])
    orders = plan.mrp_orders.set_index(["item", "receipt_week_index"])
    assert orders.loc[("A", 0), "past_due"]
    assert orders.loc[("A", 0), "release_week_index"] == -1
    assert orders.loc[("A", 0), "release_date"] == np.datetime64("2024-12-25")
    assert not orders.loc[("A", 1), "past_due"]
    # C: 2 per A released; the past-due release's 100 is due in the first week too.
    assert _column(plan, "C", "gross_requirement") == pytest.approx([240, 140, 140, 100, 0])
    # Week 0: 100 on hand, 140 short. Week 1: the PO's 60 arrives, 80 short.
    assert _column(plan, "C", "scheduled_receipt") == pytest.approx([0, 60, 0, 0, 0])
    assert _column(plan, "C", "planned_receipt") == pytest.approx([140, 80, 140, 100, 0])
    assert _column(plan, "C", "on_hand_end") == pytest.approx([0, 0, 0, 0, 0])
    c = plan.mrp_orders[plan.mrp_orders["item"] == "C"]
    assert c["release_week_index"].tolist() == [-2, -1, 0, 1]
    assert c["past_due"].tolist() == [True, True, False, False]
    # Past-due releases are not moved into the horizon.
    assert _column(plan, "C", "planned_release") == pytest.approx([140, 100, 0, 0, 0])


def test_moq_then_lot_multiple_and_the_leftover_covers_later_weeks():
    plan = _mrp(items=[("A", 0.0, 25.0, 60.0)])
    # Week 0 needs 50: at least the MOQ of 60, up to 3 lots of 25 = 75, leaving 25. Week 1 needs
    # 70 − 25 = 45 → 75 again, leaving 30; and so on.
    assert _column(plan, "A", "net_requirement") == pytest.approx([50, 45, 40, 35, 10])
    assert _column(plan, "A", "planned_receipt") == pytest.approx([75, 75, 75, 75, 75])
    assert _column(plan, "A", "on_hand_end") == pytest.approx([25, 30, 35, 40, 65])


def test_lead_time_days_round_up_to_whole_weeks():
    plan = _mrp(items=[("A", 8.0, 0.0, 0.0)])
    assert plan.mrp_orders["lead_time_weeks"].unique().tolist() == [2]
    weekly = _mrp(items=[("A", 2.0, 0.0, 0.0)], lead_time_unit="week")
    assert weekly.mrp_orders["lead_time_weeks"].unique().tolist() == [2]
    assert _column(plan, "A", "planned_release") == _column(weekly, "A", "planned_release")


def test_two_level_bom_plans_each_component_once_below_all_its_parents():
    plan = _mrp(
        items=[("A", 0.0, 0.0, 0.0), ("C", 0.0, 0.0, 0.0), ("M", 0.0, 0.0, 0.0)],
        bom=[("A", "C", 1.0), ("C", "M", 3.0), ("A", "M", 1.0)],
    )
    levels = plan.mrp.drop_duplicates("item").set_index("item")["level"]
    assert levels.to_dict() == {"A": 0, "C": 1, "M": 2}
    # M is needed 3 per C and 1 per A directly: 4 per A.
    assert sum(_column(plan, "M", "gross_requirement")) == pytest.approx(4 * 310)
