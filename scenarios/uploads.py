"""Large config imports and diffs run as jobs, never inside a request.

Importing a config means parsing, validating, hashing and storing it; a diff
loads and compares two. For a network of a few thousand rows that takes
milliseconds; for a large one it took tens of seconds and a gigabyte, in a
web process, while ``/healthz`` waited behind it. Above
``SCPLN_CONFIG_INLINE_BYTES`` (scenarios/limits.py) the UI and the API
therefore answer with a job (202): the upload is kept as it came
(:class:`ConfigUpload`) for a ``config_import`` job, and a ``config_diff``
job (whose subject is the "from" config) stores the diff in its result,
where the next request for the same diff finds it (configs never change).
The job types are registered in scenarios/handlers.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast, Length

from jobs.models import Job
from jobs.runner import JobContext
from jobs.services import job_create
from scenarios import selectors
from scenarios.limits import runs_inline
from scenarios.models import ConfigUpload, ConfigVersion
from scenarios.services import config_import

CONFIG_IMPORT = "config_import"
CONFIG_DIFF = "config_diff"
# A diff job keeps this many rows per entity kind and change type (counts stay exact).
DIFF_JOB_ROWS = 1000


# --- Imports ------------------------------------------------------------------------


@transaction.atomic
def config_import_enqueue(
    *,
    data: bytes,
    name: str = "",
    description: str = "",
    source_filename: str = "",
    user: User | None = None,
) -> Job:
    """Keep an uploaded config as it is and queue the job that imports it."""
    upload = ConfigUpload.objects.create(
        data=data,
        name=name[:200],
        description=description,
        source_filename=source_filename[:255],
        created_by=user,
    )
    return job_create(
        job_type=CONFIG_IMPORT,
        params={"upload_id": upload.pk, "bytes": len(data), "source_filename": source_filename},
        user=user,
    )


def config_import_job(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler: import a kept upload through ``config_import``, then forget the upload.

    The import itself is outside ``finishing()``: it is idempotent (an
    attempt that died after storing the config finds it by its content hash)
    and validating a large network must not hold a write transaction. A
    refused document fails the job with every problem (the upload is deleted:
    the same bytes would be refused again).
    """
    upload = ConfigUpload.objects.filter(pk=job.params.get("upload_id")).first()
    if upload is None:
        raise ValidationError({"file": "The uploaded file is no longer kept; upload it again."})
    ctx.progress(10, "validating", force=True)
    try:
        config, created = config_import(
            document=bytes(upload.data),
            name=upload.name,
            description=upload.description,
            source_filename=upload.source_filename,
            user=job.created_by,
        )
    except ValidationError:
        upload.delete()
        raise
    with ctx.finishing() as result:
        upload.delete()
        result.update(config_version_id=config.pk, created=created)
    return result


# --- Diffs --------------------------------------------------------------------------


def config_document_bytes(*, config_ids: list[int]) -> dict[int, int]:
    """The stored size of each config's document (its JSON text), without loading it here."""
    rows = ConfigVersion.objects.filter(pk__in=config_ids).annotate(
        size=Length(Cast("document", output_field=TextField()))
    )
    return dict(rows.values_list("pk", "size"))


def config_diff_or_job(
    *, from_id: int, to_id: int, limit: int, user: User | None = None
) -> tuple[dict[str, Any] | None, Job | None]:
    """The diff of two config versions now, or the job that computes it.

    Returns ``(diff, None)`` when both documents are small enough to compare
    inside the request; ``(diff, job)`` when a finished job already has it;
    ``(None, job)`` with the queued or running job otherwise (one per pair
    and limit at a time). Unknown ids raise as ``selectors.config_diff`` does.
    """
    sizes = config_document_bytes(config_ids=[from_id, to_id])
    if from_id not in sizes:
        raise ConfigVersion.DoesNotExist
    if to_id not in sizes:
        raise ValidationError({"to": [f"No config version {to_id}."]})
    if all(runs_inline(size) for size in sizes.values()):
        return selectors.config_diff(from_id=from_id, to_id=to_id, limit=limit), None
    config = ConfigVersion(pk=from_id)
    earlier = (
        Job.objects.about(config)
        .filter(type=CONFIG_DIFF, params__to=to_id, params__limit=limit)
        .exclude(status__in=(Job.Status.FAILED, Job.Status.CANCELED))
        .order_by("-created_at", "-id")
        .first()
    )
    if earlier is not None:
        return (earlier.result if earlier.status == Job.Status.SUCCEEDED else None), earlier
    with transaction.atomic():
        job = job_create(
            job_type=CONFIG_DIFF,
            params={"to": to_id, "limit": limit},
            subject=config,
            user=user,
            dedupe_key=f"{CONFIG_DIFF}:{from_id}:{to_id}:{limit}",
        )
    return None, job


def diff_kept(diff: dict[str, Any], rows: int = DIFF_JOB_ROWS) -> dict[str, Any]:
    """A diff with at most ``rows`` rows per entity kind and change type, and exact counts."""
    entities = []
    for entity in diff["entities"]:
        counts = {kind: len(entity[kind]) for kind in ("added", "removed", "changed")}
        entities.append(
            {
                **entity,
                **{kind: entity[kind][:rows] for kind in counts},
                "counts": counts,
            }
        )
    return {**diff, "entities": entities}


def config_diff_job(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler: compare the subject config with ``params["to"]`` and keep the diff."""
    ctx.progress(10, "comparing", force=True)
    diff = selectors.config_diff(
        from_id=int(job.subject_id), to_id=int(job.params["to"]), limit=int(job.params["limit"])
    )
    with ctx.finishing() as result:
        result.update(diff_kept(diff))
    return result
