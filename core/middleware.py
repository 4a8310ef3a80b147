"""Refusing an oversized request before anything reads its body.

Django reads a multipart upload to the end (into memory or a temporary
file) before a view can look at the file's size: a 50 MB upload occupied a
web process for the whole transfer just to be refused afterwards. The
declared ``Content-Length`` is known at once, so a body larger than any
config scpln accepts (``SCPLN_MAX_UPLOAD_BYTES``, plus room for the form's
other fields) is answered 413 before it is read: JSON on the API's paths,
a page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.api.errors import is_api_path
from core.pages import PageHead

# The form fields beside the file (name, description, CSRF token, boundaries).
FORM_ALLOWANCE_BYTES = 1024 * 1024


def request_bytes_limit() -> int:
    return settings.SCPLN_MAX_UPLOAD_BYTES + FORM_ALLOWANCE_BYTES


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_bytes_limit()
        if length > limit:
            message = _(
                "The request is %(size)s bytes; scpln accepts at most %(limit)s "
                "(a config file of up to %(max)s bytes, SCPLN_MAX_UPLOAD_BYTES)."
            ) % {"size": length, "limit": limit, "max": settings.SCPLN_MAX_UPLOAD_BYTES}
            if is_api_path(request.path):
                return JsonResponse({"detail": message}, status=413)
            head = PageHead(_("Too large"), trail=False, heading=False)
            return render(request, "413.html", {"page_head": head, "message": message}, status=413)
        return self.get_response(request)
