"""Reconcile: capacity spill and pull-in, unmet at the horizon end, anchor policies, carryover,
and the AGG ↔ DET delta log. Every case is small enough to check by hand.

January 2025 has ISO weeks of 5, 7, 7, 7 and 5 days (the last, W05, runs into February when
February is in the horizon); a family selling 1 or 10 a day gets those weeks' share.
"""

import datetime as dt

import pytest

from scpln.engine.planning import PlanParameters, run_pipeline
from scpln.engine.planning.inputs import make_planning_inputs

JAN_FEB = {"2025-01": 310.0, "2025-02": 280.0}


def _plan(*, months, capacity, lot=0.0, moq=0.0, stock=0.0, **params):
    inputs = make_planning_inputs(
        demand=[("F", month, qty) for month, qty in months.items()],
        capacity=[("WC1", month, capacity) for month in months],
        mix_share=[("F", "A", 1.0)],
        items=[("A", 0.0, lot, moq)],
        inventory=[("A", "WH1", stock)] if stock else (),
    )
    return run_pipeline(inputs, PlanParameters(**params))


def _weekly(result, column):
    return result.reconciliation.reconcile.sort_values("week_index")[column].tolist()


def test_spill_runs_forward_and_what_is_left_at_the_horizon_end_is_unmet():
    # Capacity equals demand (1 a day: 5, 7, 7, 7, 5 a week); an MOQ of 20 lumps DET into
    # 20, 0, 0, 20, 0, which the weeks cannot hold.
    result = _plan(months={"2025-01": 31.0}, capacity=31.0, moq=20.0)
    assert _weekly(result, "det_production") == pytest.approx([20, 0, 0, 20, 0])
    assert _weekly(result, "final") == pytest.approx([5, 7, 7, 7, 5])
    capacity = result.reconciliation.capacity
    # Units keep their order: 15 of week 0's lot are made later, and 14 of week 3's (9 of
    # them never within the horizon).
    assert capacity["spilled"].tolist() == pytest.approx([15, 0, 0, 14, 0])
    assert result.kpis["spill_total"] == pytest.approx(29)
    assert result.reconciliation.anchor_log["unmet"].tolist() == pytest.approx([9])
    assert result.kpis["unmet_total"] == pytest.approx(9)
    assert (capacity["load"] <= capacity["capacity"] + 1e-9).all()


def test_pull_in_uses_earlier_free_capacity_within_the_window():
    # 19 in stock covers the first three weeks; week 3 needs 7 and the MOQ makes it 20.
    result = _plan(months={"2025-01": 31.0}, capacity=31.0, moq=20.0, stock=19.0)
    assert _weekly(result, "det_production") == pytest.approx([0, 0, 0, 20, 0])
    # 13 over week 3's capacity of 7: 7 into week 2, 6 into week 1 (two weeks back).
    assert _weekly(result, "final") == pytest.approx([0, 6, 7, 7, 0])
    assert result.reconciliation.capacity["pulled"].tolist() == pytest.approx([0, 0, 0, 13, 0])
    assert result.kpis["pull_in_total"] == pytest.approx(13)
    assert result.kpis["unmet_total"] == pytest.approx(0)


def test_pull_in_reaches_no_further_back_than_the_window():
    result = _plan(
        months={"2025-01": 31.0}, capacity=31.0, moq=20.0, stock=19.0, recon_window_days=7
    )
    # One week back: 7 into week 2, the other 6 spill into week 4 (capacity 5), 1 unmet.
    assert _weekly(result, "final") == pytest.approx([0, 0, 7, 7, 5])
    assert result.kpis["unmet_total"] == pytest.approx(1)


# Selling 10 a day in January and February with lots of 100: AGG makes 50, 70, 70, 70, 70
# (W05: 50 of January + 20 of February), 70, 70, 70, 50 = 590; DET makes 100, 100, 0, 100,
# 100, 0, 100, 100, 0 = 600. The cutover on 1 February makes W01..W05 near (W05 starts on
# 27 January), W06..W09 far, and the near weeks make 400 − 330 = 70 more than AGG.
AGG = [50, 70, 70, 70, 70, 70, 70, 70, 50]
DET = [100, 100, 0, 100, 100, 0, 100, 100, 0]


def _anchored(policy, **params):
    return _plan(
        months=JAN_FEB,
        capacity=1e6,
        lot=100.0,
        cutover_date=dt.date(2025, 2, 1),
        anchor_policy=policy,
        **params,
    )


def test_det_near_keeps_det_before_the_cutover_and_absorbs_the_difference_after_it():
    result = _anchored("DET_near")
    assert _weekly(result, "agg_production") == pytest.approx(AGG)
    assert _weekly(result, "det_production") == pytest.approx(DET)
    # The two far weeks of the window (W06, W07: 70 each) give up 70, in proportion.
    assert _weekly(result, "final") == pytest.approx([100, 100, 0, 100, 100, 35, 35, 70, 50])
    log = result.reconciliation.anchor_log.iloc[0]
    assert log["delta"] == pytest.approx(70)
    assert log["absorbed"] == pytest.approx(-70)


def test_agg_far_keeps_agg_after_the_cutover_and_absorbs_the_difference_before_it():
    result = _anchored("AGG_far")
    # The two near weeks of the window (W04, W05: 100 each) give up 70, in proportion.
    assert _weekly(result, "final") == pytest.approx([100, 100, 0, 65, 65, 70, 70, 70, 50])


def test_blend_moves_from_det_to_agg_across_the_window():
    result = _anchored("blend")
    final = _weekly(result, "final")
    # DET's weight over the window W04..W07 is 7/8, 5/8, 3/8, 1/8: 96.25, 88.75, 43.75, 73.75,
    # then 32.5 too many units come out of those four weeks in proportion (× 270/302.5).
    scale = 270 / 302.5
    expected = [100, 100, 0, 96.25 * scale, 88.75 * scale, 43.75 * scale, 73.75 * scale, 70, 50]
    assert final == pytest.approx(expected)


def test_the_three_anchor_policies_give_three_plans_with_the_same_total():
    finals = {
        policy: _weekly(_anchored(policy), "final") for policy in ("DET_near", "AGG_far", "blend")
    }
    assert finals["DET_near"] != finals["AGG_far"] != finals["blend"] != finals["DET_near"]
    for final in finals.values():
        assert sum(final) == pytest.approx(sum(AGG))


def test_without_a_cutover_det_governs_and_the_log_reports_its_excess_over_agg():
    # Defect 4: with no cutover the final plan made DET's 600 against AGG's 590 while the
    # anchor log said delta 0 and residual 0, so final + unmet ≠ AGG + residual.
    result = _plan(months=JAN_FEB, capacity=1e6, lot=100.0)
    assert _weekly(result, "final") == pytest.approx(DET)
    assert _weekly(result, "agg_production") == pytest.approx(AGG)
    log = result.reconciliation.anchor_log.iloc[0]
    assert (log["delta"], log["residual"]) == pytest.approx((10, 10))
    assert (log["absorbed"], log["carried_prev"], log["carried_next"]) == (0, 0, 0)
    assert sum(DET) + log["unmet"] == pytest.approx(sum(AGG) + log["residual"])
    assert result.kpis["anchor_residual_total"] == pytest.approx(10)


def test_delta_log_compares_months_and_flags_those_outside_the_tolerances():
    tight = _anchored("DET_near").reconciliation.delta_log.set_index("period")
    # January holds the near weeks plus 5/7 of W05; February the rest.
    assert tight.loc["2025-01", "final"] == pytest.approx(300 + 100 * 5 / 7)
    assert tight.loc["2025-01", "delta"] == pytest.approx(300 + 100 * 5 / 7 - 310)
    assert tight.loc["2025-02", "delta"] == pytest.approx(-(300 + 100 * 5 / 7 - 310))
    assert tight["zone"].tolist() == ["near", "cutover"]
    assert tight["outside_tolerance"].tolist() == [True, True]
    loose = _anchored("DET_near", tolerance_abs=100.0).reconciliation.delta_log
    assert loose["outside_tolerance"].tolist() == [False, False]
    relative = _anchored("DET_near", tolerance_rel=0.25).reconciliation.delta_log
    assert relative["outside_tolerance"].tolist() == [False, False]


# January alone with lots of 200: DET makes 200, 0, 0, 200, 0 (400) against AGG's 310. With the
# cutover on 27 January only W05 is far, and a one-week window after it holds just AGG's 50:
# 90 of the 140 too many cannot be absorbed there and are carried over.
def _carried(carryover, **params):
    return _plan(
        months={"2025-01": 310.0},
        capacity=1e6,
        lot=200.0,
        cutover_date=dt.date(2025, 1, 27),
        recon_window_days=7,
        anchor_policy="DET_near",
        carryover=carryover,
        **params,
    )


def test_carryover_prev_takes_the_residual_from_the_weeks_before_the_window():
    result = _carried("prev")
    assert _weekly(result, "final") == pytest.approx([200, 0, 0, 110, 0])
    assert result.reconciliation.anchor_log["carried_prev"].tolist() == pytest.approx([-90])
    assert result.kpis["anchor_residual_total"] == pytest.approx(0)


def test_carryover_next_with_no_weeks_left_reports_the_residual():
    result = _carried("next")
    assert _weekly(result, "final") == pytest.approx([200, 0, 0, 200, 0])
    assert result.reconciliation.anchor_log["residual"].tolist() == pytest.approx([90])
    assert result.kpis["anchor_residual_total"] == pytest.approx(90)


def test_carryover_both_splits_the_residual_by_the_policy_share():
    result = _carried("both")
    # DET_near sends 80% next (nowhere to go: residual 72) and 20% (18) to the weeks before.
    assert _weekly(result, "final") == pytest.approx([200, 0, 0, 182, 0])
    assert result.reconciliation.anchor_log["residual"].tolist() == pytest.approx([72])
    split = _carried("both", carryover_split=0.0)
    assert _weekly(split, "final") == pytest.approx([200, 0, 0, 110, 0])


def test_carryover_auto_goes_where_there_is_room():
    assert _weekly(_carried("auto"), "final") == pytest.approx([200, 0, 0, 110, 0])
    # In the two-month case there is more room after the window than before it.
    agg_far = _plan(
        months=JAN_FEB,
        capacity=1e6,
        lot=100.0,
        cutover_date=dt.date(2025, 1, 20),
        recon_window_days=7,
        anchor_policy="AGG_far",
        carryover="auto",
    )
    # Near W01..W03 make 200 against AGG's 190; the window (W03) holds nothing, so 10 come out
    # of W04, the nearest week after it.
    assert _weekly(agg_far, "final") == pytest.approx([100, 100, 0, 60, 70, 70, 70, 70, 50])
