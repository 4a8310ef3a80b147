"""The runs API: history, one run, its tables, pinning, deletion, comparison.

Views only parse, call one selector or service, and render.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import pandas as pd
from django.core.paginator import InvalidPage, Paginator
from django.http.response import HttpResponseBase
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.audit import (
    EventSerializer,
    NoteInputSerializer,
    NoteSerializer,
    ReasonInputSerializer,
)
from core.api.exceptions import Gone
from core.api.inputs import validated
from core.api.pagination import LargePagination, Pagination
from core.api.renderers import (
    CSVErrorsAsJSONMixin,
    CSVRenderer,
    csv_format_parameter,
    wants_csv,
)
from core.api.schema import ViewMethod
from core.audit import events_for, notes_for
from core.downloads import frame_download, rows_download
from core.users import acting_user
from runs import selectors, services
from runs.api.serializers import (
    CompareQuerySerializer,
    ComparisonSerializer,
    RunDetailSerializer,
    RunListSerializer,
    SetComparisonSerializer,
    TablePageSerializer,
    TableQuerySerializer,
    TagsInputSerializer,
    TombstoneSerializer,
)
from runs.filters import RunFilter
from runs.models import Run
from runs.registry import get_registry

RUN_ID = OpenApiParameter(
    "run_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The run's `run_id`."
)


def run_endpoint(
    operation_id: str | None = None, *, parameters: Sequence[Any] = (), **schema: Any
) -> Callable[[ViewMethod], ViewMethod]:
    """The OpenAPI description of an endpoint on one run, with the ``run_id`` path
    parameter first (then ``parameters``); without an ``operation_id``, the one
    drf-spectacular derives from the path and method (``runs_retrieve``)."""
    return extend_schema(operation_id=operation_id, parameters=[RUN_ID, *parameters], **schema)


CSV_FORMAT = csv_format_parameter(
    "`csv` for a CSV download of the whole (filtered) result instead of JSON pages."
)


def _run(run_id: str) -> Run:
    """The run, or 410 with its tombstone when it was removed, or 404."""
    try:
        return selectors.run_get(run_id=run_id)
    except Run.DoesNotExist:
        tombstone = selectors.run_tombstone(run_id=run_id)
        if tombstone is None:
            raise
        raise Gone(TombstoneSerializer(tombstone).data) from None


GONE = {410: OpenApiResponse(TombstoneSerializer, description="The run was removed.")}


class RunListView(ListAPIView):
    """Run history: every recorded simulation, newest first."""

    serializer_class = RunListSerializer
    queryset = Run.objects.none()  # the model, for the schema; rows come from the registry
    filter_backends = [DjangoFilterBackend]
    filterset_class = RunFilter
    pagination_class = Pagination

    def get(self, request: Request) -> Response:
        runs = selectors.run_list(params=request.query_params)
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class _RunView(GenericAPIView):
    serializer_class = RunDetailSerializer

    def render_run(self, run: Run) -> Response:
        context = {**self.get_serializer_context(), "result_meta": get_registry().result_meta(run)}
        return Response(RunDetailSerializer(run, context=context).data)


class RunDetailView(_RunView):
    write_permissions = {"DELETE": "runs.delete_run"}

    @run_endpoint(responses={200: RunDetailSerializer, **GONE})
    def get(self, request: Request, run_id: str) -> Response:
        """One run: plan version, plan, scenario, config and job it belongs to, KPIs, links."""
        return self.render_run(_run(run_id))

    @run_endpoint(responses={204: None})
    def delete(self, request: Request, run_id: str) -> Response:
        """Delete a run and its result (`runs.delete_run`); a pinned run must be unpinned first."""
        services.run_delete(run=_run(run_id), user=acting_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RunPinView(_RunView):
    write_permissions = {"POST": "runs.change_run"}

    @run_endpoint("runs_pin", request=None)
    def post(self, request: Request, run_id: str) -> Response:
        """Pin the run: retention never deletes it. Needs `runs.change_run`."""
        return self.render_run(services.run_pin(run=_run(run_id), user=acting_user(request)))


class RunUnpinView(_RunView):
    write_permissions = {"POST": "runs.change_run"}

    @run_endpoint("runs_unpin", request=None)
    def post(self, request: Request, run_id: str) -> Response:
        """Release the run to retention again. Needs `runs.change_run`."""
        return self.render_run(services.run_unpin(run=_run(run_id), user=acting_user(request)))


class RunArchiveView(_RunView):
    write_permissions = {"POST": "runs.change_run"}
    archived = True

    @run_endpoint(
        "runs_archive",
        request=ReasonInputSerializer,
        responses={200: RunDetailSerializer, **GONE},
    )
    def post(self, request: Request, run_id: str) -> Response:
        """Hide the run from the default history (`runs.change_run`); it stays, with its
        result and links, and `?archived=true` lists it."""
        body = validated(ReasonInputSerializer, request.data)
        run = services.run_set_archived(
            run=_run(run_id),
            archived=self.archived,
            user=acting_user(request),
            note=body["note"],
        )
        return self.render_run(run)


# Archive's twin: the same request and answers (with its post), its own id and sentence.
@extend_schema_view(
    post=run_endpoint(
        "runs_unarchive",
        description="Show the run in the default history again (`runs.change_run`).",
    )
)
class RunUnarchiveView(RunArchiveView):
    archived = False


class RunTagsView(_RunView):
    write_permissions = {"POST": "runs.change_run"}

    @run_endpoint(
        "runs_tags",
        request=TagsInputSerializer,
        responses={200: RunDetailSerializer, **GONE},
    )
    def post(self, request: Request, run_id: str) -> Response:
        """Replace the run's tags (`runs.change_run`)."""
        body = validated(TagsInputSerializer, request.data)
        run = services.run_set_tags(run=_run(run_id), tags=body["tags"], user=acting_user(request))
        return self.render_run(run)


class RunNotesView(GenericAPIView):
    serializer_class = NoteSerializer
    queryset = Run.objects.none()
    write_permissions = {"POST": "runs.change_run"}

    @run_endpoint(responses={200: NoteSerializer(many=True), **GONE})
    def get(self, request: Request, run_id: str) -> Response:
        """The run's notes, newest first."""
        run = _run(run_id)
        return Response(NoteSerializer(notes_for(Run, run.pk), many=True).data)

    @run_endpoint(request=NoteInputSerializer, responses={201: NoteSerializer, **GONE})
    def post(self, request: Request, run_id: str) -> Response:
        """Add a note to the run (`runs.change_run`); also an audit event."""
        body = validated(NoteInputSerializer, request.data)
        note = services.run_note_add(run=_run(run_id), text=body["text"], user=acting_user(request))
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class RunEventsView(GenericAPIView):
    serializer_class = EventSerializer
    queryset = Run.objects.none()

    @run_endpoint("runs_events", responses=EventSerializer(many=True))
    def get(self, request: Request, run_id: str) -> Response:
        """The run's audit trail, newest first: pins, archiving, notes, tags, its removal.
        Kept after the run is removed."""
        try:
            run_uuid = uuid.UUID(str(run_id))
        except ValueError:
            raise NotFound from None
        events = events_for(Run, run_uuid)
        if not events.exists() and selectors.run_tombstone(run_id=run_uuid) is None:
            _run(run_id)  # 404 for a run that never existed
        return Response(EventSerializer(events, many=True).data)


class _PagedFrame:
    """A DataFrame as a sequence Django's Paginator can slice."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, key: slice) -> pd.DataFrame:
        return self.frame.iloc[key]


class _TablePagination(LargePagination):
    django_paginator_class = Paginator

    def paginate_queryset(self, queryset, request, view=None):
        # DRF's version returns list(page), which for a DataFrame is its column
        # names; keep the page's frame instead.
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFound(self.invalid_page_message) from None
        return self.page.object_list

    def get_paginated_response(self, data: Any) -> Response:
        columns, rows = data
        assert self.page is not None  # set by paginate_queryset
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "columns": columns,
                "results": rows,
            }
        )


def _records(frame: pd.DataFrame) -> list[dict[Hashable, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict("records")


class RunTableView(CSVErrorsAsJSONMixin, GenericAPIView):
    table = "psi"
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = _TablePagination

    def get(self, request: Request, run_id: str) -> HttpResponseBase:
        run = _run(run_id)
        params = validated(TableQuerySerializer, request.query_params)
        frame = selectors.run_table(run=run, table=self.table, query=selectors.TableQuery(**params))
        if wants_csv(request):
            bucket = params["bucket"]
            return frame_download(frame, filename=f"run-{run.run_id}-{self.table}-{bucket}.csv")
        # _TablePagination's paginate_queryset takes a frame, not a queryset.
        paginator = self.paginator
        assert isinstance(paginator, _TablePagination)
        page = paginator.paginate_queryset(_PagedFrame(frame), request, view=self)
        return self.get_paginated_response((list(frame.columns), _records(page)))


def _table_schema(table: str, title: str, responses: dict[int, OpenApiResponse] | None = None):
    return extend_schema_view(
        get=run_endpoint(
            f"runs_{table}",
            parameters=[TableQuerySerializer, CSV_FORMAT],
            responses={
                200: OpenApiResponse(
                    TablePageSerializer,
                    description=f"A page of {title} rows (JSON), or with `format=csv` the "
                    "whole filtered table as CSV.",
                ),
                **(responses or {}),
            },
            summary=f"The run's {title}",
            description=f"The run's {title}, filtered by node, item and day range, at a day, "
            "week or month grain (flows summed, stocks at the period end).",
        )
    )


@_table_schema("psi", "daily PSI (production, sales, inventory per node × item)")
class RunPsiView(RunTableView):
    table = "psi"


@_table_schema("pl", "P&L")
class RunPlView(RunTableView):
    table = "pl"


@_table_schema(
    "trace",
    "cost trace",
    {
        409: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="The trace is built on its first request by re-running the run from "
            "its stored inputs; `detail` says why that re-run is not the recorded run (e.g. "
            "the engine changed since), so no trace can be given.",
        )
    },
)
class RunTraceView(RunTableView):
    table = "trace"


def _set_csv(body: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per KPI of a replication-set comparison."""
    columns = ["base_mean", "other_mean", "n", "mean", "ci_low", "ci_high", "statement"]
    rows = [
        [name, *("" if d[c] is None else d[c] for c in columns), body["method"]]
        for name, d in body["kpis"].items()
    ]
    return ["kpi", *columns, "method"], rows


class RunCompareView(CSVErrorsAsJSONMixin, GenericAPIView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        operation_id="runs_compare",
        parameters=[CompareQuerySerializer, CSV_FORMAT],
        responses=PolymorphicProxySerializer(
            component_name="RunsCompareResult",
            serializers=[ComparisonSerializer, SetComparisonSerializer],
            resource_type_field_name=None,
        ),
    )
    def get(self, request: Request) -> HttpResponseBase:
        """KPIs of 2–10 runs side by side, deltas against the base, and what differs;
        or, with `sets=A,B`, two replication sets with uncertainty.

        `delta_pct` = 100 × (value − base) / |base|; when the base is 0 it is 0 if
        the value is 0 too and null otherwise. With `threshold` (percent), a KPI is
        `significant` when |delta_pct| ≥ threshold, or when the base is 0 and the
        value is not. With `sets`, per KPI B − A with its 95 % confidence interval
        (`method`: `paired` by replication when the sets share a seed, else `welch`),
        the better set and a statement ("Set #B is better at 95 %" or "No significant
        difference at 95 %").
        """
        data = validated(CompareQuerySerializer, request.query_params)
        if "sets" in data:
            body = selectors.replication_sets_compare(set_ids=data["sets"])
            if wants_csv(request):
                return rows_download(*_set_csv(body), filename="replication-sets-compare.csv")
            return Response(SetComparisonSerializer(body).data)
        comparison = selectors.run_compare(
            run_ids=data["ids"], base_id=data.get("base"), threshold=data.get("threshold")
        )
        if wants_csv(request):
            header, rows = comparison.csv_rows()
            return rows_download(header, rows, filename="runs-compare.csv")
        return Response(
            ComparisonSerializer(comparison, context=self.get_serializer_context()).data
        )
