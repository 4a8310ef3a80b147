"""What planners rely on in the workbench: an aggregate edit lands on its unlocked detail cells
and nothing is lost — aggregate = Σ detail to the unit after any sequence of edits, locks and
distributions; locked cells never change; a refused edit changes nothing."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scpln.engine.planning import default_parameters, generate_planning_inputs, run_pipeline
from scpln.engine.workbench import (
    MEASURES,
    LockedCell,
    Unplaceable,
    Weight,
    distribute,
    edit_aggregate,
    edit_detail,
    family_key,
    largest_remainder,
    sheet_from_tables,
    sku_key,
)


@pytest.fixture(scope="module")
def plan():
    inputs = generate_planning_inputs(families=3, skus_per_family=4, periods=3, seed=7)
    return run_pipeline(inputs, default_parameters(inputs))


def make_sheet(plan):
    return sheet_from_tables(
        plan.allocation.sku_week, plan.allocation.week_periods, plan.final.plan_final
    )


# --- distribute -------------------------------------------------------------------------


def test_proportional_keeps_the_shape_of_the_unlocked_cells():
    new = distribute(np.array([10.0, 30.0, 5.0]), np.array([False, False, True]), 85.0)
    assert new.tolist() == [20.0, 60.0, 5.0]


def test_rounding_to_a_step_gives_the_leftover_units_to_the_largest_remainders():
    # 10 in steps of 1 over three equal cells: 3.33 each → 4, 3, 3 (the tie goes to the first).
    new = distribute(np.zeros(3), np.zeros(3, dtype=bool), 10.0, mode="equal", step=1)
    assert new.tolist() == [4.0, 3.0, 3.0]
    assert largest_remainder(np.array([1.0, 1.0, 2.0]), 5).tolist() == [1.0, 1.0, 3.0]


def test_custom_weights_put_nothing_on_a_zero_weight():
    new = distribute(
        np.array([1.0, 1.0, 1.0]), np.zeros(3, dtype=bool), 30.0, mode="weights", weights=[1, 0, 2]
    )
    assert new.tolist() == [10.0, 0.0, 20.0]


def test_locked_cells_above_the_target_refuse_naming_the_amount():
    with pytest.raises(Unplaceable) as refused:
        distribute(np.array([50.0, 10.0]), np.array([True, False]), 40.0)
    assert refused.value.amount == pytest.approx(-10.0)
    assert refused.value.locked == (0,)


def test_a_rest_that_is_not_whole_steps_is_refused():
    with pytest.raises(Unplaceable) as refused:
        distribute(np.array([2.5, 1.0]), np.array([True, False]), 10.0, step=1)
    assert refused.value.amount == pytest.approx(0.5)


cells = st.lists(st.integers(0, 500).map(float), min_size=1, max_size=12)


@given(
    current=cells,
    data=st.data(),
    target=st.integers(0, 5000),
    mode=st.sampled_from(["proportional", "equal", "weights"]),
    step=st.sampled_from([None, 1, 5]),
)
def test_distribution_reaches_the_target_or_refuses_without_touching_locks(
    current, data, target, mode, step
):
    values = np.array(current)
    locked = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
    )
    weights = data.draw(st.lists(st.integers(0, 9), min_size=len(values), max_size=len(values)))
    free = target - values[locked].sum()
    open_weight = np.array(weights)[~locked].sum() if mode == "weights" else (~locked).sum()
    refusal = free < 0 or (free > 0 and open_weight == 0) or (step is not None and free % step)
    if refusal:
        with pytest.raises(Unplaceable) as refused:
            distribute(values, locked, float(target), mode=mode, weights=weights, step=step)
        assert refused.value.locked == tuple(np.flatnonzero(locked))
        return
    new = distribute(values, locked, float(target), mode=mode, weights=weights, step=step)
    assert new.sum() == pytest.approx(target, abs=1e-6)
    assert (new[locked] == values[locked]).all()
    assert (new >= 0).all()
    if step is not None:
        unlocked = new[~locked]
        assert np.allclose(unlocked / step, np.round(unlocked / step))


# --- the sheet --------------------------------------------------------------------------


def test_sheet_rolls_weeks_up_to_the_month_that_holds_most_of_their_days(plan):
    sheet = make_sheet(plan)
    sku_week = plan.allocation.sku_week
    assert sheet.periods == ["2025-01", "2025-02", "2025-03"]
    # 2025-W05 (27 Jan – 2 Feb) has five days in January; 2025-W09 (24 Feb – 2 Mar) five in Feb.
    assert sheet.periods[sheet.week_period[sheet.weeks.index("2025-W05")]] == "2025-01"
    assert sheet.periods[sheet.week_period[sheet.weeks.index("2025-W09")]] == "2025-02"
    family = sheet.families[0]
    january = ["2025-W01", "2025-W02", "2025-W03", "2025-W04", "2025-W05"]
    rows = sku_week[(sku_week["family"] == family) & sku_week["week"].isin(january)]
    assert sheet.rollup("demand")[0, 0] == pytest.approx(rows["demand"].sum())


def test_stock_rolls_up_as_the_period_end_not_the_sum(plan):
    sheet = make_sheet(plan)
    final = plan.final.plan_final
    family = sheet.families[1]
    last_week_of_march = "2025-W14"
    rows = final[(final["family"] == family) & (final["week"] == last_week_of_march)]
    rows = rows[rows["level"] == 0]
    assert sheet.rollup("closing_stock")[1, 2] == pytest.approx(rows["projected_on_hand"].sum())


def test_detail_edit_on_a_locked_cell_is_refused(plan):
    sheet = make_sheet(plan)
    locked = sheet.locked_mask([(sku_key(sheet.skus[0]), "2025-W02")])
    with pytest.raises(LockedCell):
        edit_detail(sheet, locked, "demand", 0, 1, 99.0)
    assert edit_detail(sheet, locked, "demand", 0, 2, 99.0)[0].new == 99.0


def test_a_family_lock_for_a_month_locks_its_skus_weeks(plan):
    sheet = make_sheet(plan)
    locked = sheet.locked_mask([(family_key(sheet.families[0]), "2025-02")])
    rows = sheet.family_rows(0)
    february = np.flatnonzero(sheet.week_period == 1)
    assert locked[np.ix_(rows, february)].all()
    assert locked.sum() == len(rows) * len(february)


edits = st.lists(
    st.one_of(
        st.tuples(st.just("detail"), st.integers(0, 11), st.integers(0, 13), st.integers(0, 400)),
        st.tuples(
            st.just("aggregate"),
            st.integers(0, 2),
            st.integers(0, 2),
            st.integers(0, 6000),
            st.sampled_from(["proportional", "equal", "weights"]),
            st.sampled_from([None, 1, 10]),
            st.booleans(),  # weights by SKU-week (else by SKU)
        ),
        st.tuples(st.just("lock"), st.integers(0, 11), st.one_of(st.none(), st.integers(0, 13))),
    ),
    max_size=15,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=edits, measure=st.sampled_from(["demand", "production"]))
def test_aggregate_equals_the_sum_of_detail_after_any_edits_and_locks(plan, steps, measure):
    sheet = make_sheet(plan)
    locks: list[tuple[str, str | None]] = []
    for step in steps:
        locked = sheet.locked_mask(locks)
        before = sheet.values[measure].copy()
        if step[0] == "lock":
            week = None if step[2] is None else sheet.weeks[step[2]]
            locks.append((sku_key(sheet.skus[step[1]]), week))
            continue
        try:
            if step[0] == "detail":
                edit_detail(sheet, locked, measure, step[1], step[2], float(step[3]))
            else:
                _, family, period, value, mode, rounding, per_cell = step
                weights: dict[int, Weight] = {
                    int(r): (
                        {w: float((r + w) % 4) for w in range(len(sheet.weeks))}
                        if per_cell
                        else float(r % 3)
                    )
                    for r in sheet.family_rows(family)
                }
                edit_aggregate(
                    sheet,
                    locked,
                    measure,
                    family,
                    period,
                    float(value),
                    mode=mode,
                    weights=weights,
                    step=rounding,
                )
                assert sheet.rollup(measure)[family, period] == pytest.approx(value, abs=1e-6)
        except (Unplaceable, LockedCell):
            assert (sheet.values[measure] == before).all(), "a refused edit changes nothing"
        after = sheet.values[measure]
        assert (after[locked] == before[locked]).all(), "locked cells never change"
        # The aggregate against an independent roll-up of the detail cells.
        for f in range(len(sheet.families)):
            for p in range(len(sheet.periods)):
                weeks = np.flatnonzero(sheet.week_period == p)
                expected = after[np.ix_(sheet.family_rows(f), weeks)].sum()
                assert sheet.rollup(measure)[f, p] == pytest.approx(expected, abs=1e-6)


def test_weights_by_sku_week_place_units_only_on_the_named_cells_in_proportion(plan):
    sheet = make_sheet(plan)
    rows = sheet.family_rows(0)
    january = sheet.period_weeks(0, "production")
    first, second = int(rows[0]), int(rows[1])
    weights: dict[int, Weight] = {
        first: {int(january[0]): 1.0, int(january[2]): 3.0},
        second: 4.0,  # all of its January weeks alike
    }
    locked = np.zeros((len(sheet.skus), len(sheet.weeks)), dtype=bool)
    edit_aggregate(sheet, locked, "production", 0, 0, 800.0, mode="weights", weights=weights)
    block = sheet.values["production"][np.ix_(rows, january)]
    share = 800.0 / (1 + 3 + 4 * len(january))
    expected_first = np.zeros(len(january))
    expected_first[[0, 2]] = [share, 3 * share]
    np.testing.assert_allclose(block[0], expected_first)
    np.testing.assert_allclose(block[1], np.full(len(january), 4 * share))
    assert block[2:].sum() == 0  # SKUs not named weigh 0


def test_every_measure_is_filled_from_the_plan(plan):
    sheet = make_sheet(plan)
    for measure in MEASURES:
        assert sheet.values[measure.name].shape == (12, 14)
    assert sheet.values["receipts"].sum() == pytest.approx(
        plan.final.plan_final.query("level == 0")["planned_receipt"].sum()
    )
