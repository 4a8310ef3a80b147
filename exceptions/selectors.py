"""Reading exceptions: the list of a run or a plan version, counts by kind, root cause."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from exceptions.filters import ExceptionFilter
from exceptions.models import PlanningException
from plans.models import PlanVersion
from runs.models import Run
from scpln.engine import exceptions as engine


def plan_version_run(plan_version: PlanVersion) -> Run | None:
    """The run that executes the plan: the newest run the planning job recorded for it."""
    return plan_version.runs.filter(source="plan").order_by("-started_at", "-run_id").first()


def exceptions_of_run(*, run: Run) -> QuerySet[PlanningException]:
    """Every exception found in the run (and its divergence from its plan); none for a run
    the registry keeps outside the database (the ``memory`` backend)."""
    if run._state.adding:
        return PlanningException.objects.none()
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


def counts_by_owner(rows: QuerySet[PlanningException], owner: str) -> dict[Any, dict[str, int]]:
    """``{owner id: {kind: count}}`` in one query (``owner``: ``run`` or ``plan_version``)."""
    found: dict[Any, dict[str, int]] = {}
    grouped = rows.order_by().values_list(f"{owner}_id", "kind").annotate(n=Count("id"))
    for key, kind, n in grouped:
        found.setdefault(key, {})[kind] = n
    order = {kind: i for i, kind in enumerate(engine.KINDS)}
    return {
        key: dict(sorted(counts.items(), key=lambda item: order.get(item[0], len(order))))
        for key, counts in found.items()
    }


def counts_of_runs(runs: Sequence[Run]) -> dict[Any, dict[str, int]]:
    """Counts by kind per run (runs not in the database have none)."""
    stored = [run.pk for run in runs if not run._state.adding]
    if not stored:
        return {}
    return counts_by_owner(PlanningException.objects.filter(run__in=stored), "run")


def counts_of_plan_versions(versions: Sequence[PlanVersion]) -> dict[Any, dict[str, int]]:
    """Counts by kind per plan version: its plan's own and its run's, in one query."""
    run_of_version = (
        Run.objects.filter(plan_version=OuterRef("plan_version"), source="plan")
        .order_by("-started_at", "-run_id")
        .values("pk")[:1]
    )
    rows = PlanningException.objects.filter(plan_version__in=[v.pk for v in versions]).filter(
        Q(run__isnull=True) | Q(run=Subquery(run_of_version))
    )
    return counts_by_owner(rows, "plan_version")


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
