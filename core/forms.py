"""Putting a service's refusal onto the form the planner filled in."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.errors import error_fields


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: Mapping[str, str | None] = ()
) -> None:
    """Show each message of a service's ``ValidationError`` at the field it names.

    Services key errors by their own argument names; ``field_map`` renames
    those that differ from the form's (``run_id`` → ``run``); a key mapped to
    None, ``__all__``, or a key the form has no field for is a non-field error,
    so no message is ever dropped.
    """
    field_map = dict(field_map)
    for key, messages in error_fields(error).items():
        field = field_map.get(key, key)
        if field == NON_FIELD_ERRORS or field not in form.fields:
            field = None
        form.add_error(field, messages)
