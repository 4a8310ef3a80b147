"""The jobs that run a replication set: one coordinator, its chunks fanned out to workers.

The coordinator (job type ``replications``, about the plan version) creates one job of
type ``replication_chunk`` per ``chunk_size`` replications; each is an ordinary job,
sent to the broker by :func:`jobs.services.job_create`, so any worker on any machine
takes it, and the job system's at-least-once delivery and reaper cover a lost worker.
While chunks are queued the coordinator runs them too, through the same runner — a
chunk is claimed by exactly one process (a conditional UPDATE), so it never waits idle
holding a worker slot and a set runs on every slot there is. It finishes when every
chunk has: then it stores the quantile bands with the job's success.

A chunk writes each replication as it finishes, under the unique ``(set, index)``
constraint and skipping indices already in, so a chunk run twice (its worker lost, the
job requeued) counts every replication once; the numbers are the same either way,
because replication ``i`` depends only on the set's seed and ``i``.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from jobs import runner
from jobs.models import Job
from jobs.runner import JobCanceled, JobContext
from jobs.services import job_cancel, job_create
from risk.models import Replication, ReplicationSet

# A run's inputs as they were recorded: what a re-run reads, and so what a set replicates.
from runs.services.reproduction import run_inputs
from scpln.engine.psi import Network, PlanSchedule, compile_network
from scpln.engine.risk import SERIES_NAMES, customer_targets, quantile_bands, run_replication

REPLICATIONS = "replications"
CHUNK = "replication_chunk"
POLL_S = 0.5  # how often the coordinator looks at chunks running elsewhere


class ReplicationSetFailed(Exception):
    """A chunk failed for good; the set cannot complete."""


def chunk_jobs(replication_set: ReplicationSet) -> QuerySet[Job]:
    """The chunk jobs of a set, first chunk first."""
    return Job.objects.about(replication_set).filter(type=CHUNK).order_by("pk")


def replication_set_run(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """The coordinator's handler: fan out the chunks, help run them, then store the bands."""
    replication_set = ReplicationSet.objects.get(pk=job.params["replication_set_id"])
    if not replication_set.targets:
        network, _plan, _days = _inputs(replication_set)
        labels, targets = customer_targets(network)
        rows = [[node, item, float(t)] for (node, item), t in zip(labels, targets, strict=True)]
        ReplicationSet.objects.filter(pk=replication_set.pk).update(targets=rows)
        replication_set.targets = rows
    chunks = chunk_jobs(replication_set)
    if not chunks.exists():  # a requeued attempt finds them made
        with transaction.atomic():
            for start in range(0, replication_set.n, replication_set.chunk_size):
                stop = min(start + replication_set.chunk_size, replication_set.n)
                job_create(
                    job_type=CHUNK,
                    params={"replication_set_id": replication_set.pk, "start": start, "stop": stop},
                    subject=replication_set,
                    user=job.created_by,
                )
    try:
        _drive(replication_set, chunks, ctx)
    except JobCanceled:
        for chunk in chunks.filter(status__in=Job.ACTIVE):
            with contextlib.suppress(ValidationError):  # it finished in the meantime
                job_cancel(job=chunk)
        raise
    done = replication_set.replications.count()
    with ctx.finishing() as result:
        ReplicationSet.objects.filter(pk=replication_set.pk).update(bands=_bands(replication_set))
        result.update({"replication_set_id": replication_set.pk, "n": replication_set.n})
        result["n_done"] = done
    return result


def _drive(replication_set: ReplicationSet, chunks: QuerySet[Job], ctx: JobContext) -> None:
    """Run queued chunks here until none is left, then wait for those running elsewhere."""
    while True:
        done = replication_set.replications.count()
        ctx.progress(100 * done / replication_set.n, f"{done} / {replication_set.n}")
        ctx.check()
        # Workers receive the chunks' messages first chunk first; taking the last queued
        # one here keeps the two ends apart, so neither waits on a chunk the other claimed.
        queued = chunks.filter(status=Job.Status.QUEUED).last()
        if queued is not None:
            runner.run(queued.pk)  # claimed here, or by a worker first: then a no-op
            continue
        if chunks.filter(status__in=Job.ACTIVE).exists():
            time.sleep(POLL_S)
            continue
        failed = chunks.exclude(status=Job.Status.SUCCEEDED).first()
        if failed is not None:
            raise ReplicationSetFailed(
                f"chunk job #{failed.pk} ended {failed.status}: {failed.error or '-'}"
            )
        return


def replication_chunk_run(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """A chunk's handler: run replications ``start … stop − 1`` not yet stored."""
    replication_set = ReplicationSet.objects.select_related("job").get(
        pk=job.params["replication_set_id"]
    )
    start, stop = int(job.params["start"]), int(job.params["stop"])
    stored = set(
        replication_set.replications.filter(index__gte=start, index__lt=stop).values_list(
            "index", flat=True
        )
    )
    todo = [i for i in range(start, stop) if i not in stored]
    if todo:
        network, plan, days = _inputs(replication_set)
    for count, index in enumerate(todo, 1):
        _stop_if_set_canceled(replication_set)
        rep = run_replication(network, seed=replication_set.seed, index=index, days=days, plan=plan)
        Replication.objects.bulk_create(
            [
                Replication(
                    replication_set=replication_set,
                    index=index,
                    seed=rep.seed,
                    service=rep.service.astype(np.float64).tobytes(),
                    series=np.stack([rep.series[s] for s in SERIES_NAMES]).tobytes(),
                    **rep.kpis,
                )
            ],
            ignore_conflicts=True,
        )
        ctx.progress(100 * count / len(todo), f"{count} / {len(todo)}")
    return {"replication_set_id": replication_set.pk, "ran": len(todo)}


def _stop_if_set_canceled(replication_set: ReplicationSet) -> None:
    """A chunk stops when its set's job was asked to stop (or ended), not only its own."""
    if replication_set.job_id is None:  # the set's job was deleted: nothing coordinates it
        raise JobCanceled
    row = Job.objects.filter(pk=replication_set.job_id).values("status", "cancel_requested").first()
    if row is None or row["cancel_requested"] or row["status"] == Job.Status.CANCELED:
        raise JobCanceled


def _inputs(replication_set: ReplicationSet) -> tuple[Network, PlanSchedule | None, int | None]:
    """The network, plan and days of the run the set replicates."""
    run = replication_set.run
    if run is None:
        raise ReplicationSetFailed("the run this set replicates was deleted")
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
