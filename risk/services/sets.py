"""Creating and canceling replication sets."""

from __future__ import annotations

import secrets
from typing import TypeVar

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from jobs import transitions
from jobs.models import Job
from jobs.services import job_cancel, job_create
from plans.models import PlanVersion
from risk.models import SEED_LIMIT, LevelOptimisation, ReplicationSet
from risk.services.execution import REPLICATIONS, chunk_ranges, chunk_task_id
from runs.models import Run

ReplicationSetT = TypeVar("ReplicationSetT", ReplicationSet, LevelOptimisation)


def replication_set_validate(*, plan_version: PlanVersion, n: int, seed: int | None) -> Run:
    """Refuse what cannot run, keyed by field; returns the run to replicate.

    ``n`` must be 1 … ``SCPLN_REPLICATIONS_MAX``; ``seed`` 0 … 2⁶³ − 1; the plan
    version must have a run (its planning job simulated it), whose inputs the set
    replicates.
    """
    errors: dict[str, str] = {}
    limit = settings.SCPLN_REPLICATIONS_MAX
    if n <= 0:
        errors["n"] = _("The number of replications must be at least 1.")
    elif n > limit:
        errors["n"] = _(
            "At most %(max)s replications a set (SCPLN_REPLICATIONS_MAX); %(n)s were asked for."
        ) % {"max": limit, "n": n}
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        errors["seed"] = _("The seed must be a whole number from 0 to 2⁶³ − 1.")
    run = Run.objects.filter(plan_version=plan_version).order_by("-started_at").first()
    if run is None:
        errors["plan_version"] = _(
            "Plan version %(id)s has no run yet: replications repeat the run its planning "
            "job simulated. Wait for the planning job, or execute the plan again."
        ) % {"id": plan_version.pk}
    if errors:
        raise ValidationError(errors)
    assert run is not None
    return run


@transaction.atomic
def replication_set_create(
    *, plan_version: PlanVersion, n: int, seed: int | None = None, user: User | None = None
) -> ReplicationSet:
    """Create a set of ``n`` replications of the plan version's latest run and queue its job.

    Without a ``seed`` a random one is drawn and stored, so the set can be repeated.
    The job (type ``replications``, about the plan version) is sent once this
    transaction commits.
    """
    run = replication_set_validate(plan_version=plan_version, n=n, seed=seed)
    replication_set = ReplicationSet.objects.create(
        plan_version=plan_version,
        run=run,
        n=n,
        seed=seed_or_random(seed),
        chunk_size=settings.SCPLN_REPLICATION_CHUNK,
        created_by=user,
    )
    return with_job(
        replication_set, REPLICATIONS, "replication_set_id", subject=plan_version, user=user
    )


def seed_or_random(seed: int | None) -> int:
    """The seed given, or a random one: stored with the set or optimisation, so that it
    can be repeated."""
    return secrets.randbits(63) if seed is None else seed


def with_job(
    made: ReplicationSetT, job_type: str, param: str, *, subject: Model, user: User | None
) -> ReplicationSetT:
    """Give a set or an optimisation its job (queued once the transaction commits), whose
    one parameter ``param`` is the row's id: what the job's handler loads."""
    made.job = job_create(job_type=job_type, params={param: made.pk}, subject=subject, user=user)
    made.save(update_fields=["job"])
    return made


def replication_set_cancel(*, replication_set: ReplicationSet) -> ReplicationSet:
    """Stop a set: its job ends canceled now, and no chunk runs another replication.

    Chunks still queued are revoked where the broker broadcasts (Redis); either way each
    chunk checks the job at its start and between replications, so one running stops
    after the replication in hand. Replications already in are kept.
    """
    job = replication_set.job
    if job is None or job.status not in Job.ACTIVE:
        raise ValidationError({"status": _("This replication set is not running.")})
    job = job_cancel(job=job)
    if job.status == Job.Status.RUNNING:
        # Handed off to its chunks: no handler is left to reach a cancellation point.
        transitions.finish(job, job.attempts, Job.Status.CANCELED)
    _revoke_chunks(replication_set, attempts=job.attempts)
    replication_set.refresh_from_db()
    return replication_set


def _revoke_chunks(replication_set: ReplicationSet, *, attempts: int) -> None:
    """Tell the workers to drop the set's queued chunk messages (best effort)."""
    app = current_app
    if app.conf.task_always_eager or replication_set.job_id is None:
        return
    with app.connection_for_write() as connection:
        if "fanout" not in connection.transport.implements.exchange_type:
            return  # the embedded filesystem broker cannot broadcast; chunks check the job
        ids = [
            chunk_task_id(replication_set.job_id, attempt, start)
            for attempt in range(1, attempts + 1)
            for start, _stop in chunk_ranges(replication_set.n, replication_set.chunk_size)
        ]
        app.control.revoke(ids, connection=connection)
