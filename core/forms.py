"""Between a form and a service: its values passed on, a service's refusal put onto the form
the planner filled in; a form's fields by class."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.errors import error_fields

F = TypeVar("F", bound=forms.Field)


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: Mapping[str, str | None] | None = None
) -> None:
    """Show each message of a service's ``ValidationError`` at the field it names.

    Services key errors by their own argument names; ``field_map`` renames
    those that differ from the form's (``run_id`` → ``run``); a key mapped to
    None, ``__all__``, or a key the form has no field for is a non-field error,
    so no message is ever dropped.
    """
    field_map = dict(field_map or {})
    for key, messages in error_fields(error).items():
        field = field_map.get(key, key)
        if field == NON_FIELD_ERRORS or field not in form.fields:
            field = None
        form.add_error(field, messages)


def picked(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The named values of a form's cleaned data (or a job's params), for a service whose
    arguments bear the same names: the names are written once, at the call."""
    return {name: data[name] for name in names}


@contextmanager
def service_errors(
    form: forms.BaseForm, field_map: Mapping[str, str | None] | None = None
) -> Iterator[None]:
    """Call a service for a valid form: a ``ValidationError`` it raises lands on the form
    (:func:`add_service_errors`) and ends the block, so the view goes on to show the form
    again; the rest of the block (message, redirect) is the success path."""
    try:
        yield
    except ValidationError as error:
        add_service_errors(form, error, field_map)


def declared_field(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """``form.fields[name]`` as the field class it was declared with.

    ``form.fields`` holds plain ``Field``s to a type checker; a form that fills in
    a field's choices or queryset when it is built takes the field from here.
    """
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field
