"""Writing exceptions: computed by the engine, stored once, with their plan or run."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction

from exceptions import metrics
from exceptions.models import PlanningException
from plans.models import PlanVersion
from scpln.engine import exceptions as engine

if TYPE_CHECKING:
    from runs.models import Run
    from scpln.engine.planning import FinalPlan, PlanningInputs, Reconciliation
    from scpln.engine.psi.record import KernelResult

BATCH = 2000


def thresholds() -> engine.Thresholds:
    """The thresholds from the settings (``SCPLN_EXCEPTION_*``), read when used."""
    return engine.Thresholds(
        excess_cover_days=settings.SCPLN_EXCEPTION_EXCESS_COVER_DAYS,
        idle_utilisation=settings.SCPLN_EXCEPTION_IDLE_UTILISATION,
        divergence_points=settings.SCPLN_EXCEPTION_DIVERGENCE_POINTS,
    )


def exceptions_record_run(*, run: Run, raw: KernelResult) -> Counter[str]:
    """Compute and store a run's exceptions (and, for a run of a plan version, whether it
    diverges from the plan's prediction).

    Runs in the caller's transaction (``run_recorded`` is sent inside the recording
    one), so a run never exists without its exceptions. A run the registry did not put
    in the database (the ``memory`` backend) has nowhere to hang them and gets none.
    ``exceptions_total{kind}`` counts them once the transaction commits. Returns how many
    of each kind it stored.
    """
    if run._state.adding:
        return Counter()
    limits = thresholds()
    records = engine.run_exceptions(raw, limits)
    # Read from the database: the planning job stores the plan's KPIs with a query, so the
    # PlanVersion instance the run holds may predate them.
    plan_kpis = (
        PlanVersion.objects.filter(pk=run.plan_version_id).values_list("kpis", flat=True).first()
        if run.plan_version_id is not None
        else None
    )
    if plan_kpis:
        records += engine.divergence_exceptions(
            plan_kpis=plan_kpis, run_kpis=run.summary or {}, run_records=records, thresholds=limits
        )
    return _store(records, run=run, plan_version_id=run.plan_version_id)


def exceptions_record_plan(
    *,
    plan_version: PlanVersion,
    final: FinalPlan,
    inputs: PlanningInputs,
    reconciliation: Reconciliation | None = None,
) -> Counter[str]:
    """Compute and store a plan version's own exceptions, replacing earlier ones (a
    retried generation makes its plan again). In the caller's transaction."""
    PlanningException.objects.filter(plan_version=plan_version, run__isnull=True).delete()
    records = engine.plan_exceptions(final, inputs, reconciliation)
    return _store(records, run=None, plan_version_id=plan_version.pk)


# The stored columns, in the order :meth:`_Rows.of` gives them.
FIELDS = (
    "plan_version",
    "run",
    "kind",
    "node",
    "item",
    "first_day",
    "last_day",
    "first_date",
    "last_date",
    "quantity",
    "value",
    "severity",
    "severity_rank",
    "cause_kind",
    "cause_refs",
    "detail",
)


def _store(
    records: Iterable[engine.ExceptionRecord], *, run: Run | None, plan_version_id: str | None
) -> Counter[str]:
    """Insert the rows and count them by kind (``exceptions_total`` once committed).

    A 200,000 node-item run has some 25,000 exceptions; ``bulk_create`` spent longer
    preparing them (a model instance and a per-field conversion each) than the engine
    spent finding them. So the rows go in as plain tuples: ``COPY`` on PostgreSQL,
    ``executemany`` elsewhere, in the caller's transaction.
    """
    key = PlanningException._meta.get_field("run").get_db_prep_save(
        run.pk if run is not None else None, connection
    )
    rows = _Rows(run_key=key, plan_version_id=plan_version_id)
    stored = [rows.of(r) for r in records]
    _insert(stored)
    counts = Counter(str(row[2]) for row in stored)
    transaction.on_commit(lambda: _count(counts))
    return counts


class _Rows:
    """Each record as the tuple of :data:`FIELDS`.

    A 10,000-SKU plan has a late receipt per SKU, so a recalculation builds some 10,000 rows
    for its plan and as many for its run: what repeats (the severities' values and ranks, the
    dates as the database takes them, the empty list of causes) is looked up once, not per
    row."""

    def __init__(self, *, run_key: Any, plan_version_id: str | None) -> None:
        self.run_key = run_key
        self.plan_version_id = plan_version_id
        self.date = connection.ops.adapt_datefield_value
        self.dates: dict[Any, Any] = {None: self.date(None)}
        self.severities = {s: (s.value, s.rank) for s in engine.Severity}

    def of(self, r: engine.ExceptionRecord) -> tuple[Any, ...]:
        severity, rank = self.severities[r.severity]
        return (
            self.plan_version_id,
            self.run_key,
            r.kind.value,
            r.node[:200],
            r.item[:200],
            r.first_day,
            r.last_day,
            self._date(r.first_date),
            self._date(r.last_date),
            float(r.quantity),
            float(r.value),
            severity,
            rank,
            r.cause_kind,
            json.dumps(list(r.cause_refs)) if r.cause_refs else "[]",
            json.dumps(_plain(r.detail)),
        )

    def _date(self, day: Any) -> Any:
        adapted = self.dates.get(day, self)
        if adapted is self:
            adapted = self.dates[day] = self.date(day)
        return adapted


def _insert(rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(PlanningException._meta.db_table)
    column = {field.name: str(field.column) for field in PlanningException._meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(FIELDS))
            for start in range(0, len(rows), BATCH):
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    rows[start : start + BATCH],
                )


def _count(counts: Counter[str]) -> None:
    for kind, n in counts.items():
        metrics.exceptions_total.labels(kind=kind).inc(n)


def _plain(detail: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready: numpy numbers as plain numbers, non-finite floats as null."""
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out
