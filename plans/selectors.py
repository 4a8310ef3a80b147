"""Reads of plans and plan versions."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery

from jobs.models import Job
from plans.models import PlanArtifact, PlanVersion
from plans.services.artifacts import artifact_frame
from plans.services.generation import PLANNING
from runs.models import Run
from scenarios.models import ConfigVersion
from scpln.engine import canonical
from scpln.engine.canonical.hierarchy import group_keys


def plan_version_list() -> QuerySet[PlanVersion]:
    """Plan versions newest first, with what a list row shows in the same query.

    The latest run's id and headline KPIs and the planning job's id and
    status come from subqueries, so a page costs one query whatever its size.
    """
    latest_run = Run.objects.filter(plan_version=OuterRef("pk")).order_by("-started_at")
    planning_job = (
        Job.objects.about_any(PlanVersion)
        .filter(subject_id=OuterRef("pk"), type=PLANNING)
        .order_by("-created_at")
    )
    return (
        PlanVersion.objects.select_related("plan", "base_scenario", "config_version")
        .defer("config_version__document")
        .annotate(
            latest_run_id=Subquery(latest_run.values("run_id")[:1]),
            latest_run_fill_rate=Subquery(latest_run.values("fill_rate")[:1]),
            latest_run_profit=Subquery(latest_run.values("profit_total")[:1]),
            job_id=Subquery(planning_job.values("pk")[:1]),
            job_status=Subquery(planning_job.values("status")[:1]),
        )
        .order_by("-created_at")
    )


def plan_version_overview(*, latest_only: bool = True) -> QuerySet[PlanVersion]:
    """The plan list's rows: :func:`plan_version_list` with what a planner scans for.

    ``latest_only`` keeps the newest version of every plan (one row a plan);
    otherwise every version is a row. Adds ``version_count`` (the plan's
    versions) and the version's latest job of any type (``last_job_id``,
    ``last_job_type``, ``last_job_status``): an aggregate job queued after
    planning is the one a planner looks for. Still one query a page.
    """
    versions = (
        PlanVersion.objects.filter(plan_id=OuterRef("plan_id"))
        .order_by()
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_job = (
        Job.objects.about_any(PlanVersion)
        .filter(subject_id=OuterRef("pk"))
        .order_by("-created_at", "-pk")
    )
    queryset = plan_version_list().annotate(
        version_count=Subquery(versions[:1]),
        last_job_id=Subquery(last_job.values("pk")[:1]),
        last_job_type=Subquery(last_job.values("type")[:1]),
        last_job_status=Subquery(last_job.values("status")[:1]),
    )
    if latest_only:
        newer = PlanVersion.objects.filter(
            plan_id=OuterRef("plan_id"), number__gt=OuterRef("number")
        )
        queryset = queryset.exclude(Exists(newer))
    return queryset


def plan_version_detail(*, plan_version_id: str) -> PlanVersion:
    """One version with its runs and artifact list (artifact bytes not loaded); its jobs
    are ``version.jobs``."""
    return (
        plan_version_list()
        .select_related("parent", "input_set")
        .defer("input_set__files")
        .prefetch_related(
            Prefetch(
                "runs", queryset=Run.objects.select_related("scenario").order_by("-started_at")
            ),
            Prefetch(
                "artifacts", queryset=PlanArtifact.objects.defer("data").order_by("created_at")
            ),
        )
        .get(pk=plan_version_id)
    )


def plan_artifact_get(*, plan_version_id: str, name: str) -> PlanArtifact:
    return PlanArtifact.objects.get(plan_version_id=plan_version_id, name=name)


def plan_versions_of(*, plan_id: int) -> QuerySet[PlanVersion]:
    """Every version of a plan, newest first (ids, numbers, states: for navigation)."""
    return (
        PlanVersion.objects.filter(plan_id=plan_id)
        .only("plan_version_id", "plan_id", "number", "state", "parent_id", "created_at")
        .order_by("-number")
    )


def plan_version_tables(*, plan_version_id: str) -> dict[str, pd.DataFrame]:
    """The stage tables of a version (not run aggregations) by name, in the order stored.

    One query; every table's Parquet bytes are read, so this is for one
    version's page, never for a list.
    """
    artifacts = (
        PlanArtifact.objects.filter(plan_version_id=plan_version_id)
        .exclude(kind=PlanArtifact.Kind.AGGREGATION)
        .order_by("created_at", "pk")
    )
    return {artifact.name: artifact_frame(artifact) for artifact in artifacts}


def _weekly_sum(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    present = [c for c in columns if c in frame.columns]
    return frame.groupby(["week_index", "week"], sort=True)[present].sum().reset_index()


def plan_weekly_balance(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Demand, supply and production of all SKUs by week, with finished-goods inventory.

    From ``sku_week`` (allocation) and, when the plan is final, the level-0
    items' ``projected_on_hand`` of ``plan_final``. Columns: ``week``,
    ``demand``, ``supply``, ``production`` and ``inventory`` (NaN until the
    final plan exists). None when the version has no ``sku_week`` yet.
    """
    detail = tables.get("sku_week")
    if detail is None or detail.empty or "week_index" not in detail.columns:
        return None
    out = _weekly_sum(detail, ["demand", "supply", "production"])
    final = tables.get("plan_final")
    if final is not None and {"projected_on_hand", "week_index"} <= set(final.columns):
        finished = final[final["level"] == 0] if "level" in final.columns else final
        stock = finished.groupby("week_index")["projected_on_hand"].sum()
        out["inventory"] = out["week_index"].map(stock)
    else:
        out["inventory"] = float("nan")
    return out.drop(columns="week_index")


def plan_weekly_capacity(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Capacity, load, spill and pull-in of all work centres by week (from ``capacity``)."""
    capacity = tables.get("capacity")
    if capacity is None or capacity.empty or "week_index" not in capacity.columns:
        return None
    return _weekly_sum(capacity, ["capacity", "requested", "load", "spilled", "pulled"]).drop(
        columns="week_index"
    )


def plan_monthly_aggregate(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    """The aggregate plan of all families by period: demand, supply, production, backlog."""
    aggregate = tables.get("aggregate")
    if aggregate is None or aggregate.empty or "period_index" not in aggregate.columns:
        return None
    present = [c for c in ("demand", "supply", "production", "backlog") if c in aggregate.columns]
    return (
        aggregate.groupby(["period_index", "period"], sort=True)[present]
        .sum()
        .reset_index()
        .drop(columns="period_index")
    )


def plan_kpi_frame(kpis: Mapping[str, object]) -> pd.DataFrame:
    """A version's KPIs as rows (``kpi``, ``key``, ``value``); a per-key KPI is one row a key."""
    rows: list[dict[str, object]] = []
    for name, value in kpis.items():
        if isinstance(value, Mapping):
            rows.extend({"kpi": name, "key": key, "value": item} for key, item in value.items())
        else:
            rows.append({"kpi": name, "key": "", "value": value})
    return pd.DataFrame(rows, columns=["kpi", "key", "value"])


def plan_version_group_keys(*, plan_version: PlanVersion) -> list[str]:
    """The group keys an aggregate job of this version offers (its config's hierarchies)."""
    document = (
        ConfigVersion.objects.filter(pk=plan_version.config_version_id)
        .values_list("document", flat=True)
        .get()
    )
    return group_keys(canonical.load_config(document))
