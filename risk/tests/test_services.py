"""Replication sets in one process: refusals, the job's outcome, numbers against the engine."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from jobs import runner
from jobs.models import Job
from jobs.services import job_retry
from risk import selectors
from risk.models import Replication, ReplicationSet
from risk.services import replication_set_cancel, replication_set_create
from risk.services.execution import replication_chunk_run
from risk.services.optimisation import levels_optimise
from risk.tests.conftest import make_plan_version
from runs.services.reproduction import run_inputs
from scpln.engine.psi import compile_network, simulate_network
from scpln.engine.risk import replication_seed, summarise


def _fields(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.mark.parametrize("n", [0, -3])
def test_a_set_of_no_replications_is_refused(planned_version, n: int) -> None:
    with pytest.raises(ValidationError) as excinfo:
        replication_set_create(plan_version=planned_version, n=n, seed=1)
    assert "at least 1" in _fields(excinfo)["n"][0]
    assert not planned_version.replication_sets.exists()


@override_settings(SCPLN_REPLICATIONS_MAX=50)
def test_more_replications_than_the_maximum_are_refused(planned_version) -> None:
    with pytest.raises(ValidationError) as excinfo:
        replication_set_create(plan_version=planned_version, n=51, seed=1)
    assert "At most 50" in _fields(excinfo)["n"][0]
    assert replication_set_create(plan_version=planned_version, n=50, seed=1).n == 50


@pytest.mark.parametrize("seed", [-1, 2**63])
def test_a_seed_outside_64_bits_is_refused(planned_version, seed: int) -> None:
    with pytest.raises(ValidationError) as excinfo:
        replication_set_create(plan_version=planned_version, n=5, seed=seed)
    assert "seed" in _fields(excinfo)


def test_a_plan_version_without_a_run_is_refused(db) -> None:
    version = make_plan_version(simulate=False)
    with pytest.raises(ValidationError) as excinfo:
        replication_set_create(plan_version=version, n=5, seed=1)
    assert "has no run yet" in _fields(excinfo)["plan_version"][0]
    assert not Job.objects.filter(type="replications").exists()


def test_without_a_seed_one_is_drawn_and_kept(planned_version) -> None:
    a = replication_set_create(plan_version=planned_version, n=2)
    b = replication_set_create(plan_version=planned_version, n=2)
    assert a.seed != b.seed
    assert 0 <= a.seed < 2**63


@override_settings(SCPLN_REPLICATION_CHUNK=3)
def test_a_set_runs_every_replication_once_and_matches_the_engine(
    planned_version, eager_chunks
) -> None:
    replication_set = replication_set_create(plan_version=planned_version, n=7, seed=11)
    job = replication_set.job
    assert job is not None and job.type == "replications" and job.subject == planned_version

    done = runner.run(job.pk)  # its group's chunks run in this process (eager)

    assert done is not None
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert eager_chunks == [(job.pk, 0, 3), (job.pk, 3, 6), (job.pk, 6, 7)]
    assert done.result == {"replication_set_id": replication_set.pk, "n": 7, "n_done": 7}
    rows = Replication.objects.filter(replication_set=replication_set).order_by("index")
    assert [r.index for r in rows] == list(range(7))

    # Independently: the run's own inputs, simulated with each replication's seed.
    run = planned_version.runs.get()
    config, plan, _receipts = run_inputs(run)
    network = compile_network(config, days=run.horizon_days)
    fill = [
        simulate_network(
            network,
            stochastic=True,
            seed=replication_seed(11, i),
            days=run.horizon_days,
            plan=plan,
        ).kpis["fill_rate"]
        for i in range(7)
    ]
    assert [r.fill_rate for r in rows] == fill
    fresh = selectors.replication_set_get(
        plan_version_id=planned_version.pk, set_id=replication_set.pk
    )
    summary = selectors.replication_set_summary(replication_set=fresh)
    assert summary.n_done == 7 and summary.status == Job.Status.SUCCEEDED
    kpi = summary.kpis["fill_rate"]
    assert kpi["mean"] == pytest.approx(statistics.mean(fill))
    assert kpi["sd"] == pytest.approx(statistics.stdev(fill))
    assert (kpi["ci_low"], kpi["ci_high"]) == pytest.approx(
        (summarise(np.array(fill)).ci_low, summarise(np.array(fill)).ci_high)
    )
    assert set(summary.kpis) == {"fill_rate", "cycle_service_level", "avg_on_hand", "profit_total"}
    # Two stores × three SKUs, each with its store's target.
    assert len(summary.misses) == 6
    assert all(0.0 <= m["probability"] <= 1.0 and 0 < m["target"] < 1 for m in summary.misses)
    weeks = -(-run.horizon_days // 7)
    assert len(summary.bands["on_hand"]["p50"]) == weeks
    assert all(
        lo <= mid <= hi
        for lo, mid, hi in zip(
            summary.bands["sales"]["p05"],
            summary.bands["sales"]["p50"],
            summary.bands["sales"]["p95"],
            strict=True,
        )
    )


@override_settings(SCPLN_REPLICATION_CHUNK=2)
def test_a_chunk_run_twice_counts_each_replication_once(planned_version, eager_chunks) -> None:
    replication_set = replication_set_create(plan_version=planned_version, n=4, seed=3)
    assert replication_set.job is not None
    runner.run(replication_set.job.pk)
    first = {r.index: r.fill_rate for r in replication_set.replications.all()}
    # Redelivery after a lost worker: the same chunk's message runs again.
    job_id = replication_set.job.pk
    assert replication_chunk_run(job_id=job_id, start=0, stop=2) == 0
    assert replication_set.replications.count() == 4
    assert {r.index: r.fill_rate for r in replication_set.replications.all()} == first


def _running(replication_set: ReplicationSet) -> Job:
    """The set's job as its first attempt leaves it once it has sent its chunks."""
    job = replication_set.job
    assert job is not None
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1)
    return job


@override_settings(SCPLN_REPLICATION_CHUNK=2)
def test_a_requeued_set_job_sends_only_the_chunks_with_replications_missing(
    planned_version, eager_chunks
) -> None:
    job = _running(replication_set_create(plan_version=planned_version, n=6, seed=5))
    replication_set = ReplicationSet.objects.get(job=job)
    # The first attempt's chunk 2–3 landed before its worker was lost, the rest did not.
    assert replication_chunk_run(job_id=job.pk, start=2, stop=4) == 2
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)  # the reaper's requeue

    done = runner.run(job.pk)

    assert done is not None
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert eager_chunks == [(job.pk, 0, 2), (job.pk, 4, 6)]
    assert sorted(replication_set.replications.values_list("index", flat=True)) == list(range(6))


@override_settings(SCPLN_REPLICATION_CHUNK=2)
def test_a_chunk_of_a_canceled_set_runs_nothing(planned_version, eager_chunks) -> None:
    replication_set = replication_set_create(plan_version=planned_version, n=4, seed=3)
    job = _running(replication_set)
    replication_set_cancel(replication_set=replication_set)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELED
    assert replication_chunk_run(job_id=job.pk, start=0, stop=2) == 0  # a message not revoked
    assert replication_set.replications.count() == 0


def test_cancel_stops_a_queued_set_and_its_chunks(planned_version) -> None:
    replication_set = replication_set_create(plan_version=planned_version, n=4, seed=3)
    canceled = replication_set_cancel(replication_set=replication_set)
    assert canceled.job is not None and canceled.job.status == Job.Status.CANCELED
    assert runner.run(canceled.job.pk) is None  # a canceled job never starts
    assert replication_set.replications.count() == 0
    with pytest.raises(ValidationError) as excinfo:
        replication_set_cancel(replication_set=canceled)
    assert "status" in _fields(excinfo)


@override_settings(SCPLN_REPLICATION_CHUNK=2)
def test_a_canceled_set_retried_completes_under_its_new_job(planned_version, eager_chunks) -> None:
    replication_set = replication_set_create(plan_version=planned_version, n=4, seed=3)
    canceled = replication_set_cancel(replication_set=replication_set).job
    assert canceled is not None
    retried = job_retry(job=canceled)

    done = runner.run(retried.pk)

    assert done is not None
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert [args[0] for args in eager_chunks] == [retried.pk, retried.pk]
    replication_set.refresh_from_db()
    assert replication_set.job_id == retried.pk and replication_set.replications.count() == 4


def test_levels_optimise_reports_levels_that_reach_the_targets(planned_version) -> None:
    report = levels_optimise(plan_version=planned_version, n=10, seed=4)
    stores = [row for row in report.rows if row[2] == "store"]
    warehouses = [row for row in report.rows if row[2] == "warehouse"]
    assert len(stores) == 6 and len(warehouses) == 3  # 2 stores × 3 SKUs; their DC's 3
    assert report.reached
    for _node, _item, _kind, target, guess, level, up_to, _before, after in stores:
        assert up_to >= level >= guess > 0
        assert after > 0.5 * target  # refined on the mean + CI; checked exactly in the engine
    assert set(report.kpis_before) == {
        "fill_rate",
        "cycle_service_level",
        "avg_on_hand",
        "profit_total",
        "holding_cost",
        "shortage_cost",
        "holding_shortage_cost",
    }


@pytest.mark.parametrize(("n", "seed", "field"), [(1, 1, "n"), (5, -1, "seed")])
def test_levels_optimise_refuses_bad_input(planned_version, n: int, seed: int, field: str):
    with pytest.raises(ValidationError) as excinfo:
        levels_optimise(plan_version=planned_version, n=n, seed=seed)
    assert field in _fields(excinfo)
