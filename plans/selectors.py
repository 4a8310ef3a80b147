"""Reads of plans and plan versions."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from jobs.models import Job
from plans.models import PlanArtifact, PlanVersion
from runs.models import Run


def plan_version_list() -> QuerySet[PlanVersion]:
    """Plan versions newest first, with what a list row shows in the same query.

    The latest run's id and headline KPIs and the planning job's id and
    status come from subqueries, so a page costs one query whatever its size.
    """
    latest_run = Run.objects.filter(plan_version=OuterRef("pk")).order_by("-started_at")
    planning_job = Job.objects.filter(plan_version=OuterRef("pk"), type=Job.Type.PLANNING).order_by(
        "-created_at"
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


def plan_version_detail(*, plan_version_id: str) -> PlanVersion:
    """One version with its runs, jobs and artifact list (artifact bytes not loaded)."""
    return (
        plan_version_list()
        .select_related("parent", "input_set")
        .defer("input_set__files")
        .prefetch_related(
            Prefetch(
                "runs", queryset=Run.objects.select_related("scenario").order_by("-started_at")
            ),
            Prefetch("jobs", queryset=Job.objects.order_by("-created_at")),
            Prefetch(
                "artifacts", queryset=PlanArtifact.objects.defer("data").order_by("created_at")
            ),
        )
        .get(pk=plan_version_id)
    )


def plan_artifact_get(*, plan_version_id: str, name: str) -> PlanArtifact:
    return PlanArtifact.objects.get(plan_version_id=plan_version_id, name=name)
