"""The stage-by-stage pipeline API a job runner drives, and the checks before it starts."""

import datetime as dt

import pytest

from scpln.engine.canonical import load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.planning import (
    STAGES,
    PlanParameters,
    PlanParametersError,
    StageEvent,
    default_parameters,
    generate_planning_inputs,
    load_planning_inputs,
    parse_parameters,
    planning_inputs_from_config,
    run_aggregate,
    run_allocate,
    run_days,
    run_mrp,
    run_pipeline,
    run_plan_final,
    run_reconcile,
    validate_parameters,
)
from scpln.engine.planning.parameters import parameter_specs


@pytest.fixture(scope="module")
def small():
    return generate_planning_inputs(families=3, skus_per_family=2, periods=4, seed=1)


def _messages(problems):
    return [str(p) for p in problems]


@pytest.mark.reference
def test_the_reference_inputs_plan_end_to_end_with_their_own_defaults(reference_dir):
    inputs = load_planning_inputs(reference_dir / "planning")
    params = default_parameters(inputs, cutover_date=dt.date(2025, 4, 1))
    assert params.anchor_policy == "DET_near"
    assert params.recon_window_days == 14
    events: list[StageEvent] = []
    result = run_pipeline(inputs, params, on_stage=events.append)
    assert [(e.stage.name, e.stage.state, e.progress) for e in events] == [
        ("aggregate", "aggregated", 20),
        ("allocate", "disaggregated", 40),
        ("mrp", "disaggregated", 60),
        ("reconcile", "scheduled", 80),
        ("plan_final", "executed", 100),
    ]
    artifacts = result.artifacts()
    assert list(artifacts) == [stage.name for stage in STAGES]
    assert set(artifacts["reconcile"]) == {"reconcile", "anchor_log", "capacity", "delta_log"}
    kpis = result.kpis
    assert kpis["demand_total"] == 3780
    assert kpis["fill_rate_by_horizon_end"] == 1.0
    assert kpis["unmet_total"] == 0
    # SKU3 sells from the first day with no stock and a 5-day lead time: its first order was
    # due for release before the horizon, so its 15 units arrive on day 5, not in week 1,
    # and the first week's demand of SKU3 cannot be served on time.
    assert kpis["past_due_orders"] == 1
    assert kpis["late_receipts"] == 15
    assert 0.98 < kpis["fill_rate"] < 1.0
    assert kpis["target_inventory_total"] == 0  # the files give no targets
    # Units are conserved end to end: planned receipts equal AGG production (nothing residual).
    production = result.aggregate.aggregate["production"].sum()
    assert kpis["planned_receipts_total"] == pytest.approx(production)
    assert all(isinstance(v, int | float | str | dict | type(None)) for v in kpis.values())


def test_stages_can_be_run_one_by_one_from_their_stored_artifacts(small):
    params = PlanParameters(cutover_date=dt.date(2025, 2, 1))
    aggregate = run_aggregate(small, params)
    allocation = run_allocate(small, params, aggregate)
    mrp = run_mrp(small, params, allocation)
    # A runner may store and reload tables between stages: row order must not matter.
    shuffled = type(mrp)(mrp=mrp.mrp.sample(frac=1, random_state=0), mrp_orders=mrp.mrp_orders)
    reconciliation = run_reconcile(small, params, aggregate, allocation, shuffled)
    final = run_plan_final(small, params, allocation, reconciliation)
    whole = run_pipeline(small, params)
    assert final.plan_final.equals(whole.final.plan_final)
    assert final.kpis == whole.kpis


def test_a_runner_cancels_by_raising_from_on_stage(small):
    class Cancelled(Exception):
        pass

    seen = []

    def cancel_after_allocate(event):
        seen.append(event.stage.name)
        if event.stage.name == "allocate":
            raise Cancelled

    with pytest.raises(Cancelled):
        run_pipeline(small, PlanParameters(), on_stage=cancel_after_allocate)
    assert seen == ["aggregate", "allocate"]


@pytest.mark.reference
def test_parameters_that_do_not_fit_the_horizon_name_their_field(reference_dir):
    inputs = load_planning_inputs(reference_dir / "planning")
    problems = validate_parameters(
        PlanParameters(horizon_days=181, cutover_date=dt.date(2026, 9, 1)), inputs
    )
    assert _messages(problems) == [
        "cutover_date: 2026-09-01 is after the end of the horizon (2025-06-30)"
    ]
    problems = validate_parameters(PlanParameters(horizon_days=100), inputs)
    assert _messages(problems) == [
        "horizon_days: 100 days end on 2025-04-10, inside period 2025-04; the horizon must end "
        "at a period end (31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 days)"
    ]
    with pytest.raises(PlanParametersError, match="cutover_date"):
        run_pipeline(inputs, PlanParameters(cutover_date=dt.date(2024, 12, 1)))


def test_a_shorter_horizon_plans_only_its_periods(small):
    result = run_pipeline(small, PlanParameters(horizon_days=59))
    assert result.aggregate.aggregate["period"].unique().tolist() == ["2025-01", "2025-02"]
    assert result.final.plan_final["week_start"].max().date() < dt.date(2025, 3, 1)


def test_every_bad_parameter_is_reported(small):
    problems = validate_parameters(
        PlanParameters(
            anchor_policy="det_near",  # type: ignore[arg-type]
            recon_window_days=-7,
            carryover_split=1.5,
            tolerance_abs=-1,
            horizon_days=1000,
        ),
        small,
    )
    # In the order the parameters are declared; the horizon's fit to the calendar last.
    assert _messages(problems) == [
        "recon_window_days: must be ≥ 0, not -7",
        "anchor_policy: must be one of DET_near, AGG_far, blend, not 'det_near'",
        "carryover_split: must be ≤ 1, not 1.5",
        "tolerance_abs: must be ≥ 0, not -1",
        "horizon_days: 1000 days end on 2027-09-27, after the planning calendar ends "
        "(2025-04-30); at most 120",
    ]


def test_parameters_round_trip_through_json_data():
    params = PlanParameters(
        cutover_date=dt.date(2025, 3, 1), anchor_policy="blend", carryover="both", rounding="int"
    )
    parsed, problems = parse_parameters(params.to_dict())
    assert problems == []
    assert parsed == params
    _, problems = parse_parameters({"cutover_date": "March", "rounding": "dec3", "speed": 1})
    assert _messages(problems) == [
        "speed: is not a plan parameter",
        "cutover_date: must be a date YYYY-MM-DD, not 'March'",
        "rounding: must be one of none, int, dec1, dec2, not 'dec3'",
    ]


def test_constraint_switches_and_the_release_rule_are_parameters():
    params, problems = parse_parameters(
        {"material_constrained": False, "release_rule": "daily", "lead_time_constrained": True}
    )
    assert problems == [] and params is not None
    assert (params.material_constrained, params.capacity_constrained) == (False, True)
    assert parse_parameters(params.to_dict())[0] == params
    _, problems = parse_parameters({"capacity_constrained": "no", "release_rule": "weekly"})
    assert _messages(problems) == [
        "capacity_constrained: must be true or false, not 'no'",
        "release_rule: must be one of lot, daily, not 'weekly'",
    ]
    # Each new parameter says what it does where the forms and the API read it.
    for name in (
        "release_rule",
        *(f"{k}_constrained" for k in ("material", "capacity", "lead_time")),
    ):
        spec = parameter_specs()[name]
        assert spec.label and len(spec.help) > 40


def test_default_parameters_read_overrides_as_stored_data(small):
    # Defect 6: a cutover given as text used to reach validation as a str and fail there
    # with a TypeError (comparing str and date) instead of being read as the date it is.
    params = default_parameters(small, cutover_date="2025-03-01", rounding="int")
    assert params.cutover_date == dt.date(2025, 3, 1)
    assert validate_parameters(params, small) == []
    with pytest.raises(PlanParametersError) as raised:
        default_parameters(small, cutover_date="April", recon_window_days="two weeks")
    assert _messages(raised.value.problems) == [
        "cutover_date: must be a date YYYY-MM-DD, not 'April'",
        "recon_window_days: must be a whole number of days, not 'two weeks'",
    ]
    # An explicit None clears a default, as before.
    assert default_parameters(small, cutover_date=None).cutover_date is None


def test_a_run_of_the_plan_covers_the_plans_horizon():
    config = load_config(generate_config(skus=2, stores=1, dcs=1, factories=1, days=90, seed=1))
    inputs = planning_inputs_from_config(config)
    assert run_days(PlanParameters(horizon_days=59), inputs, config) == 59
    assert run_days(PlanParameters(), inputs, config) == 90


def test_plan_final_gives_the_psi_simulation_its_production_schedule(small):
    result = run_pipeline(small, PlanParameters())
    start = small.calendar.start
    schedule = result.final.planned_receipts(start, by_node=True)
    assert list(schedule.columns) == ["item", "node", "week_start", "day", "days", "quantity"]
    assert set(schedule["item"]) <= set(small.skus)
    routed = small.routing.set_index("sku")["workcenter"]
    assert (schedule["node"] == schedule["item"].map(routed)).all()
    assert schedule["quantity"].sum() == pytest.approx(result.kpis["planned_receipts_total"])
    first = schedule[schedule["day"] == 0]
    # 2025 starts on a Wednesday: the first week holds 5 days of the horizon, later ones 7.
    assert set(first["days"]) <= {5}
    assert set(schedule.loc[schedule["day"] > 0, "day"] % 7) == {5}
