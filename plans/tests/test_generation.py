"""The planning job: stages, states, artifacts, the plan-driven run, failures."""

from __future__ import annotations

import pytest
from django.test import override_settings

from jobs import runner
from jobs.models import Job
from jobs.services import job_retry
from jobs.tests.helpers import run_claimed
from plans.models import PlanArtifact, PlanVersion
from plans.services import plan_create
from plans.tests.conftest import run_planning_job
from runs.models import Run

pytestmark = pytest.mark.django_db

STAGE_TABLES = {
    "aggregate": {"aggregate", "aggregate_capacity"},
    "allocate": {"sku_week", "week_periods"},
    "mrp": {"mrp", "mrp_orders"},
    "reconcile": {"reconcile", "capacity", "delta_log", "anchor_log"},
    "plan_final": {"plan_final", "plan_orders"},
}


def test_planning_job_executes_the_version_and_records_a_run_against_it(network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    job = run_planning_job(version)

    assert job.status == Job.Status.SUCCEEDED, job.error
    version.refresh_from_db()
    assert version.state == PlanVersion.State.EXECUTED
    assert version.kpis["fill_rate"] >= 0
    stored = {kind: set(names) for kind, names in _tables(version).items()}
    assert stored == STAGE_TABLES
    run = Run.objects.get(plan_version=version)
    assert (run.scenario, run.config_version, run.job) == (base_scenario, network, job)
    assert job.result["run_id"] == str(run.run_id)
    assert job.result["plan_version_id"] == version.pk
    assert job.result["kpis"]["fill_rate"] == run.fill_rate
    assert run.result.psi_rows > 0


def test_the_run_of_a_plan_covers_the_plans_horizon(network, base_scenario):
    # Defect 5 of issue 11: a plan of 59 days was run for the config's 90, so its KPIs sat
    # next to a run of another length.
    version = plan_create(
        name="Q1",
        base_scenario=base_scenario,
        config_version=network,
        parameters={"horizon_days": 59},
    )
    job = run_planning_job(version)

    assert job.status == Job.Status.SUCCEEDED, job.error
    run = Run.objects.get(plan_version=version)
    assert run.horizon_days == 59
    assert run.summary["days"] == 59


def _tables(version: PlanVersion) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, name in PlanArtifact.objects.filter(plan_version=version).values_list("kind", "name"):
        out.setdefault(kind, []).append(name)
    return out


@override_settings(SCPLN_SKIP_SIMULATION_API=True)
def test_skip_simulation_generates_the_plan_without_a_run(network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    job = run_planning_job(version)

    version.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert version.state == PlanVersion.State.EXECUTED
    assert "skipped" in job.result["simulation"]
    assert "run_id" not in job.result
    assert not Run.objects.exists()


def test_a_failing_stage_leaves_complete_stages_and_none_of_its_own(
    network, base_scenario, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("reconcile blew up")

    monkeypatch.setattr("scpln.engine.planning.pipeline.run_reconcile", broken)
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    job = run_planning_job(version)

    version.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert version.state == PlanVersion.State.FAILED
    assert "reconcile blew up" in version.error
    assert set(_tables(version)) == {"aggregate", "allocate", "mrp"}
    assert not Run.objects.exists()


def test_retry_of_a_failed_generation_starts_the_version_again(network, base_scenario, monkeypatch):
    monkeypatch.setattr(
        "scpln.engine.planning.pipeline.run_reconcile",
        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("transient")),
    )
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    failed = run_planning_job(version)
    monkeypatch.undo()

    retry = job_retry(job=failed)
    done = run_claimed(retry.pk)

    version.refresh_from_db()
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert version.state == PlanVersion.State.EXECUTED and version.error == ""
    assert set(_tables(version)) == set(STAGE_TABLES)
    assert Run.objects.filter(plan_version=version).count() == 1


def test_a_redelivered_attempt_reports_the_recorded_run_instead_of_a_second(network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    job = run_planning_job(version)
    # The worker died after recording the run: the job is claimed again.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    again = run_claimed(job.pk)

    assert again.status == Job.Status.SUCCEEDED
    assert Run.objects.filter(plan_version=version).count() == 1
    assert again.result["run_id"] == job.result["run_id"]


def test_canceling_a_running_generation_marks_the_version_failed(
    network, base_scenario, monkeypatch
):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    job = version.jobs.get()
    real = runner.JobContext.progress

    def cancel_after_first_stage(self, percent, message="", *, force=False):
        if message == "aggregate done":
            Job.objects.filter(pk=self.job.pk).update(cancel_requested=True)
        return real(self, percent, message, force=force)

    monkeypatch.setattr(runner.JobContext, "progress", cancel_after_first_stage)
    finished = run_claimed(job.pk)

    version.refresh_from_db()
    assert finished.status == Job.Status.CANCELED
    assert version.state == PlanVersion.State.FAILED
    assert "canceled" in version.error
    assert set(_tables(version)) == {"aggregate"}


@pytest.mark.reference
def test_input_set_whose_skus_the_network_does_not_make_plans_but_skips_the_run(
    network, base_scenario, reference_dir
):
    from plans.services import planning_input_set_import

    input_set = planning_input_set_import(directory=reference_dir / "planning", name="reference")
    version = plan_create(
        name="families", base_scenario=base_scenario, config_version=network, input_set=input_set
    )
    job = run_planning_job(version)

    version.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert version.state == PlanVersion.State.EXECUTED
    assert job.result["simulation"].startswith("skipped: no factory")
    assert "SKU1" in job.result["simulation"]
    assert not Run.objects.exists()
