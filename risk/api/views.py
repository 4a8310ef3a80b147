"""The /plans/{plan_version_id}/replications API."""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.inputs import validated
from core.api.links import absolute, link
from core.users import acting_user
from plans.models import PlanVersion
from risk import selectors, services
from risk.api import serializers as s
from risk.models import LevelOptimisation, ReplicationSet
from risk.services.optimisation import level_optimisation_create
from runs.api.serializers import SetComparisonSerializer
from scenarios.models import Scenario

ADD = "risk.add_replicationset"


def _row(replication_set: ReplicationSet, n_done: int, status_: str) -> dict[str, Any]:
    return {
        "id": replication_set.pk,
        "plan_version_id": replication_set.plan_version_id,
        "run_id": replication_set.run_id,
        "n": replication_set.n,
        "n_done": n_done,
        "seed": replication_set.seed,
        "status": status_,
        "job_id": replication_set.job_id,
        "created_at": replication_set.created_at,
    }


def _get(plan_version_id: str, set_id: int) -> ReplicationSet:
    try:
        return selectors.replication_set_get(plan_version_id=plan_version_id, set_id=set_id)
    except ReplicationSet.DoesNotExist:
        raise Http404 from None


class ReplicationSetListCreateView(APIView):
    """A plan version's replication sets; POST queues a new one (202)."""

    write_permissions = {"POST": ADD}

    @extend_schema(responses={200: s.ReplicationSetListSerializer(many=True)})
    def get(self, request: Request, plan_version_id: str) -> Response:
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        rows = [
            _row(r, cast(Any, r).n_done, r.job.status if r.job else "queued")
            for r in selectors.replication_set_list(plan_version=version)[:100]
        ]
        return Response(s.ReplicationSetListSerializer(rows, many=True).data)

    @extend_schema(
        request=s.ReplicationSetInputSerializer, responses={202: s.ReplicationSetCreatedSerializer}
    )
    def post(self, request: Request, plan_version_id: str) -> Response:
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        data = validated(s.ReplicationSetInputSerializer, request.data)
        replication_set = services.replication_set_create(
            plan_version=version,
            n=data["n"],
            seed=data.get("seed"),
            user=acting_user(request),
        )
        url = reverse("risk-api:detail", args=[version.pk, replication_set.pk])
        return _queued(request, replication_set, url, s.ReplicationSetCreatedSerializer)


def _queued(
    request: Request,
    made: ReplicationSet | LevelOptimisation,
    url: str,
    serializer: type[s.QueuedSerializer],
    **extra: Any,
) -> Response:
    """202 for what a job will make: its id, seed, job and where to follow both."""
    location = absolute(request, url)
    body = {
        "id": made.pk,
        "job_id": made.job_id,
        "seed": made.seed,
        "url": location,
        "job_url": link(request, "jobs-api:detail", made.job_id),
        **extra,
    }
    return Response(
        serializer(body).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
    )


class ReplicationSetDetailView(APIView):
    """One set: progress and, per KPI, mean, sd, 95 % interval and quantiles."""

    @extend_schema(responses={200: s.ReplicationSetSerializer})
    def get(self, request: Request, plan_version_id: str, set_id: int) -> Response:
        summary = selectors.replication_set_summary(replication_set=_get(plan_version_id, set_id))
        body = {
            **_row(summary.replication_set, summary.n_done, summary.status),
            "kpis": summary.kpis,
            "histograms": summary.histograms,
            "misses": summary.misses,
            "bands": summary.bands,
        }
        return Response(s.ReplicationSetSerializer(body).data)


class ReplicationSetCancelView(APIView):
    """Stop a running set; the replications already in are kept."""

    write_permissions = {"POST": ADD}

    @extend_schema(request=None, responses={200: s.ReplicationSetListSerializer})
    def post(self, request: Request, plan_version_id: str, set_id: int) -> Response:
        replication_set = services.replication_set_cancel(
            replication_set=_get(plan_version_id, set_id)
        )
        summary = selectors.replication_set_summary(replication_set=replication_set)
        return Response(
            s.ReplicationSetListSerializer(
                _row(replication_set, summary.n_done, summary.status)
            ).data
        )


class ReplicationSetCompareView(APIView):
    """Two replication sets: per KPI the difference other − base with its 95 % interval."""

    @extend_schema(parameters=[s.CompareInputSerializer], responses={200: SetComparisonSerializer})
    def get(self, request: Request) -> Response:
        data = validated(s.CompareInputSerializer, request.query_params)
        body = selectors.replication_set_compare_body(base_id=data["base"], other_id=data["other"])
        return Response(SetComparisonSerializer(body).data)


def _optimisation_body(optimisation: LevelOptimisation) -> dict[str, Any]:
    report = optimisation.report or {}
    columns = report.get("columns", [])
    return {
        "id": optimisation.pk,
        "scenario_id": optimisation.scenario_id,
        "plan_version_id": optimisation.plan_version_id,
        "n": optimisation.n,
        "seed": optimisation.seed,
        "rounds": optimisation.rounds,
        "service_level": optimisation.service_level,
        "status": optimisation.job.status if optimisation.job else "queued",
        "job_id": optimisation.job_id,
        "result_scenario_id": optimisation.result_scenario_id,
        "reached": report.get("reached"),
        "refinement_rounds": report.get("rounds"),
        "kpis_before": report.get("kpis_before", {}),
        "kpis_after": report.get("kpis_after", {}),
        "levels": [dict(zip(columns, row, strict=True)) for row in report.get("rows", [])],
        "created_at": optimisation.created_at,
    }


class OptimiseView(APIView):
    """Queue a stock-level optimisation of a scenario (202); the result is a new scenario."""

    write_permissions = {"POST": "scenarios.add_scenario"}

    @extend_schema(
        request=s.OptimisationInputSerializer, responses={202: s.OptimisationCreatedSerializer}
    )
    def post(self, request: Request, scenario_id: int) -> Response:
        scenario = get_object_or_404(Scenario, pk=scenario_id)
        values = validated(s.OptimisationInputSerializer, request.data)
        version = None
        if values.get("plan_version_id"):
            version = PlanVersion.objects.filter(pk=values["plan_version_id"]).first()
            if version is None:
                raise ValidationError(
                    {"plan_version_id": [f"No plan version {values['plan_version_id']}."]}
                )
        optimisation = level_optimisation_create(
            scenario=scenario,
            plan_version=version,
            n=values["n"],
            seed=values.get("seed"),
            rounds=values["rounds"],
            service_level=values.get("service_level"),
            user=acting_user(request),
        )
        url = reverse("risk-api:optimisation-detail", args=[scenario.pk, optimisation.pk])
        return _queued(
            request,
            optimisation,
            url,
            s.OptimisationCreatedSerializer,
            plan_version_id=optimisation.plan_version_id,
        )


class OptimisationDetailView(APIView):
    """One optimisation: status, the new scenario and the before/after report."""

    @extend_schema(responses={200: s.OptimisationSerializer})
    def get(self, request: Request, scenario_id: int, optimisation_id: int) -> Response:
        optimisation = get_object_or_404(
            LevelOptimisation.objects.select_related("job"),
            pk=optimisation_id,
            scenario_id=scenario_id,
        )
        return Response(s.OptimisationSerializer(_optimisation_body(optimisation)).data)
