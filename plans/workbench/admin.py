"""The workbench's rows in the admin, read only: operators see who edited and locked what; the
grid and its services are the only way to change them (revisions, audit events)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from plans.models import CellEdit, CellLock, Workbench


@admin.register(Workbench)
class WorkbenchAdmin(ReadOnlyAdmin):
    list_display = ["plan_version", "revision", "recalculated_at", "updated_at"]
    search_fields = ["plan_version__plan_version_id"]


@admin.register(CellEdit)
class CellEditAdmin(ReadOnlyAdmin):
    list_display = ["plan_version", "sku", "measure", "week", "value", "edited_by", "edited_at"]
    list_filter = ["measure"]
    search_fields = ["plan_version__plan_version_id", "sku"]
    list_select_related = ["edited_by"]


@admin.register(CellLock)
class CellLockAdmin(ReadOnlyAdmin):
    list_display = ["plan_version", "key", "period", "locked_by", "locked_at"]
    search_fields = ["plan_version__plan_version_id", "key"]
    list_select_related = ["locked_by"]
