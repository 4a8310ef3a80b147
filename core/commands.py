"""What every scpln management command shares: refusals print, they don't crash."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.errors import error_lines


def validation_failure(exc: ValidationError) -> CommandError:
    """A CommandError (non-zero exit, no traceback) listing every error by field."""
    return CommandError("\n".join(error_lines(exc)))
