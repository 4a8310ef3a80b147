"""The /plans API: list and read plan versions, create and execute plans."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.audit import (
    EventSerializer,
    NoteInputSerializer,
    NoteSerializer,
    ReasonInputSerializer,
)
from core.api.inputs import validated
from core.api.links import link
from core.api.permissions import AnyOf
from core.api.renderers import CSVErrorsAsJSONMixin, CSVRenderer, wants_csv
from core.audit import events_for, notes_for
from core.downloads import frame_download
from core.users import acting_user
from plans import selectors, services
from plans.api import serializers as s
from plans.filters import PlanVersionFilter
from plans.models import PlanArtifact, PlanVersion
from plans.services.artifacts import artifact_frame
from plans.services.lifecycle import CHANGE, TRANSITIONS, plan_version_transition


def _created(request: Request, version: PlanVersion) -> Response:
    job = version.jobs.latest("created_at")  # creating the version queued it
    url = link(request, "plans-api:detail", version.pk)
    body = s.PlanCreatedSerializer(
        {
            "plan_version_id": version.pk,
            "plan_id": version.plan_id,
            "job_id": job.pk,
            "url": url,
            "job_url": link(request, "jobs-api:detail", job.pk),
        }
    ).data
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": url})


class PlanListCreateView(generics.ListAPIView):
    """Plan versions, newest first; POST creates a plan and queues its planning job."""

    serializer_class = s.PlanVersionSerializer
    filterset_class = PlanVersionFilter
    queryset = PlanVersion.objects.none()
    write_permissions = {"POST": "plans.add_plan"}

    def get_queryset(self):
        return selectors.plan_version_list()

    @extend_schema(request=s.PlanCreateInputSerializer, responses={201: s.PlanCreatedSerializer})
    def post(self, request: Request) -> Response:
        values = validated(s.PlanCreateInputSerializer, request.data)
        version = services.plan_create(
            name=values["name"],
            description=values["description"],
            base_scenario=values["base_scenario"],
            config_version=values["config_version"],
            input_set=values.get("input_set"),
            parameters=_parameters(values.get("parameters")),
            user=acting_user(request),
        )
        return _created(request, version)


def _parameters(values: dict | None) -> dict:
    out = dict(values or {})
    if out.get("cutover_date") is not None:
        out["cutover_date"] = out["cutover_date"].isoformat()
    return out


class PlanDetailView(generics.RetrieveAPIView):
    """One plan version with its runs, jobs and artifacts."""

    serializer_class = s.PlanVersionDetailSerializer
    queryset = PlanVersion.objects.none()

    def get_object(self) -> PlanVersion:
        try:
            return selectors.plan_version_detail(plan_version_id=self.kwargs["plan_version_id"])
        except PlanVersion.DoesNotExist:
            raise Http404 from None


class PlanExecuteView(APIView):
    """Generate the plan again as a new version (the old one is kept)."""

    write_permissions = {"POST": "plans.add_planversion"}

    @extend_schema(request=s.PlanExecuteInputSerializer, responses={201: s.PlanCreatedSerializer})
    def post(self, request: Request, plan_version_id: str) -> Response:
        version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=plan_version_id)
        data = validated(s.PlanExecuteInputSerializer, request.data)
        new = services.plan_version_execute_again(
            plan_version=version,
            parameters=_parameters(data.get("parameters")),
            user=acting_user(request),
        )
        return _created(request, new)


class PlanArtifactView(CSVErrorsAsJSONMixin, APIView):
    """One table of a plan version, as JSON rows or CSV (``?format=csv``)."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, enum=["json", "csv"], description="json (default) or csv"
            )
        ],
        responses={200: s.PlanArtifactTableSerializer},
    )
    def get(self, request: Request, plan_version_id: str, name: str) -> HttpResponse | Response:
        try:
            artifact = selectors.plan_artifact_get(plan_version_id=plan_version_id, name=name)
        except PlanArtifact.DoesNotExist:
            raise Http404 from None
        frame = artifact_frame(artifact)
        if wants_csv(request):
            return frame_download(frame, filename=f"{plan_version_id}-{name}.csv")
        return Response(
            {
                "name": artifact.name,
                "kind": artifact.kind,
                "columns": artifact.columns,
                "rows": json.loads(frame.to_json(orient="records", date_format="iso")),
            }
        )


class AggregateJobView(APIView):
    """Queue an aggregate job: reprocess a run of a plan version into a table tied to it."""

    write_permissions = {"POST": "jobs.add_job"}

    @extend_schema(
        request=s.AggregateJobInputSerializer, responses={201: s.AggregateJobCreatedSerializer}
    )
    def post(self, request: Request) -> Response:
        values = validated(s.AggregateJobInputSerializer, request.data)
        job = services.plan_aggregation_create(
            plan_version=values["plan_version"],
            run=values.get("run"),
            bucket=values["bucket"],
            group_by=values["group_by"],
            fields=values["fields"],
            user=acting_user(request),
        )
        url = link(request, "jobs-api:detail", job.pk)
        body = {"job_id": job.pk, "plan_version_id": job.subject_id, "url": url}
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": url})


class PlanTransitionView(APIView):
    """One move of a plan version's life (plans/services/lifecycle.py)."""

    action = ""
    queryset = PlanVersion.objects.none()

    def post(self, request: Request, plan_version_id: str) -> Response:
        version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=plan_version_id)
        body = validated(ReasonInputSerializer, request.data)
        version = plan_version_transition(
            version=version,
            action=self.action,
            user=acting_user(request),
            note=body["note"],
        )
        detail = selectors.plan_version_detail(plan_version_id=version.pk)
        return Response(s.PlanVersionDetailSerializer(detail, context={"request": request}).data)


def _transition_view(action: str, doc: str) -> type[PlanTransitionView]:
    """The view of one transition, documented for the schema (role, states, refusals)."""
    transition = TRANSITIONS[action]
    role = "approvers (`plans.approve_planversion`)"
    if transition.permission == CHANGE:
        role = "planners (`plans.change_planversion`)"
    sources = ", ".join(f"`{state}`" for state in transition.sources)
    description = (
        f"{doc} For {role}; from {sources} to `{transition.target}`. "
        + ("The `note` (the reason) is required. " if transition.reason_required else "")
        + "403 for another role, 409 when the version's state does not allow it."
    )

    def post(self: PlanTransitionView, request: Request, plan_version_id: str) -> Response:
        return PlanTransitionView.post(self, request, plan_version_id)

    # A function of its own per view: extend_schema annotates the function it is given.
    decorated = extend_schema(
        operation_id=f"plans_{action}",
        request=ReasonInputSerializer,
        responses={
            200: s.PlanVersionDetailSerializer,
            409: OpenApiResponse(description="Not allowed from the current state."),
        },
        description=description,
    )(post)
    return type(
        f"Plan{action.title()}View",
        (PlanTransitionView,),
        {
            "action": action,
            "post": decorated,
            "write_permissions": {"POST": transition.permission},
        },
    )


PlanSubmitView = _transition_view("submit", "Submit the plan version for approval.")
PlanApproveView = _transition_view(
    "approve",
    "Approve: its latest run becomes the plan's baseline and its runs are kept by retention; "
    "the plan's previously approved version is superseded.",
)
PlanRejectView = _transition_view("reject", "Send it back to the planner with the reason.")
PlanReleaseView = _transition_view("release", "Release the approved plan to those who execute it.")
PlanArchiveView = _transition_view("archive", "Put a version that is not in use away.")


class PlanEventsView(APIView):
    queryset = PlanVersion.objects.none()

    @extend_schema(operation_id="plans_events", responses=EventSerializer(many=True))
    def get(self, request: Request, plan_version_id: str) -> Response:
        """The plan version's audit trail, newest first: every transition, note and decision."""
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        return Response(EventSerializer(events_for(PlanVersion, version.pk), many=True).data)


class PlanNotesView(APIView):
    queryset = PlanVersion.objects.none()
    # Planners and approvers both comment on a version.
    write_permissions = {"POST": AnyOf(("plans.change_planversion", "plans.approve_planversion"))}

    @extend_schema(responses=NoteSerializer(many=True))
    def get(self, request: Request, plan_version_id: str) -> Response:
        """The plan version's notes, newest first."""
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        return Response(NoteSerializer(notes_for(PlanVersion, version.pk), many=True).data)

    @extend_schema(request=NoteInputSerializer, responses={201: NoteSerializer})
    def post(self, request: Request, plan_version_id: str) -> Response:
        """Add a note (planners and approvers); also an audit event."""
        version = get_object_or_404(PlanVersion, pk=plan_version_id)
        body = validated(NoteInputSerializer, request.data)
        note = services.plan_version_note_add(
            version=version, text=body["text"], user=acting_user(request)
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
