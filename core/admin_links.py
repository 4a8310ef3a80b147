"""Links between related objects in the admin, so operators can follow a run
to its plan version, plan and scenario (and back) without copying ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

if TYPE_CHECKING:  # a development dependency: the runtime install has no django-stubs
    from django_stubs_ext import StrOrPromise


def change_link(obj: Model | None, label: object | None = None) -> str:
    """An HTML link to the object's change page, or a dash when there is none."""
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


def changelist_link(model: type[Model] | str, label: object, **filters: str | int) -> str:
    """An HTML link to a changelist filtered by ``filters`` (e.g. ``plan_version__exact``).

    ``model`` may be a label (``"runs.run"``), so an app links to the admin of
    an app above it without importing it.
    """
    app_label, model_name = (
        model.split(".")
        if isinstance(model, str)
        else (model._meta.app_label, model._meta.model_name)
    )
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), label)


def change_column(
    field: str, description: StrOrPromise, *, ordering: str | None = None
) -> Callable[[Any, Any], str]:
    """An admin column (for ``list_display`` or ``readonly_fields``) linking to the
    object ``field`` points at (dotted for a hop further: ``"plan_version.plan"``),
    a dash when it points at none."""

    @admin.display(description=description, ordering=ordering)
    def column(modeladmin: Any, obj: Any) -> str:
        target = obj
        for name in field.split("."):
            target = getattr(target, name) if target is not None else None
        return change_link(target)

    return column


def changelist_column(
    model: type[Model] | str, description: StrOrPromise, lookup: str
) -> Callable[[Any, Any], str]:
    """An admin column linking to ``model``'s changelist filtered on this object
    (``lookup`` = its primary key), labelled like the column."""

    @admin.display(description=description)
    def column(modeladmin: Any, obj: Any) -> str:
        return changelist_link(model, description, **{lookup: obj.pk})

    return column
