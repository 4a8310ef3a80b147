"""What every scpln management command shares: refusals print, they don't crash."""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Manager, Model, QuerySet

from core.errors import error_lines

M = TypeVar("M", bound=Model)


def validation_failure(exc: ValidationError) -> CommandError:
    """A CommandError (non-zero exit, no traceback) listing every error by field."""
    return CommandError("\n".join(error_lines(exc)))


class ServiceCommand(BaseCommand):
    """A command over the services: its docstring is its ``--help``, and a refusal (a
    ``ValidationError`` from a service) ends it with every error by field, no traceback."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.help = inspect.cleandoc(cls.__doc__)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except ValidationError as exc:
            raise validation_failure(exc) from None


def existing(rows: Manager[M] | QuerySet[M], pk: object, *, missing: str) -> M:
    """The row a command's argument names, or a CommandError ``"<missing> <pk>"``."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise CommandError(f"{missing} {pk}")
    return found
