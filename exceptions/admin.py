"""Exceptions in the admin: read only (the engine computes them; nobody edits one)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from exceptions.models import PlanningException


@admin.register(PlanningException)
class PlanningExceptionAdmin(ReadOnlyAdmin):
    list_display = [
        "kind",
        "severity",
        "node",
        "item",
        "first_date",
        "quantity",
        "value",
        "run",
        "plan_version",
    ]
    list_filter = ["kind", "severity"]
    search_fields = ["=node", "=item", "=run__run_id", "=plan_version__plan_version_id"]
    list_select_related = ["run", "plan_version"]
    show_full_result_count = False
