"""CSV as a second representation of table and comparison endpoints.

``?format=csv`` (or ``Accept: text/csv``) selects it. The view writes the CSV
itself (it knows the columns); the renderer exists so DRF's content
negotiation accepts the format. Errors are always answered as JSON, whatever
format was asked for, so a client never has to parse an error out of CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


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
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


def wants_csv(request: Request) -> bool:
    return isinstance(getattr(request, "accepted_renderer", None), CSVRenderer)


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, filename: str
) -> HttpResponse:
    """A CSV download (UTF-8, comma-separated, header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_text_response(text: str, *, filename: str) -> Response | HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
