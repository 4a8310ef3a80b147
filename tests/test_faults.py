"""Fault tests with real processes: SIGKILLed workers, a restarted Redis, two busy workers.

Every test runs real ``celery worker`` processes against the test database
and the local Redis (databases 12–14; 15 belongs to
tests/test_worker_cross_process.py). Planning jobs go through
``tests.fault_handlers``: ``slow_planning`` spends a few seconds reporting
progress (so a kill surely lands while the job runs) and then calls the
planning handler registered in the job registry (the real plan generation).
Each kill must end the job exactly once (one terminal transition, counted
once in ``jobs_finished_total``), with one plan version and one run. The run
and the job's success commit in one transaction (``JobContext.finishing``),
so there is no moment at which a run is recorded and its job still running.
"""

from __future__ import annotations

import contextlib
import subprocess
import time

import pytest
from django.db import transaction

from core import metrics
from jobs import services
from jobs.models import Job
from plans.models import PlanVersion
from runs.models import Run
from tests.workers import (
    FAST_REAPER_ENV,
    REDIS_HOST,
    REDIS_PORT,
    kill_process,
    wait_for,
)

pytestmark = [pytest.mark.worker, pytest.mark.redis]

SLOW_PLANNING = {"planning": "tests.fault_handlers.slow_planning"}


def _sample(name: str, **labels: str) -> float:
    return metrics.registry().get_sample_value(name, labels) or 0.0


def _plan_versions(count: int) -> list[PlanVersion]:
    """``count`` plan versions of real plans, each with its queued planning job."""
    from plans.services import plan_create
    from scenarios.models import Scenario
    from scenarios.services import config_import
    from scpln.engine.canonical.generator import generate_config

    document = generate_config(skus=4, stores=2, dcs=1, factories=1, materials=2, days=56, seed=7)
    config, _ = config_import(document=document, name="fault-test network")
    versions = []
    for n in range(count):
        with transaction.atomic():
            scenario = Scenario.objects.create(name=f"fault-{n}", demand_scale=1 + n / 100)
            versions.append(
                plan_create(name=f"fault plan {n}", base_scenario=scenario, config_version=config)
            )
    return versions


def _job(version: PlanVersion) -> Job:
    return Job.objects.about(version).get(type="planning")


def _terminal(job: Job) -> Job | None:
    return Job.objects.filter(pk=job.pk, status__in=Job.TERMINAL).first()


def _assert_one_outcome(version: PlanVersion, job: Job) -> None:
    """The plan has one version and, if the job succeeded, exactly one run of it."""
    assert PlanVersion.objects.filter(plan_id=version.plan_id).count() == 1
    runs = Run.objects.filter(plan_version=version)
    if job.status == Job.Status.SUCCEEDED and "skipped" not in str(job.result.get("simulation")):
        assert runs.count() == 1, list(runs.values("run_id", "job_id"))
        assert runs.get().job_id == job.pk
    else:
        assert runs.count() <= 1


@pytest.mark.redis(db=12)
@pytest.mark.parametrize(
    "victim",
    ["whole worker", "pool process"],
)
def test_killed_worker_mid_planning_job_ends_it_exactly_once(celery_workers, victim):
    env = {**FAST_REAPER_ENV, "SCPLN_TEST_SLOW_S": "4"}
    handlers = SLOW_PLANNING
    finished_before = _sample("jobs_finished_total", type="planning", status="succeeded")
    requeued_before = _sample("jobs_requeued_total", type="planning", reason="worker_lost")
    # With a pool-process kill the main process survives and embeds the
    # reaper; after a whole-worker kill a second worker takes over.
    first = celery_workers(name="doomed", handlers=handlers, env=env, beat=victim == "pool process")
    (version,) = _plan_versions(1)
    job = _job(version)
    running = wait_for(
        lambda: Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, progress__gte=10).first(),
        timeout=60,
    )
    if victim == "pool process":
        # The pool process that runs the job, as an out-of-memory kill would
        # pick it; the main process replaces it and redelivers the message.
        kill_process(int(running.worker.rsplit(":", 1)[1]))
    else:
        first.kill()
        celery_workers(name="rescuer", handlers=handlers, env=env, beat=True)

    done = wait_for(lambda: _terminal(job), timeout=90)
    time.sleep(2)  # a second, late outcome would land now
    done.refresh_from_db()
    assert done.status == Job.Status.SUCCEEDED, done.error
    assert done.attempts == 2
    _assert_one_outcome(version, done)
    assert _sample("jobs_finished_total", type="planning", status="succeeded") == (
        finished_before + 1
    )
    assert _sample("jobs_requeued_total", type="planning", reason="worker_lost") == (
        requeued_before + 1
    )


@pytest.mark.redis(db=13)
def test_eight_concurrent_planning_jobs_on_two_workers_all_succeed(celery_workers):
    env = {"SCPLN_TEST_SLOW_S": "1"}
    workers = [
        celery_workers(name=name, handlers=SLOW_PLANNING, env=env, concurrency=2)
        for name in ("left", "right")
    ]
    versions = _plan_versions(8)
    jobs = [_job(version) for version in versions]
    wait_for(
        lambda: (
            Job.objects.filter(pk__in=[j.pk for j in jobs], status__in=Job.TERMINAL).count()
            == len(jobs)
        ),
        timeout=180,
    )
    for version, job in zip(versions, jobs, strict=True):
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.error
        assert job.attempts == 1
        _assert_one_outcome(version, job)
    logs = [worker.output() for worker in workers]
    assert all("succeeded in" in log for log in logs), "one worker did nothing"
    assert not any("database is locked" in log for log in logs)


def _redis_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["redis-cli", "-h", REDIS_HOST, "-p", str(REDIS_PORT), *args],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )


def _redis_up() -> bool:
    return _redis_cli("ping").stdout.strip() == "PONG"


def _start_redis() -> None:
    # The documented command (docs/operations.md, .ci/run).
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ],
        check=True,
        timeout=30,
    )
    wait_for(_redis_up, timeout=30)


@contextlib.contextmanager
def _redis_always_back():
    """Whatever happens inside, Redis is running again afterwards."""
    try:
        yield
    finally:
        if not _redis_up():
            _start_redis()


def _backup_job(tmp_path) -> Job:
    with transaction.atomic():
        return services.job_create(job_type="backup", params={"directory": str(tmp_path / "bk")})


@pytest.mark.redis(db=14)
def test_worker_reconnects_after_redis_restarts_and_runs_the_next_job(celery_workers, tmp_path):
    worker = celery_workers(name="survivor")
    first = _backup_job(tmp_path)
    warm = wait_for(lambda: _terminal(first), timeout=60)
    assert warm.status == Job.Status.SUCCEEDED, warm.error

    with _redis_always_back():
        _redis_cli("shutdown", "nosave")
        wait_for(lambda: not _redis_up(), timeout=15)
        time.sleep(1)  # the idle worker notices the lost connection
        _start_redis()
        # This process (the web side) sends on its pooled connection, which
        # died with Redis: kombu's publish retry must reconnect by itself.
        job = _backup_job(tmp_path)
        done = wait_for(lambda: _terminal(job), timeout=90)

    assert done.status == Job.Status.SUCCEEDED, done.error
    assert worker.process.poll() is None, "the worker exited instead of reconnecting"
    assert "Connection to broker lost" in worker.output()
    assert f"Task jobs.run_job[{done.celery_task_id}] succeeded" in worker.output()
