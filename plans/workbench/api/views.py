"""The workbench API: /plans/{id}/psi (GET the grid, PATCH edits and locks),
/plans/{id}/recalculate and /plans/{id}/psi/events."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.audit import EventSerializer
from core.api.inputs import validated
from core.api.links import link
from core.api.renderers import CSVErrorsAsJSONMixin, CSVRenderer, wants_csv
from core.downloads import rows_download
from core.users import acting_user
from plans.models import PlanVersion
from plans.workbench import selectors
from plans.workbench.api import serializers as s
from plans.workbench.exports import grid_table
from plans.workbench.services import (
    Distribution,
    StaleRevision,
    current_cells,
    workbench_edit,
    workbench_recalculate,
)

CHANGE = "plans.change_planversion"
ALL = 10**9  # a page size that holds every row (downloads)
GRID_PARAMETERS = [
    OpenApiParameter("level", str, enum=["aggregate", "detail"], description="Default detail."),
    OpenApiParameter("family", str, description="Only this family."),
    OpenApiParameter("sku", str, description="Only this SKU (aggregate: its family)."),
    OpenApiParameter("node", str, description="Only SKUs made at this node."),
    OpenApiParameter("q", str, description="Family or SKU containing this text."),
    OpenApiParameter("exceptions", bool, description="Only families or SKUs with exceptions."),
    OpenApiParameter("period_from", str, description="First period (week or month code)."),
    OpenApiParameter("period_to", str, description="Last period (week or month code)."),
    OpenApiParameter("page", int, description="Page of families or SKUs (from 1)."),
    OpenApiParameter("page_size", int, description="Families or SKUs a page, 1–500."),
    OpenApiParameter("format", str, enum=["json", "csv"], description="json (default) or csv."),
]


def grid_body(page: selectors.GridPage) -> dict[str, Any]:
    """The grid as the API shows it (values keyed by period)."""
    codes = [p.code for p in page.periods]
    version = page.version
    return {
        "plan_version_id": version.pk,
        "level": page.level,
        "revision": page.revision,
        "read_only": version.is_read_only,
        "draft_plan_version_id": page.draft.pk if page.draft else None,
        "parent_plan_version_id": version.parent_id,
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "periods": page.periods,
        "rows": [
            {**row.__dict__, "values": dict(zip(codes, row.values, strict=True))}
            for row in page.rows
        ],
        "capacity_rows": [
            {**row.__dict__, "values": dict(zip(codes, row.values, strict=True))}
            for row in page.capacity_rows
        ],
    }


class PsiView(CSVErrorsAsJSONMixin, APIView):
    renderer_classes = [JSONRenderer, CSVRenderer]
    write_permissions = {"PATCH": CHANGE}

    @extend_schema(
        operation_id="plans_psi_grid",
        parameters=GRID_PARAMETERS,
        responses={200: s.GridSerializer, 409: OpenApiResponse(description="No detail plan yet.")},
    )
    def get(
        self, request: Request, plan_version_id: str
    ) -> Response | HttpResponse | StreamingHttpResponse:
        """The PSI grid: rows (family or SKU × measure) × periods, filtered and paged."""
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        query = selectors.grid_query(request.query_params)
        if wants_csv(request):  # every row matching the filters, not one page
            page = selectors.grid_page(version=version, query=replace(query, page=1, page_size=ALL))
            header, rows = grid_table(page)
            return rows_download(header, rows, filename=f"{version.pk}-psi-{page.level}.csv")
        page = selectors.grid_page(version=version, query=query)
        return Response(s.GridSerializer(grid_body(page)).data)

    @extend_schema(
        operation_id="plans_psi_edit",
        request=s.PsiPatchSerializer,
        responses={
            200: s.PsiPatchResultSerializer,
            409: s.StaleSerializer,
        },
        description=(
            "Edit cells and locks in one transaction. The first edit of an executed version "
            "makes a draft child version; the answer names it. A family key's edit is "
            "distributed over its unlocked SKU-weeks (`distribute`); edits of locked cells "
            "come back in `refused`. 400 for unknown keys, measures, periods, negatives or a "
            "target the locks make impossible (nothing applied); 409 for a stale `revision` "
            "(with the current values) or a read-only version. For planners "
            "(`plans.change_planversion`)."
        ),
    )
    def patch(self, request: Request, plan_version_id: str) -> Response:
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        values = validated(s.PsiPatchSerializer, request.data)
        spread = values.get("distribute") or {}
        try:
            outcome = workbench_edit(
                version=version,
                revision=values["revision"],
                edits=values["edits"],
                locks=values["locks"],
                distribution=Distribution(
                    mode=spread.get("mode", "proportional"),
                    weights=spread.get("weights") or {},
                    round_step=spread.get("round_step"),
                ),
                note=values["note"],
                user=acting_user(request),
            )
        except StaleRevision as stale:
            return Response(
                {
                    "detail": stale.message,
                    "plan_version_id": stale.version.pk,
                    "revision": stale.revision,
                    "current": current_cells(stale.version, values["edits"]),
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            s.PsiPatchResultSerializer(
                {
                    "plan_version_id": outcome.version.pk,
                    "revision": outcome.revision,
                    "changed": outcome.changed,
                    "refused": outcome.refused,
                    "locks": outcome.locks,
                }
            ).data
        )


class RecalculateView(APIView):
    write_permissions = {"POST": CHANGE}

    @extend_schema(
        operation_id="plans_recalculate",
        request=None,
        responses={
            202: s.RecalculateSerializer,
            409: OpenApiResponse(description="Not an edited draft."),
        },
    )
    def post(self, request: Request, plan_version_id: str) -> Response:
        """Recalculate an edited draft (MRP → reconcile → final plan, then its run) as a job."""
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        job = workbench_recalculate(version=version, user=acting_user(request))
        url = link(request, "jobs-api:detail", job.pk)
        body = {"job_id": job.pk, "plan_version_id": version.pk, "url": url}
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": url})


class PsiEventsView(APIView):
    @extend_schema(operation_id="plans_psi_events", responses=EventSerializer(many=True))
    def get(self, request: Request, plan_version_id: str) -> Response:
        """The workbench's audit trail, newest first: drafting, every edit (cells old → new,
        locks, note) and recalculations."""
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        return Response(EventSerializer(selectors.workbench_events(version), many=True).data)
