"""The database backend: ``Run`` rows and their ``RunResult`` (Parquet bytes)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce, Length
from django.utils import timezone

from core.binary_writes import insert_with_binary_parameters
from runs.models import HEADLINE_KPIS, ExportedRun, Run, RunResult, RunTombstone

if TYPE_CHECKING:
    from runs.filters import RunFilter
    from runs.registry.base import PruneFilter, ResultMeta

# PostgreSQL takes at most 1 GB in one protocol message (the INSERT of a run's result with
# all its tables) and in one field; less a margin for the message's other parts.
POSTGRES_LARGEST_RESULT = 2**30 - 2**20

# What a run-history row shows; never the summary JSON or the result bytes.
LIST_FIELDS = (
    "run_id",
    "plan_version_id",
    "scenario_id",
    "scenario__name",
    "config_version_id",
    "config_version__name",
    "job_id",
    "source",
    "status",
    "started_at",
    "finished_at",
    "duration_ms",
    *HEADLINE_KPIS,
    "engine_version",
    "seed",
    "stochastic",
    "pinned",
    "held",
    "is_baseline",
    "archived",
    "tags",
)


def list_queryset() -> QuerySet[Run]:
    """Runs with what a list row needs: one query per page, whatever its size."""
    return Run.objects.select_related("scenario", "config_version").only(*LIST_FIELDS)


def detail_queryset() -> QuerySet[Run]:
    return Run.objects.select_related(
        "plan_version__plan", "scenario", "config_version", "job"
    ).defer("config_version__document")


class Registry:
    name = "db"

    def add(self, *, run: Run, result: RunResult) -> Run:
        # No savepoint of its own: inside run_record's transaction a failure
        # rolls everything back anyway, and savepoints are round trips.
        with transaction.atomic(savepoint=False):
            run.save(force_insert=True)
            result.run = run
            if connection.vendor == "postgresql":
                insert_with_binary_parameters(result)
            else:
                result.save(force_insert=True)
        return run

    def get(self, run_id: uuid.UUID) -> Run:
        return detail_queryset().get(pk=run_id)

    def get_many(self, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Run]:
        return detail_queryset().in_bulk(list(run_ids))

    def list(self, *, filterset: RunFilter) -> QuerySet[Run]:
        return filterset.qs

    def table(self, run: Run, name: str) -> bytes | None:
        data = RunResult.objects.filter(run_id=run.pk).values_list(name, flat=True).first()
        return None if data is None else bytes(data)

    def store_trace(self, run: Run, *, data: bytes, rows: int) -> bool:
        # One conditional UPDATE: on PostgreSQL a second writer waits for the first to
        # commit, then finds the trace set and changes nothing.
        return bool(
            RunResult.objects.filter(run_id=run.pk, trace__isnull=True).update(
                trace=data, trace_rows=rows
            )
        )

    def largest_result(self) -> int:
        if connection.vendor == "sqlite":
            # a row is one record, bounded like one value (a billion bytes as SQLite is built)
            connection.ensure_connection()
            return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_LENGTH))
        return POSTGRES_LARGEST_RESULT

    def stored_bytes(self, run: Run) -> int:
        sizes = RunResult.objects.filter(run_id=run.pk).aggregate(
            total=Sum(
                Coalesce(Length("psi"), 0)
                + Coalesce(Length("pl"), 0)
                + Coalesce(Length("trace"), 0)
                + Coalesce(Length("receipts"), 0)
            )
        )
        return int(sizes["total"] or 0)

    def result_meta(self, run: Run) -> ResultMeta | None:
        return (
            RunResult.objects.filter(run_id=run.pk)
            .values("schema_version", "psi_rows", "pl_rows", "trace_rows")
            .first()
        )

    def set_pinned(self, run: Run, pinned: bool) -> Run:
        if not Run.objects.filter(pk=run.pk).update(pinned=pinned):
            raise Run.DoesNotExist
        run.pinned = pinned
        return run

    def update(self, run: Run, **changes: object) -> Run:
        if not Run.objects.filter(pk=run.pk).update(**changes):
            raise Run.DoesNotExist
        for field, value in changes.items():
            setattr(run, field, value)
        return run

    def delete(self, run: Run) -> None:
        with transaction.atomic(savepoint=False):
            bury([run.pk], RunTombstone.Reason.DELETED)
            RunResult.objects.filter(run_id=run.pk).delete()
            Run.objects.filter(pk=run.pk).delete()

    def prune(self, *, keep: int, batch: int, allow: PruneFilter | None = None) -> int:
        """A constant number of statements whatever the table size: pick the runs
        beyond the newest ``keep`` that are neither pinned nor held, leave a
        tombstone for each, delete their results, delete them.

        On PostgreSQL the picked rows are then locked by primary key (``FOR
        UPDATE`` on the OFFSET scan itself would lock every row it skips) and
        re-checked, so a run pinned meanwhile survives with its result; SQLite's
        write transaction is exclusive anyway. The ids are read before deleting,
        so both deletes agree on the set while other runs are being recorded.
        ``allow`` may narrow the picked runs (e.g. to archived ones).
        """
        if keep <= 0:
            return 0
        with transaction.atomic(savepoint=False):
            doomed = list(
                Run.objects
                # ``IN (false)``, not ``NOT pinned``: SQLite only walks the
                # (pinned, held, started_at, run_id) index for equality-like tests.
                .filter(pinned__in=[False], held__in=[False])
                .order_by("-started_at", "-run_id")
                .values_list("run_id", flat=True)[keep : keep + batch]
            )
            if doomed and allow is not None:
                doomed = allow(doomed)
            if doomed and connection.features.has_select_for_update:
                doomed = list(
                    Run.objects.select_for_update()
                    .filter(pk__in=doomed, pinned=False, held=False)
                    .values_list("run_id", flat=True)
                )
            if not doomed:
                return 0
            bury(doomed, RunTombstone.Reason.RETENTION)
            RunResult.objects.filter(run_id__in=doomed).delete()
            # Runs have no other dependents; a raw delete skips the collector's
            # extra SELECT. (A new FK to Run would fail loudly at commit here.)
            return Run.objects.filter(pk__in=doomed)._raw_delete(Run.objects.db)


def bury(run_ids: list[uuid.UUID], reason: str) -> None:
    """Leave a tombstone for each run about to go (one INSERT … SELECT-like pass).

    It keeps the links and headline KPIs a page needs to say "removed by
    retention on …", and where the run was exported when exporting is on.
    """
    exported = dict(ExportedRun.objects.filter(run_id__in=run_ids).values_list("run_id", "path"))
    now = timezone.now()
    rows = Run.objects.filter(pk__in=run_ids).values(
        "run_id",
        "plan_version_id",
        "scenario_id",
        "config_version_id",
        "job_id",
        "started_at",
        *HEADLINE_KPIS,
    )
    RunTombstone.objects.bulk_create(
        [
            RunTombstone(
                run_id=row["run_id"],
                plan_version_id=row["plan_version_id"] or "",
                scenario_id=row["scenario_id"],
                config_version_id=row["config_version_id"],
                job_id=row["job_id"],
                started_at=row["started_at"],
                kpis={name: row[name] for name in HEADLINE_KPIS},
                removed_at=now,
                reason=reason,
                export_path=exported.get(row["run_id"], ""),
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )
