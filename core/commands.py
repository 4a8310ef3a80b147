"""What every scpln management command shares: refusals print, they don't crash."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def validation_failure(exc: ValidationError) -> CommandError:
    """A CommandError (non-zero exit, no traceback) listing every error by field."""
    if hasattr(exc, "error_dict"):
        lines = [
            f"{field}: {message}" if field != "__all__" else message
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        lines = list(exc.messages)
    return CommandError("\n".join(lines))
