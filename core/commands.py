"""What every scpln management command shares: refusals print, they don't crash."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import Manager, Model, QuerySet

from core.errors import error_lines

M = TypeVar("M", bound=Model)


def validation_failure(exc: ValidationError) -> CommandError:
    """A CommandError (non-zero exit, no traceback) listing every error by field."""
    return CommandError("\n".join(error_lines(exc)))


def existing(rows: Manager[M] | QuerySet[M], pk: object, *, missing: str) -> M:
    """The row a command's argument names, or a CommandError ``"<missing> <pk>"``."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise CommandError(f"{missing} {pk}")
    return found
