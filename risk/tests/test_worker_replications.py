"""Replication sets on real Celery worker processes over Redis.

The set's chunks are a Celery group any worker process takes; these tests check that the
numbers do not depend on how many processes ran them, and that a worker killed mid-set
loses nothing and counts nothing twice: the chunks it held are sent again (the reaper
requeues the set's job, whose next attempt sends the chunks with replications missing)
and the set completes with exactly the numbers an undisturbed run gives.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.db import transaction

from jobs.models import Job
from plans.models import PlanVersion
from plans.services import plan_create
from risk import selectors
from risk.models import ReplicationSet
from risk.services import replication_set_create
from risk.tests.conftest import SMALL
from runs.services.reproduction import run_inputs
from scenarios.models import Scenario
from scenarios.services import config_import
from scpln.engine.canonical.generator import generate_config
from scpln.engine.psi import compile_network
from scpln.engine.risk import run_replication
from tests.workers import FAST_REAPER_ENV, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis]


def _planned_version() -> PlanVersion:
    """A plan version whose planning job a worker ran (so it has its run)."""
    config, _ = config_import(document=generate_config(**SMALL), name="risk network")
    with transaction.atomic():
        scenario = Scenario.objects.create(name="risk worker test")
        version = plan_create(name="risk plan", base_scenario=scenario, config_version=config)
    wait_for(lambda: version.runs.exists(), timeout=120)
    return version


def _replicate(version: PlanVersion, *, n: int, seed: int) -> ReplicationSet:
    with transaction.atomic():
        return replication_set_create(plan_version=version, n=n, seed=seed)


def _finished(replication_set: ReplicationSet, timeout: float = 240) -> Job:
    job_id = replication_set.job_id
    assert job_id is not None
    job = wait_for(
        lambda: Job.objects.filter(pk=job_id, status__in=Job.TERMINAL).first(),
        timeout=timeout,
    )
    assert job.status == Job.Status.SUCCEEDED, job.error
    return job


def _rows(replication_set: ReplicationSet) -> list[tuple]:
    return list(
        replication_set.replications.order_by("index").values_list(
            "index", "seed", "fill_rate", "cycle_service_level", "avg_on_hand", "profit_total"
        )
    )


def _chunk_runners(log: str, replication_set: ReplicationSet) -> set[str]:
    """The pool processes that finished a chunk of the set, from a worker's log."""
    pattern = r"/(ForkPoolWorker-\d+)\] Task risk\.run_replication_chunk\[risk-replications-"
    pattern += rf"{replication_set.job_id}-\d+-\d+\] succeeded"
    return set(re.findall(pattern, log))


def _summary(replication_set: ReplicationSet) -> dict:
    fresh = selectors.replication_set_get(
        plan_version_id=replication_set.plan_version_id, set_id=replication_set.pk
    )
    summary = selectors.replication_set_summary(replication_set=fresh)
    return {"kpis": summary.kpis, "misses": summary.misses, "bands": summary.bands}


@pytest.mark.redis(db=11)
def test_the_same_seed_gives_identical_aggregates_on_one_and_on_two_processes(celery_workers):
    env = {"SCPLN_REPLICATION_CHUNK": "4"}
    one = celery_workers(name="single", concurrency=1, env=env)
    version = _planned_version()
    alone = _replicate(version, n=40, seed=2024)
    _finished(alone)
    one.kill()  # idle now: the second set must run on the two processes below only
    pair = celery_workers(name="pair", concurrency=2, env=env)
    shared = _replicate(version, n=40, seed=2024)
    _finished(shared)

    assert _rows(shared) == _rows(alone)
    assert _summary(shared) == _summary(alone)
    assert len(_rows(shared)) == 40
    # The pair's two processes both ran chunks of the second set.
    assert len(_chunk_runners(pair.output(), shared)) == 2, pair.output()[-3000:]


@pytest.mark.redis(db=10)
def test_a_worker_killed_mid_set_loses_nothing_and_counts_nothing_twice(celery_workers):
    env = {**FAST_REAPER_ENV, "SCPLN_REPLICATION_CHUNK": "10"}
    first = celery_workers(name="doomed", concurrency=2, env=env)
    version = _planned_version()
    n = 300
    replication_set = _replicate(version, n=n, seed=77)
    wait_for(lambda: replication_set.replications.count() >= 40, timeout=180, interval=0.05)
    first.kill()
    done_at_kill = replication_set.replications.count()
    assert done_at_kill < n, "the set finished before the kill; make it longer"
    rescuer = celery_workers(name="rescuer", concurrency=2, env=env, beat=True)
    job = _finished(replication_set, timeout=300)

    rows = _rows(replication_set)
    assert [r[0] for r in rows] == list(range(n))  # every index once
    if job.attempts >= 2:
        # The killed worker held chunks: the reaper took the set job up again and its later
        # attempt sent those chunks again.
        later = re.findall(rf"risk-replications-{job.pk}-([2-9])-\d+\] succeeded", rescuer.output())
        assert later, rescuer.output()[-3000:]
    else:
        # On a busy machine the kill can land when the doomed worker held no unfinished
        # chunk (both had just stored theirs): then the rescuer's first-attempt chunks alone
        # complete the set, and nothing must have been sent twice either.
        assert f"risk-replications-{job.pk}-1-" in rescuer.output(), rescuer.output()[-3000:]
    # The numbers of an undisturbed run, computed here with the engine alone.
    run = version.runs.get()
    config, plan, _receipts = run_inputs(run)
    network = compile_network(config, days=run.horizon_days)
    expected = [
        run_replication(network, seed=77, index=i, days=run.horizon_days, plan=plan).kpis[
            "fill_rate"
        ]
        for i in range(n)
    ]
    assert np.array_equal([r[2] for r in rows], expected)
    assert _summary(replication_set)["kpis"]["fill_rate"]["mean"] == pytest.approx(
        float(np.mean(expected)), rel=1e-12
    )
