"""Reading exceptions: the list of a run or a plan version, counts by kind, root cause."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Subquery

from exceptions.filters import ExceptionFilter
from exceptions.models import PlanningException
from scpln.engine import exceptions as engine

if TYPE_CHECKING:
    from plans.models import PlanVersion
    from runs.models import Run


def plan_version_run(plan_version: PlanVersion) -> Run | None:
    """The run that executes the plan: the newest run the planning job recorded for it."""
    return plan_version.runs.filter(source="plan").order_by("-started_at", "-run_id").first()


def exceptions_of_run(*, run: Run) -> QuerySet[PlanningException]:
    """Every exception found in the run (and its divergence from its plan)."""
    return PlanningException.objects.filter(run=run)


def exceptions_of_plan_version(*, plan_version: PlanVersion) -> QuerySet[PlanningException]:
    """The plan's own exceptions and those of the run that executes it (one query: the
    run is a subquery, :func:`plan_version_run`'s)."""
    run = plan_version.runs.filter(source="plan").order_by("-started_at", "-run_id")
    return PlanningException.objects.filter(
        Q(plan_version=plan_version, run__isnull=True) | Q(run=Subquery(run.values("pk")[:1]))
    )


def exception_filterset(
    queryset: QuerySet[PlanningException], params: Mapping[str, Any] | None = None
) -> ExceptionFilter:
    """THE exception FilterSet bound to request parameters (for the page's form too)."""
    return ExceptionFilter(params or {}, queryset=queryset)


def exceptions_filtered(
    queryset: QuerySet[PlanningException], params: Mapping[str, Any] | None = None
) -> QuerySet[PlanningException]:
    """``queryset`` filtered and ordered by ``params``; a malformed one is a
    ``ValidationError`` keyed by the parameter."""
    filterset = exception_filterset(queryset, params)
    if not filterset.is_valid():
        raise ValidationError(
            {field: list(messages) for field, messages in filterset.errors.items()}
        )
    return filterset.qs


def exception_counts(queryset: QuerySet[PlanningException]) -> dict[str, int]:
    """How many exceptions of each kind (kinds with none left out), in kind order."""
    found = dict(queryset.order_by().values_list("kind").annotate(n=Count("id")))
    return {kind: found[kind] for kind in engine.KINDS if kind in found}


def counts_of_run(run: Any) -> dict[str, int]:
    """:func:`exception_counts` of a run; none for a run not in the database."""
    if getattr(run, "_state", None) is None or run._state.adding:
        return {}
    return exception_counts(exceptions_of_run(run=run))


def root_cause_of(
    queryset: QuerySet[PlanningException], *, fill_rate: float | None, shortage_total: float
) -> engine.RootCause:
    """The engine's root cause over the stored stock-outs of ``queryset``."""
    stockouts = [
        engine.ExceptionRecord(
            kind=engine.Kind.STOCKOUT,
            node=row.node,
            item=row.item,
            first_day=row.first_day,
            last_day=row.last_day,
            quantity=row.quantity,
            value=row.value,
            severity=engine.Severity(row.severity),
            cause_kind=row.cause_kind,
            cause_refs=tuple(row.cause_refs or ()),
        )
        for row in queryset.filter(kind=engine.Kind.STOCKOUT.value).only(
            "node",
            "item",
            "first_day",
            "last_day",
            "quantity",
            "value",
            "severity",
            "cause_kind",
            "cause_refs",
        )
    ]
    return engine.root_cause(stockouts, fill_rate=fill_rate, shortage_total=shortage_total)
