"""What a locked-out login gets: a 429 page on the login forms, a 429 JSON on the API.

django-axes locks a username + address out after ``SCPLN_LOGIN_FAILURE_LIMIT``
wrong passwords, wherever the password was typed (the login form, the admin's,
``POST /api/token``), and its middleware answers the attempt with this
response (``AXES_LOCKOUT_CALLABLE``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.api.errors import is_api_path
from core.pages import PageHead


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    minutes = lockout_minutes()
    if is_api_path(request.path):
        response: HttpResponse = JsonResponse(
            {
                "detail": _(
                    "Too many failed logins for this account from your address; "
                    "try again in %(minutes)d minutes."
                )
                % {"minutes": minutes}
            },
            status=429,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {
                "page_head": PageHead(_("Too many failed logins"), trail=False, heading=False),
                "cooloff_minutes": minutes,
            },
            status=429,
        )
    response["Retry-After"] = str(minutes * 60)
    return response
