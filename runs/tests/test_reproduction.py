"""Re-running a run with the same input hash, seed and engine reproduces its KPIs exactly."""

from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal

from jobs.models import Job
from jobs.tests.helpers import run_claimed
from plans.services import plan_create
from runs.columnar import frame_to_parquet, parquet_to_frame
from runs.models import Run, RunResult
from runs.selectors.compare import flatten_kpis
from runs.services import run_rerun
from runs.services.recording import json_safe
from runs.services.reproduction import run_inputs
from runs.services.traces import run_trace
from runs.tests.factories import record_simulation
from scenarios.models import Scenario
from scpln.engine import psi

pytestmark = pytest.mark.django_db


def test_a_plan_driven_run_reproduces_its_kpis_exactly(network):
    scenario = Scenario.objects.create(name="Repro base", demand_scale=1.1)
    version = plan_create(name="Repro", base_scenario=scenario, config_version=network)
    job = run_claimed(version.jobs.get(type="planning").pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    run = Run.objects.get(plan_version=version)

    again = run_rerun(run=run)

    assert again.same_inputs and again.same_engine
    assert again.kpi_differences == {}
    assert again.reproduced


def test_a_run_hashed_under_the_older_plan_digest_still_reproduces(network):
    # Runs recorded before the plan digest hashed the columns' bytes hold the CSV scheme's
    # input hash: their re-run must still find the same inputs — and a run whose stored hash
    # is neither scheme's must not.
    from scpln.engine.psi.api import input_hash

    scenario = Scenario.objects.create(name="Repro old hash")
    version = plan_create(name="Old hash", base_scenario=scenario, config_version=network)
    job = run_claimed(version.jobs.get(type="planning").pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    run = Run.objects.get(plan_version=version)
    config, plan, _receipts = run_inputs(run)
    assert plan is not None
    old = input_hash(
        config, days=run.horizon_days, stochastic=False, seed=None, plan=plan, plan_scheme="csv"
    )
    assert old != run.input_hash

    Run.objects.filter(pk=run.pk).update(input_hash=old)
    again = run_rerun(run=Run.objects.get(pk=run.pk))
    assert again.same_inputs and again.reproduced, again.kpi_differences

    Run.objects.filter(pk=run.pk).update(input_hash=old[::-1])
    assert not run_rerun(run=Run.objects.get(pk=run.pk)).same_inputs


def test_a_plan_run_and_its_rerun_keep_the_plans_release_rule_and_switches(network):
    # Issue 11: a plan version's release rule and constraint switches are how its run
    # executes it; a re-run rebuilt from the stored plan must execute it the same way.
    scenario = Scenario.objects.create(name="Repro switches")
    runs = {}
    for name, parameters in (
        ("lot", {}),
        ("daily", {"release_rule": "daily", "material_constrained": False}),
    ):
        version = plan_create(
            name=name, base_scenario=scenario, config_version=network, parameters=parameters
        )
        job = run_claimed(version.jobs.get(type="planning").pk)
        assert job.status == Job.Status.SUCCEEDED, job.error
        runs[name] = Run.objects.get(plan_version=version)
        assert run_rerun(run=runs[name]).reproduced
    assert runs["lot"].input_hash != runs["daily"].input_hash
    fixed = {
        name: run.summary["costs_by_account"]["production_fixed"] for name, run in runs.items()
    }
    assert fixed["lot"] < fixed["daily"]


def test_a_stochastic_run_reproduces_with_its_seed_and_records_the_rerun(network):
    from plans.services.inputs import scenario_config

    scenario = Scenario.objects.create(name="Noisy", demand_scale=0.9)
    config, overrides = scenario_config(config_version=network, scenario=scenario)
    run = record_simulation(
        network, scenario, overrides, psi.simulate(config, seed=20261127, stochastic=True)
    )

    again = run_rerun(run=run, record=True)

    assert again.reproduced, again.kpi_differences
    assert again.recorded is not None and again.recorded.run_id != run.run_id
    assert again.recorded.input_hash == run.input_hash
    assert again.recorded.summary == run.summary

    # A different seed is a different input, and its numbers differ.
    Run.objects.filter(pk=run.pk).update(seed=1)
    run.refresh_from_db()
    other = run_rerun(run=run)
    assert not other.same_inputs and other.kpi_differences


def test_a_rerun_needs_neither_the_scenario_as_it_is_now_nor_the_plan_version(network):
    scenario = Scenario.objects.create(name="Moving target", demand_scale=1.2)
    version = plan_create(name="Gone", base_scenario=scenario, config_version=network)
    job = run_claimed(version.jobs.get(type="planning").pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    run = Run.objects.get(plan_version=version)
    recorded = dict(run.summary)

    # The scenario is edited afterwards, and the plan version (with its final
    # plan) is deleted: nothing the re-run may rely on.
    Scenario.objects.filter(pk=scenario.pk).update(demand_scale=3.0, lead_time_shift_days=2)
    Run.objects.filter(pk=run.pk).update(plan_version=None)
    version.artifacts.all().delete()
    version.delete()
    run.refresh_from_db()

    again = run_rerun(run=run)

    assert again.reproduced, again.kpi_differences
    assert flatten_kpis(recorded) == flatten_kpis(json_safe(again.result.kpis))
    assert run.inputs["plan_driven"] is True and run.inputs["overrides"]["demand_scale"] == 1.2


def test_a_recorded_runs_tables_decode_to_the_engines_frames(network):
    # The trace is stored (on its first request) from an Arrow table built straight from the
    # engine's arrays (no DataFrame on the way): what it decodes to must be the engine's trace
    # frame, exactly as that frame stored through pandas decodes (columns, dtypes,
    # categories, values).
    from plans.services.inputs import scenario_config

    scenario = Scenario.objects.create(name="Tables")
    config, overrides = scenario_config(config_version=network, scenario=scenario)
    result = psi.simulate(config)
    run = record_simulation(network, scenario, overrides, result)

    data = run_trace(run=run)
    assert data is not None
    stored = RunResult.objects.get(run=run)
    assert stored.trace is not None and bytes(stored.trace) == data
    trace = parquet_to_frame(data)
    assert len(trace) > 0 and stored.trace_rows == len(trace)
    assert set(trace["account"]) >= {"revenue", "cogs", "transport_variable"}
    assert_frame_equal(trace, parquet_to_frame(frame_to_parquet(result.trace)))
    assert_frame_equal(trace, result.trace, check_categorical=True)
    for table in ("psi", "pl"):
        frame = getattr(result, table)
        assert_frame_equal(parquet_to_frame(bytes(getattr(stored, table))), frame)
