"""A service's refusal (a Django ``ValidationError``), flattened the one way every
interface shows it: by field for forms and the API, as lines for messages,
commands and job errors."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def error_fields(error: ValidationError) -> dict[str, list[str]]:
    """``{field: [messages]}``; messages about the request as a whole under ``__all__``."""
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}


def error_lines(error: ValidationError, labels: Mapping[str, str] | None = None) -> list[str]:
    """Every message as a line, “field: message” (the field by its label when given)."""
    names = dict(labels or {})
    return [
        message if field == NON_FIELD_ERRORS else f"{names.get(field, field)}: {message}"
        for field, messages in error_fields(error).items()
        for message in messages
    ]


class Conflict(Exception):
    """A request that the object's current state does not allow (the API answers 409).

    Not a ``ValidationError``: nothing in the request is wrong, the object is
    in another state than the caller thought.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
