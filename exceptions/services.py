"""Writing exceptions: computed by the engine, stored once, with their plan or run."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

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


def exceptions_record_run(*, run: Run, raw: KernelResult) -> list[PlanningException]:
    """Compute and store a run's exceptions (and, for a run of a plan version, whether it
    diverges from the plan's prediction).

    Runs in the caller's transaction (``run_recorded`` is sent inside the recording
    one), so a run never exists without its exceptions. A run the registry did not put
    in the database (the ``memory`` backend) has nowhere to hang them and gets none.
    ``exceptions_total{kind}`` counts them once the transaction commits.
    """
    if run._state.adding:
        return []
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
) -> list[PlanningException]:
    """Compute and store a plan version's own exceptions, replacing earlier ones (a
    retried generation makes its plan again). In the caller's transaction."""
    PlanningException.objects.filter(plan_version=plan_version, run__isnull=True).delete()
    records = engine.plan_exceptions(final, inputs, reconciliation)
    return _store(records, run=None, plan_version_id=plan_version.pk)


def _store(
    records: Iterable[engine.ExceptionRecord], *, run: Run | None, plan_version_id: str | None
) -> list[PlanningException]:
    rows = [
        PlanningException(
            run=run,
            plan_version_id=plan_version_id,
            kind=r.kind.value,
            node=r.node[:200],
            item=r.item[:200],
            first_day=r.first_day,
            last_day=r.last_day,
            first_date=r.first_date,
            last_date=r.last_date,
            quantity=r.quantity,
            value=r.value,
            severity=r.severity.value,
            severity_rank=r.severity.rank,
            cause_kind=r.cause_kind,
            cause_refs=list(r.cause_refs),
            detail=_plain(r.detail),
        )
        for r in records
    ]
    PlanningException.objects.bulk_create(rows, batch_size=BATCH)
    counts = Counter(row.kind for row in rows)
    transaction.on_commit(lambda: _count(counts))
    return rows


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
