"""CSV as a second representation of table and comparison endpoints.

``?format=csv`` (or ``Accept: text/csv``) selects it. The view writes the CSV
itself with core/downloads.py (it knows the columns); the renderer exists so
DRF's content negotiation accepts the format. Errors are always answered as JSON, whatever
format was asked for, so a client never has to parse an error out of CSV.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode()
        return JSONRenderer().render(data)


class CSVErrorsAsJSONMixin:
    """Render error responses as JSON even when CSV was negotiated."""

    def finalize_response(self, request: Request, response, *args, **kwargs):
        if getattr(response, "exception", False) and isinstance(
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        # A mixin: the APIView after it in the MRO has finalize_response.
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


def wants_csv(request: Request) -> bool:
    return isinstance(getattr(request, "accepted_renderer", None), CSVRenderer)


def csv_format_parameter(description: str) -> OpenApiParameter:
    """The ``?format=json|csv`` query parameter that chooses :class:`CSVRenderer`,
    documented with what the endpoint's CSV holds."""
    return OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=["json", "csv"],
        description=description,
    )
