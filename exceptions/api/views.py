"""``GET /plans/{plan_version_id}/exceptions`` and ``GET /runs/{run_id}/exceptions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from core.api.pagination import Pagination
from core.api.renderers import (
    CSVErrorsAsJSONMixin,
    CSVRenderer,
    csv_format_parameter,
    wants_csv,
)
from core.api.schema import ViewMethod
from core.downloads import rows_download
from exceptions import selectors
from exceptions.api.serializers import CSV_COLUMNS, ExceptionSerializer, csv_row
from exceptions.filters import ExceptionFilter
from exceptions.links import psi_url
from exceptions.models import PlanningException
from plans.models import PlanVersion
from runs.models import Run
from runs.selectors import run_get

CSV_FORMAT = csv_format_parameter(
    "`csv` for every (filtered) exception as CSV instead of JSON pages."
)


def _list_schema(owner: str, id_parameter: OpenApiParameter) -> Callable[[ViewMethod], ViewMethod]:
    """The OpenAPI description of an exception list: named after its owner (``runs``,
    ``plans``), with the owner's id in the path and the CSV choice."""
    return extend_schema(
        operation_id=f"{owner}_exceptions",
        parameters=[id_parameter, CSV_FORMAT],
        responses=ExceptionSerializer(many=True),
    )


class _ExceptionList(CSVErrorsAsJSONMixin, GenericAPIView):
    serializer_class = ExceptionSerializer
    queryset = PlanningException.objects.none()  # the model, for the schema
    filterset_class = ExceptionFilter
    pagination_class = Pagination
    renderer_classes = [JSONRenderer, CSVRenderer]
    run: Run | None = None
    # Whether a plan's rows name nodes of its run (not so for an imported input set).
    plan_nodes = True

    def rows(self) -> QuerySet[PlanningException]:
        raise NotImplementedError

    def filename(self) -> str:
        raise NotImplementedError

    def respond(self, request: Request) -> HttpResponseBase:
        rows = selectors.exceptions_filtered(self.rows(), request.query_params)
        run_id = self.run.run_id if self.run is not None else None
        if wants_csv(request):
            data = self._serialize([*rows], run_id)
            return rows_download(
                list(CSV_COLUMNS), [csv_row(d) for d in data], filename=self.filename()
            )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self._serialize([*(page or [])], run_id))

    def _serialize(self, rows: list[PlanningException], run_id: Any) -> list[dict[str, Any]]:
        context = {
            **self.get_serializer_context(),
            "links": {row.pk: psi_url(row, run_id, plan_nodes=self.plan_nodes) for row in rows},
        }
        return list(ExceptionSerializer(rows, many=True, context=context).data)


class RunExceptionsView(_ExceptionList):
    @_list_schema("runs", OpenApiParameter("run_id", OpenApiTypes.UUID, OpenApiParameter.PATH))
    def get(self, request: Request, run_id: str) -> HttpResponseBase:
        """The run's exceptions (stock-outs, backlogs, unsourced components, capacity,
        excess, divergence from its plan), most severe first; filter, order, page, CSV."""
        try:
            self.run = run_get(run_id=run_id)
        except Run.DoesNotExist:
            raise NotFound() from None
        return self.respond(request)

    def rows(self) -> QuerySet[PlanningException]:
        assert self.run is not None
        return selectors.exceptions_of_run(run=self.run)

    def filename(self) -> str:
        return f"run-{self.run.run_id if self.run else ''}-exceptions.csv"


class PlanExceptionsView(_ExceptionList):
    version: PlanVersion

    @_list_schema(
        "plans", OpenApiParameter("plan_version_id", OpenApiTypes.STR, OpenApiParameter.PATH)
    )
    def get(self, request: Request, plan_version_id: str) -> HttpResponseBase:
        """The plan version's exceptions: its plan's own (late demand, component
        shortages, past-due receipts, unreachable demand) and those of the run that
        executes it; filter, order, page, CSV."""
        self.version = get_object_or_404(PlanVersion, pk=plan_version_id)
        self.run = selectors.plan_version_run(self.version)
        self.plan_nodes = self.version.input_set_id is None
        return self.respond(request)

    def rows(self) -> QuerySet[PlanningException]:
        return selectors.exceptions_of_plan_version(plan_version=self.version)

    def filename(self) -> str:
        return f"plan-{self.version.pk}-exceptions.csv"
