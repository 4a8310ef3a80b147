"""The job that runs a replication set: its chunks fanned out as one Celery ``group``.

The set's job (type ``replications``, about the plan version) is the unit an operator
sees: its status, progress (replications done / n) and outcome. Its handler sends the
chunks still to do as a Celery ``group`` of ``risk.run_replication_chunk`` tasks
(``chunk_size`` replications each, acks late, requeued when the process running one is
lost) and hands the attempt off (:class:`jobs.runner.JobHandedOff`): no worker slot is
held while the chunks run, so a set runs on every process there is and a single-process
worker cannot deadlock on it.

Each chunk beats the set job's heartbeat while it runs, stops at its start and between
replications once the job is canceled, writes its replications in one
``bulk_create`` under the unique ``(set, index)`` constraint (skipping indices already
in), then reports progress. The chunk that finds all ``n`` in finalises: the quantile
bands and the job's success in one transaction, conditional on the job still running
its attempt, so two chunks landing together finalise once.

Why not a ``chord``: its callback fires when a counter in the result backend reaches
the number of header tasks, and a header task run twice (redelivered after its worker
was lost) counts twice, so the callback can fire while a chunk is missing; it also
needs a result backend that the embedded filesystem broker does not have. The "last
chunk finalises" check reads the stored rows instead, which a redelivery cannot
inflate. A chunk message lost with its worker (a killed host leaves Redis's copy
unacknowledged until the visibility timeout) stops the heartbeat once the other chunks
are done; the reaper then requeues the set's job, whose next attempt sends only the
chunks with replications missing. Replication ``i`` depends only on the set's seed and
``i``, so the numbers are the same however the chunks were delivered.
"""

from __future__ import annotations

import functools
import time
import traceback
from typing import Any

import numpy as np
from celery import current_app, group
from django.conf import settings
from django.db import InterfaceError, OperationalError

from jobs import transitions
from jobs.models import Job
from jobs.runner import (
    ERROR_MAX_CHARS,
    JobCanceled,
    JobContext,
    JobHandedOff,
    JobLost,
    time_limits,
)
from risk.models import Replication, ReplicationSet

# A run's inputs as they were recorded: what a re-run reads, and so what a set replicates.
from runs.models import Run
from runs.services.reproduction import run_inputs
from scpln.engine.psi import Network, PlanSchedule, compile_network
from scpln.engine.risk import SERIES_NAMES, customer_targets, quantile_bands, run_replication

REPLICATIONS = "replications"
CHUNK_TASK = "risk.run_replication_chunk"


class ReplicationSetFailed(Exception):
    """The set cannot complete (the run it replicates is gone)."""


def chunk_ranges(n: int, size: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of each chunk of a set of ``n`` replications."""
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def chunk_task_id(job_id: int, attempt: int, start: int) -> str:
    """The Celery task id of a chunk, known without a result backend (to revoke it)."""
    return f"risk-replications-{job_id}-{attempt}-{start}"


def replication_set_run(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """The set job's handler: send the chunks still to do as a group, then hand off."""
    replication_set = ReplicationSet.objects.select_related("run").get(
        pk=job.params["replication_set_id"]
    )
    if replication_set.job_id != job.pk:  # a retry (jobs.job_retry): the set follows it now
        ReplicationSet.objects.filter(pk=replication_set.pk).update(job=job)
    if not replication_set.targets:
        network, _plan, _days = _inputs(replication_set.run)
        labels, targets = customer_targets(network)
        rows = [[node, item, float(t)] for (node, item), t in zip(labels, targets, strict=True)]
        ReplicationSet.objects.filter(pk=replication_set.pk).update(targets=rows)
    stored = set(replication_set.replications.values_list("index", flat=True))
    todo = [
        (start, stop)
        for start, stop in chunk_ranges(replication_set.n, replication_set.chunk_size)
        if any(i not in stored for i in range(start, stop))
    ]
    if not todo:  # a requeued attempt finds every replication in
        return _finalise(job_id=job.pk, replication_set=replication_set) or {}
    ctx.progress(100 * len(stored) / replication_set.n, f"{len(stored)} / {replication_set.n}")
    soft, hard = time_limits(REPLICATIONS)  # no chunk may outlast its whole set
    group(
        current_app.signature(
            CHUNK_TASK,
            args=(job.pk, start, stop),
            task_id=chunk_task_id(job.pk, ctx.attempt, start),
            soft_time_limit=soft,
            time_limit=hard,
        )
        for start, stop in todo
    ).apply_async()
    raise JobHandedOff


def replication_chunk_run(*, job_id: int, start: int, stop: int) -> int:
    """One chunk: run replications ``start … stop − 1`` not yet stored; returns how many.

    Errors other than a database briefly away (which Celery retries) fail the set's
    job with the traceback, since a replication that fails once fails every time.
    """
    beat = _SetBeat(job_id)
    if not beat.alive():
        return 0
    try:
        # By the job's params, not the set's job link: a retried job (jobs.job_retry) is a
        # new job for the same set.
        set_id = Job.objects.values_list("params", flat=True).get(pk=job_id)["replication_set_id"]
        replication_set = ReplicationSet.objects.select_related("run").get(pk=set_id)
        stored = set(
            replication_set.replications.filter(index__gte=start, index__lt=stop).values_list(
                "index", flat=True
            )
        )
        todo = [i for i in range(start, stop) if i not in stored]
        rows = []
        if todo:
            network, plan, days = _inputs(replication_set.run)
        for index in todo:
            if not beat.alive():
                return 0
            rep = run_replication(
                network, seed=replication_set.seed, index=index, days=days, plan=plan
            )
            rows.append(
                Replication(
                    replication_set=replication_set,
                    index=index,
                    seed=rep.seed,
                    service=rep.service.astype(np.float64).tobytes(),
                    series=np.stack([rep.series[s] for s in SERIES_NAMES]).tobytes(),
                    **rep.kpis,
                )
            )
        Replication.objects.bulk_create(rows, ignore_conflicts=True)
        _progress_or_finalise(job_id=job_id, replication_set=replication_set)
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        beat.fail(exc)
        raise
    return len(rows)


class _SetBeat:
    """The set job's heartbeat and cancellation point, at most one query an interval."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.interval = settings.SCPLN_JOB_HEARTBEAT_INTERVAL
        self.last = float("-inf")
        self.attempt = 0

    def alive(self) -> bool:
        """False once the set's job ended or a cancel was asked for (then it ends it)."""
        now = time.monotonic()
        if now - self.last < self.interval:
            return True
        self.last = now
        state = transitions.attempt_state(self.job_id)
        if state is None or state[0] in Job.TERMINAL:
            return False
        status, self.attempt, cancel_requested = state
        if status != Job.Status.RUNNING:  # requeued by the reaper: its next attempt sends
            return True  # the chunks again, and this one's rows count for it
        if cancel_requested:
            transitions.finish(Job(pk=self.job_id), self.attempt, Job.Status.CANCELED)
            return False
        transitions.heartbeat(self.job_id, self.attempt)
        return True

    def fail(self, exc: BaseException) -> None:
        """The set's job fails with the chunk's traceback."""
        state = transitions.attempt_state(self.job_id)
        if state is not None and state[0] == Job.Status.RUNNING:
            error = "".join(traceback.format_exception(exc))[-ERROR_MAX_CHARS:]
            transitions.finish(Job(pk=self.job_id), state[1], Job.Status.FAILED, error=error)


def _progress_or_finalise(*, job_id: int, replication_set: ReplicationSet) -> None:
    done = replication_set.replications.count()
    state = transitions.attempt_state(job_id)
    if state is None or state[0] != Job.Status.RUNNING:
        return
    if done < replication_set.n:
        percent = int(100 * done / replication_set.n)
        message = f"{done} / {replication_set.n}"
        transitions.report_progress(Job(pk=job_id), state[1], percent=percent, message=message)
        return
    _finalise(job_id=job_id, replication_set=replication_set)


def _finalise(*, job_id: int, replication_set: ReplicationSet) -> dict[str, Any] | None:
    """Bands and the job's success in one transaction, once; None if another got there."""
    ctx = JobContext(Job.objects.get(pk=job_id))
    try:
        with ctx.finishing() as result:
            bands = _bands(replication_set)
            ReplicationSet.objects.filter(pk=replication_set.pk).update(bands=bands)
            result.update({"replication_set_id": replication_set.pk, "n": replication_set.n})
            result["n_done"] = replication_set.replications.count()
    except JobLost:  # finalised by another chunk, or the attempt was taken up again
        return None
    except JobCanceled:
        transitions.finish(ctx.job, ctx.attempt, Job.Status.CANCELED)
        return None
    return result


def _inputs(run: Run | None) -> tuple[Network, PlanSchedule | None, int | None]:
    """The network, plan and days of the run the set replicates."""
    if run is None:
        raise ReplicationSetFailed("the run this set replicates was deleted")
    return _compiled(run, (run.pk, run.started_at, run.input_hash))


@functools.lru_cache(maxsize=2)
def _compiled(run: Run, _key: tuple) -> tuple[Network, PlanSchedule | None, int | None]:
    # A worker process compiles a run's network once for all the chunks it takes; the
    # key tells a run from another that reused its pk (a test database rolled back).
    config, plan, _receipts = run_inputs(run)
    days = run.horizon_days
    return compile_network(config, days=days), plan, days


def _bands(replication_set: ReplicationSet) -> dict[str, Any]:
    """Weekly p05/p50/p95 of each series over the set's replications."""
    blobs = list(replication_set.replications.values_list("series", flat=True))
    if not blobs:
        return {}
    arrays = [np.frombuffer(bytes(b), np.float64).reshape(len(SERIES_NAMES), -1) for b in blobs]
    stacked = np.stack(arrays)  # replications × series × weeks
    out: dict[str, Any] = {}
    for s, name in enumerate(SERIES_NAMES):
        bands = quantile_bands(stacked[:, s, :])
        out[name] = {"p05": bands.p05, "p50": bands.p50, "p95": bands.p95}
    return out
