"""The scenarios and configs API: thin views over scenarios.services/selectors."""

from __future__ import annotations

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.inputs import validated
from core.api.parsers import JSONParser
from core.users import acting_user
from jobs.api.serializers import JobDetailSerializer
from jobs.models import Job
from scenarios import selectors, services, uploads
from scenarios.api.serializers import (
    ConfigDiffQuerySerializer,
    ConfigImportSerializer,
    ConfigOutputSerializer,
    ConfigUpdateSerializer,
    ScenarioInputSerializer,
    ScenarioLockSerializer,
    ScenarioOutputSerializer,
)
from scenarios.filters import ConfigVersionFilter, ScenarioFilter
from scenarios.limits import runs_inline
from scenarios.models import ConfigVersion, Scenario


def _body_bytes(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _accepted(request: Request, job: Job) -> Response:
    """202: the work was queued as ``job``; poll it at ``Location``."""
    body = JobDetailSerializer(job, context={"request": request}).data
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


def _scenario(pk: int) -> Scenario:
    return selectors.scenario_get(scenario_id=pk)


def _config(pk: int, *, with_document: bool = False) -> ConfigVersion:
    return selectors.config_get(config_id=pk, with_document=with_document)


# --- Scenarios -------------------------------------------------------------------


class ScenarioListView(ListAPIView):
    serializer_class = ScenarioOutputSerializer
    queryset = Scenario.objects.none()
    filterset_class = ScenarioFilter
    write_permissions = {"POST": "scenarios.add_scenario"}

    def get(self, request: Request) -> Response:
        """Scenarios, by name; filter by name, lock state and parent."""
        page = self.paginate_queryset(selectors.scenario_list(params=request.query_params))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=ScenarioInputSerializer, responses={201: ScenarioOutputSerializer})
    def post(self, request: Request) -> Response:
        """Create a scenario (`scenarios.add_scenario`)."""
        data = ScenarioInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scenario = services.scenario_create(user=acting_user(request), **data.service_fields())
        return Response(self.get_serializer(scenario).data, status=status.HTTP_201_CREATED)


class ScenarioDetailView(GenericAPIView):
    serializer_class = ScenarioOutputSerializer
    write_permissions = {
        "PUT": "scenarios.change_scenario",
        "PATCH": "scenarios.change_scenario",
        "DELETE": "scenarios.delete_scenario",
    }

    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(_scenario(pk)).data)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        scenario = _scenario(pk)
        data = ScenarioInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        scenario = services.scenario_update(
            scenario=scenario, user=acting_user(request), **data.service_fields()
        )
        return Response(self.get_serializer(scenario).data)

    @extend_schema(
        request=ScenarioInputSerializer,
        description="Replace the scenario's fields (`scenarios.change_scenario`). "
        "A locked scenario is refused with a 400 under `locked` saying who locked it and when.",
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=ScenarioInputSerializer,
        description="Change some fields (`scenarios.change_scenario`); locked scenarios refused.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Delete an unlocked scenario no plan version or run uses (`scenarios.delete_scenario`)."""
        services.scenario_delete(scenario=_scenario(pk), user=acting_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ScenarioChangeView(GenericAPIView):
    """A POST that changes the scenario and answers with it (`scenarios.change_scenario`)."""

    serializer_class = ScenarioOutputSerializer
    write_permissions = {"POST": "scenarios.change_scenario"}


class ScenarioLockView(_ScenarioChangeView):
    @extend_schema(operation_id="scenarios_lock", request=ScenarioLockSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Lock the scenario with a reason: no edits, deletion, plans or runs until unlocked."""
        data = validated(ScenarioLockSerializer, request.data)
        scenario = services.scenario_lock(
            scenario=_scenario(pk),
            user=acting_user(request),
            reason=data.get("reason", ""),
        )
        return Response(self.get_serializer(selectors.scenario_get(scenario_id=scenario.pk)).data)


class ScenarioUnlockView(_ScenarioChangeView):
    @extend_schema(operation_id="scenarios_unlock", request=None)
    def post(self, request: Request, pk: int) -> Response:
        """Unlock the scenario (`scenarios.change_scenario`)."""
        scenario = services.scenario_unlock(scenario=_scenario(pk), user=acting_user(request))
        return Response(self.get_serializer(scenario).data)


# --- Config versions -------------------------------------------------------------


class ConfigListView(ListAPIView):
    serializer_class = ConfigOutputSerializer
    queryset = ConfigVersion.objects.none()
    filterset_class = ConfigVersionFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    write_permissions = {"POST": "scenarios.add_configversion"}

    def get(self, request: Request) -> Response:
        """Config versions, newest first (documents are downloaded separately)."""
        page = self.paginate_queryset(selectors.config_list(params=request.query_params))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="configs_import",
        request={
            "application/json": ConfigImportSerializer,
            "multipart/form-data": ConfigImportSerializer,
        },
        responses={
            201: OpenApiResponse(ConfigOutputSerializer, description="Imported."),
            200: OpenApiResponse(
                ConfigOutputSerializer,
                description="The same content was already imported; that version is returned.",
            ),
            202: OpenApiResponse(
                JobDetailSerializer,
                description="Larger than SCPLN_CONFIG_INLINE_BYTES: imported by this job "
                "(`Location`); its result names the config version.",
            ),
            413: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='The file is larger than SCPLN_MAX_UPLOAD_BYTES (`{"file": [...]}`),'
                ' or the body larger than the request limit (`{"detail": ...}`).',
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Import a canonical-1.0 config (`scenarios.add_configversion`).

        Send `{"document": {...}, "name": "..."}` as JSON, the bare canonical
        document itself, or a multipart upload with `file`. An invalid document is
        refused with **every** problem listed under `document` (`path: message`).
        """
        payload = request.data
        bare = isinstance(payload, dict) and "meta" in payload
        if bare and not {"document", "file"} & set(payload):
            payload = {"document": payload}
        fields = validated(ConfigImportSerializer, payload)
        if "data" not in fields and not runs_inline(_body_bytes(request)):
            fields["data"] = json.dumps(fields.pop("document")).encode()
        if "data" in fields:
            return _accepted(
                request, uploads.config_import_enqueue(user=acting_user(request), **fields)
            )
        config, created = services.config_import(user=acting_user(request), **fields)
        config = selectors.config_get(config_id=config.pk)
        return Response(
            self.get_serializer(config).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConfigDetailView(GenericAPIView):
    serializer_class = ConfigOutputSerializer
    write_permissions = {"PATCH": "scenarios.change_configversion"}

    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(_config(pk)).data)

    @extend_schema(request=ConfigUpdateSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        """Rename, describe or archive (`scenarios.change_configversion`).

        The document itself never changes: a changed network is a new import.
        """
        config = _config(pk)
        data = validated(ConfigUpdateSerializer, request.data)
        config = services.config_update(config=config, **data)
        return Response(self.get_serializer(config).data)


class ConfigDocumentView(GenericAPIView):
    renderer_classes = [JSONRenderer]  # always the JSON file, also from a browser

    @extend_schema(
        operation_id="configs_document",
        responses={(200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        """Download the canonical document exactly as imported."""
        config = _config(pk, with_document=True)
        response = Response(config.document)
        response["Content-Disposition"] = f'attachment; filename="config-{config.pk}.json"'
        return response


class ConfigDiffView(GenericAPIView):
    @extend_schema(
        operation_id="configs_diff",
        parameters=[ConfigDiffQuerySerializer],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "`identical`, `meta` field changes, and per entity kind (items, nodes, "
                    "inventory_policies, production_policies, arcs, bom, demands, capacities, "
                    "calendars, hierarchies) the keys `added`, `removed` and `changed` "
                    "(field, old, new); `text` is the same as readable lines."
                ),
            ),
            202: OpenApiResponse(
                JobDetailSerializer,
                description="A config larger than SCPLN_CONFIG_INLINE_BYTES: the diff is "
                "computed by this job; ask again once it succeeded (or read its result, "
                "where each kind also has `counts`).",
            ),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        """What changed from this config version to the one given by `to`, entity by entity."""
        params = validated(ConfigDiffQuerySerializer, request.query_params)
        diff, job = uploads.config_diff_or_job(
            from_id=pk,
            to_id=params["to"],
            limit=params["limit"],
            user=acting_user(request),
        )
        if diff is None and job is not None:
            return _accepted(request, job)
        return Response(diff)
