"""Archiving runs, and the retention job that archives before it prunes.

An export is one folder under the archive directory::

    runs-20260101T021500Z-250/
        runs.jsonl                 one JSON object per run: every Run column
                                   (run_id, plan_version_id, scenario_id,
                                   config_version_id, job_id, KPIs, summary,
                                   ...), plus plan and scenario names and the
                                   files of its result ("missing": why a
                                   table is not there, e.g. a cost trace
                                   that could not be rebuilt)
        results/<run_id>/psi.parquet   (pl, trace; or .csv with --format csv)
        MANIFEST.json              when, how many, which format

It is written under a hidden ``.partial`` name and renamed when complete, so
a folder with its final name is always whole. Only then are the runs recorded
as archived (:class:`runs.models.ExportedRun`): an export that dies halfway
is simply done again, so a run may be archived twice but never lost.

When ``SCPLN_ARCHIVE_DIR`` is set, retention (``RUNS_DB_MAX_ROWS``) deletes
only archived runs: the RunRegistry's prune asks :func:`run_ids_prunable`.
The retention job (beat, ``SCPLN_RETENTION_CRON``) archives what is not yet
archived and then prunes, so the cap is reached again after each pass.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from runs import metrics
from runs.columnar import parquet_to_frame
from runs.models import ExportedRun, Run
from runs.registry import get_registry
from runs.services.traces import TraceUnavailable, run_trace

if TYPE_CHECKING:
    from jobs.models import Job
    from jobs.runner import JobContext

logger = logging.getLogger(__name__)

FORMATS = ("parquet", "csv")
BATCH = 500
# The job types of this module (registered in runs/handlers.py).
EXPORT = "export"
RETENTION = "retention"
# Unfinished export folders older than this are leftovers of a dead attempt.
STALE_PARTIAL_S = 24 * 3600


@dataclass(frozen=True)
class Export:
    """One written export folder."""

    path: Path
    count: int


def archive_dir() -> Path | None:
    """The configured archive folder, or None when archiving is off."""
    value = settings.SCPLN_ARCHIVE_DIR
    return Path(value) if value else None


def run_ids_prunable(run_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """The runs among ``run_ids`` that retention may delete now, in the given order.

    All of them when archiving is off; only archived ones when
    ``SCPLN_ARCHIVE_DIR`` is set. This is the hook the RunRegistry's prune
    calls on the runs it picked.
    """
    ids = list(run_ids)
    if archive_dir() is None or not ids:
        return ids
    archived = set(ExportedRun.objects.filter(run_id__in=ids).values_list("run_id", flat=True))
    return [run_id for run_id in ids if run_id in archived]


def _unarchived_run_ids(limit: int) -> list[uuid.UUID]:
    # Oldest first: those are the ones retention wants to delete next.
    return list(
        Run.objects.exclude(run_id__in=ExportedRun.objects.values("run_id"))
        .order_by("started_at", "run_id")
        .values_list("run_id", flat=True)[:limit]
    )


def run_ids_unarchived_exist() -> bool:
    return Run.objects.exclude(run_id__in=ExportedRun.objects.values("run_id")).exists()


def _run_record(run: Run, files: dict[str, str]) -> dict[str, Any]:
    record = {field.attname: getattr(run, field.attname) for field in run._meta.concrete_fields}
    plan_version = run.plan_version
    record.update(
        {
            "plan_id": plan_version.plan_id if plan_version else None,
            "plan_name": plan_version.plan.name if plan_version else None,
            "scenario_name": run.scenario.name if run.scenario else None,
            "files": files,
        }
    )
    return record


def _table_data(run: Run, table: str, missing: dict[str, str]) -> bytes | None:
    """A stored table; the cost trace built first if it was not yet (``run_trace``). A trace
    that cannot be built is left out, and why is noted in ``missing``: an export must not
    stop retention, and a re-run that is not the run cannot stand in for its trace."""
    if table != "trace":
        return get_registry().table(run, table)
    try:
        return run_trace(run=run)
    except TraceUnavailable as exc:
        missing[table] = exc.message
        return None


def _write_table(data: bytes | None, destination: Path, fmt: str) -> bool:
    if data is None:
        return False
    if fmt == "parquet":
        destination.write_bytes(data)
    else:
        parquet_to_frame(data).to_csv(destination, index=False)
    return True


def run_export(
    *,
    directory: Path,
    run_ids: Sequence[uuid.UUID] | None = None,
    fmt: str = "parquet",
    limit: int = BATCH,
    record: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Export | None:
    """Export runs (JSON lines + result tables) into a new folder under ``directory``.

    ``run_ids`` None means the oldest ``limit`` runs not archived yet. With
    ``record`` the runs are marked archived once the folder is complete.
    Returns None when there is nothing to export. ``progress(done, total)`` is
    called after each run.
    """
    from runs.selectors import run_get_many

    if fmt not in FORMATS:
        raise ValidationError({"format": f"expected one of {', '.join(FORMATS)}"})
    ids = list(run_ids) if run_ids is not None else _unarchived_run_ids(limit)
    if not ids:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(directory)
    runs = run_get_many(run_ids=ids)
    ordered = [runs[run_id] for run_id in ids if run_id in runs]
    if not ordered:
        return None
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    name = f"runs-{stamp}-{len(ordered)}"
    partial = directory / f".{name}.partial"
    try:
        (partial / "results").mkdir(parents=True)
        with (partial / "runs.jsonl").open("w", encoding="utf-8") as lines:
            for done, run in enumerate(ordered, start=1):
                folder = partial / "results" / str(run.run_id)
                folder.mkdir()
                files: dict[str, str] = {}
                missing: dict[str, str] = {}
                for table in ("psi", "pl", "trace"):
                    target = folder / f"{table}.{fmt}"
                    if _write_table(_table_data(run, table, missing), target, fmt):
                        files[table] = str(target.relative_to(partial))
                line = {**_run_record(run, files), **({"missing": missing} if missing else {})}
                lines.write(json.dumps(line, cls=DjangoJSONEncoder) + "\n")
                if progress:
                    progress(done, len(ordered))
        (partial / "MANIFEST.json").write_text(
            json.dumps(
                {"exported_at": timezone.now(), "runs": len(ordered), "format": fmt},
                cls=DjangoJSONEncoder,
                indent=2,
            )
        )
        final = directory / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if record:
        now = timezone.now()
        ExportedRun.objects.bulk_create(
            [ExportedRun(run_id=run.run_id, path=str(final), archived_at=now) for run in ordered],
            update_conflicts=True,
            unique_fields=["run_id"],
            update_fields=["path", "archived_at"],
        )
        metrics.runs_archived_total.inc(len(ordered))
    return Export(path=final, count=len(ordered))


def _remove_stale_partials(directory: Path) -> None:
    cutoff = time.time() - STALE_PARTIAL_S
    for leftover in directory.glob(".runs-*.partial"):
        if leftover.stat().st_mtime < cutoff:
            shutil.rmtree(leftover, ignore_errors=True)


def export_job(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler: one export of the given runs (or of the unarchived ones)."""
    params = job.params
    directory = Path(params.get("directory") or archive_dir() or settings.DATA_DIR / "archive")
    run_ids = (
        [uuid.UUID(str(value)) for value in params["run_ids"]] if params.get("run_ids") else None
    )
    export = run_export(
        directory=directory,
        run_ids=run_ids,
        fmt=params.get("format", settings.SCPLN_ARCHIVE_FORMAT),
        limit=int(params.get("limit", BATCH)),
        progress=lambda done, total: ctx.progress(100 * done / total, f"{done}/{total} runs"),
    )
    with ctx.finishing() as result:
        result.update(path=str(export.path) if export else "", runs=export.count if export else 0)
    return result


def retention_job(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler: archive what is not archived yet (when on), then prune.

    Idempotent: each pass archives the oldest unarchived runs batch by
    batch, so a rerun continues where a lost attempt stopped.
    """
    from runs.services import run_prune

    folders: list[str] = []
    archived = 0
    directory = archive_dir()
    if directory is not None:
        while True:
            ctx.progress(0, f"archiving ({archived} runs so far)")
            export = run_export(directory=directory, fmt=settings.SCPLN_ARCHIVE_FORMAT)
            if export is None:
                break
            folders.append(str(export.path))
            archived += export.count
    pruned = run_prune() if settings.RUNS_DB_MAX_ROWS > 0 else 0
    with ctx.finishing() as result:
        result.update(archived=archived, pruned=pruned, folders=folders)
    return result


def retention_due() -> bool:
    """Whether the periodic retention job has anything to archive or prune now."""
    if archive_dir() is not None and run_ids_unarchived_exist():
        return True
    limit = settings.RUNS_DB_MAX_ROWS
    return limit > 0 and Run.objects.filter(pinned=False).count() > limit
