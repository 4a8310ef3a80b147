"""JSON errors for requests that fail before (or outside) a DRF view.

DRF answers errors inside its views as JSON (core/api/exceptions.py). A path
that matches no route (``/scenarios/abc``: ids are numbers), a body that
Django refuses before the view reads it, or an uncaught server error are
answered by Django's site-wide handlers instead, which render HTML pages.
``docs/api.md`` promises JSON on the API, so the handlers installed in
config/urls.py ask :func:`is_api_path` and answer the API's error shape there,
and the usual pages everywhere else (the web UI, the admin). The 403 and 404 pages
are rendered here rather than by Django's defaults so that, like every other page,
they say their title once (``page_head``) and share one layout (templates/error.html).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from core.pages import PageHead

# The REST API answers at the site root, under these first path segments
# (config/urls.py mounts each app's api/urls.py there); the schema and docs
# are under /api/. tests/test_site.py checks this against the routes.
API_SEGMENTS = ("api", "runs", "plans", "jobs", "scenarios", "configs")
_API_PATH = re.compile(rf"^/({'|'.join(API_SEGMENTS)})(/|$)")


def is_api_path(path: str) -> bool:
    """Does ``path`` belong to the REST API (rather than the UI, admin or operations)?"""
    return bool(_API_PATH.match(path))


def _json(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _page(
    request: HttpRequest, status: int, template: str, title: str | Promise, **context: Any
) -> HttpResponse:
    head = PageHead(title, heading=False)  # the banner holds the <h1>
    return render(request, template, {"page_head": head, **context}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return _json(400, "Bad request.")
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return _json(403, str(exception) or "You do not have permission to perform this action.")
    return _page(request, 403, "403.html", _("Not allowed"), exception=str(exception))


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return _json(404, "Not found.")
    # Http404("No plan version pv-1.") tells the planner what is missing; the
    # resolver's own (no route matched: a dict) and a bare Http404 do not.
    said = exception.args[0] if exception.args else None
    message = said if isinstance(said, str) else ""
    return _page(
        request, 404, "404.html", _("Not found"), message=message, request_path=quote(request.path)
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return _json(500, "Server error.")
    return defaults.server_error(request)
