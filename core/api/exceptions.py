"""One error shape for the whole API.

Services raise Django's ``ValidationError`` keyed by field; this handler turns
it into the same 400 body DRF gives for its own validation errors, so clients
read every refusal the same way:

- 400: ``{"<field>": ["message", ...], ...}``; problems that concern the
  request as a whole are under ``non_field_errors``.
- 401, 403, 404, 405, 406, 409, 415, 429: ``{"detail": "message"}``; 410: what is
  left of a removed object.
- 413: a body larger than scpln accepts (``DATA_UPLOAD_MAX_MEMORY_SIZE`` for JSON,
  ``SCPLN_MAX_UPLOAD_BYTES`` for uploads): ``{"detail": ...}`` saying the limit; an
  uploaded file over its limit names its field (``{"file": [...]}``).

Anything else that escapes a view is a bug and stays a 500 (and is logged);
the schema-driven fuzz test in the suite holds the API to zero of those.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict, error_fields


def validation_detail(error: DjangoValidationError) -> dict[str, Any]:
    """A Django ``ValidationError`` as DRF's ``{field: [messages]}`` body."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in error_fields(error).items()
    }


class Gone(exceptions.APIException):
    """410: the object existed and was removed; the body says what is left of it.

    Unlike DRF's own details, the body is sent as given (numbers stay numbers).
    """

    status_code = 410
    default_detail = "Gone."
    default_code = "gone"

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__()
        self.body = body


class PayloadTooLarge(exceptions.APIException):
    """413: ``{"detail": ...}`` for a whole body, ``{"<field>": [...]}`` for one file."""

    status_code = 413
    default_detail = "Request body too large."
    default_code = "payload_too_large"


def request_too_large() -> PayloadTooLarge:
    """413 naming the limit a JSON or form body ran into."""
    return PayloadTooLarge(
        f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes. "
        "Send a large config as a file (multipart/form-data, field `file`)."
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django validation errors (400), missing rows (404), removed
    objects (410 with what is left of them) and the request-size refusals Django raises
    while DRF reads the body (413, 400)."""
    if isinstance(exc, Gone):
        return Response(exc.body, status=exc.status_code)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=409)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = request_too_large()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc))
    return drf_exception_handler(exc, context)
