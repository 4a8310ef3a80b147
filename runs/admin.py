from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import NoAddAdmin, NoChangeAdmin, ReadOnlyAdmin, admin_refusals
from core.admin_links import change_column
from core.users import acting_user
from runs import services
from runs.models import ExportedRun, Run, RunTombstone


@admin.register(Run)
class RunAdmin(NoAddAdmin):
    """Runs are recorded by simulations, never typed in."""

    list_display = [
        "run_id",
        "status",
        "plan_version_link",
        "scenario_link",
        "config_link",
        "fill_rate",
        "profit_total",
        "duration_ms",
        "pinned",
        "started_at",
    ]
    list_filter = [
        "pinned",
        "held",
        "is_baseline",
        "archived",
        "source",
        "started_at",
        "scenario",
        "config_version",
    ]
    search_fields = ["=run_id", "=plan_version__plan_version_id", "scenario__name"]
    list_select_related = ["plan_version", "scenario", "config_version"]
    date_hierarchy = "started_at"
    show_full_result_count = False
    readonly_fields = (
        "run_id",
        "status",
        "source",
        "plan_version_link",
        "plan_link",
        "scenario_link",
        "config_link",
        "job_link",
        "started_at",
        "finished_at",
        "duration_ms",
        "summary",
        "fill_rate",
        "cycle_service_level",
        "avg_on_hand",
        "shortage_total",
        "profit_total",
        "engine_version",
        "seed",
        "stochastic",
        "horizon_days",
        "input_hash",
        "inputs",
        "pinned",
        "held",
        "is_baseline",
        "archived",
        "tags",
    )
    fields = readonly_fields
    actions = ["pin_selected", "unpin_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Run]:
        return super().get_queryset(request).select_related("plan_version__plan")

    def has_change_permission(self, request: HttpRequest, obj: Run | None = None) -> bool:
        # Read-only record; the change permission only gates the pin actions.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Run | None = None) -> bool:
        # A pinned run is kept on purpose; unpin it first (run_delete refuses it too).
        if obj is not None and obj.pinned:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Run) -> None:
        services.run_delete(run=obj, user=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Run]) -> None:
        # The same service as the API, run by run, so pinned runs are refused.
        for run in queryset:
            with admin_refusals(self, request, level=messages.WARNING):
                services.run_delete(run=run, user=acting_user(request))

    plan_version_link = change_column("plan_version", _("plan version"), ordering="plan_version")
    plan_link = change_column("plan_version.plan", _("plan"))
    scenario_link = change_column("scenario", _("scenario"), ordering="scenario__name")
    config_link = change_column("config_version", _("config version"), ordering="config_version")
    job_link = change_column("job", _("job"))

    @admin.action(
        description=_("Pin selected runs (exempt from retention)"), permissions=["change"]
    )
    def pin_selected(self, request: HttpRequest, queryset: QuerySet[Run]) -> None:
        for run in queryset:
            services.run_set_pinned(run=run, pinned=True, user=acting_user(request))
        self.message_user(request, _("Runs pinned."), messages.SUCCESS)

    @admin.action(description=_("Unpin selected runs"), permissions=["change"])
    def unpin_selected(self, request: HttpRequest, queryset: QuerySet[Run]) -> None:
        for run in queryset:
            services.run_set_pinned(run=run, pinned=False, user=acting_user(request))
        self.message_user(request, _("Runs unpinned."), messages.SUCCESS)


@admin.register(ExportedRun)
class ExportedRunAdmin(NoChangeAdmin):
    """Runs exported to SCPLN_ARCHIVE_DIR; retention deletes only these when exporting is on."""

    list_display = ["run_id", "archived_at", "path"]
    search_fields = ["=run_id", "path"]
    date_hierarchy = "archived_at"
    readonly_fields = ["run_id", "archived_at", "path"]


@admin.register(RunTombstone)
class RunTombstoneAdmin(ReadOnlyAdmin):
    """Runs that retention or a user removed: what they were tied to and where they went."""

    list_display = ["run_id", "removed_at", "reason", "plan_version_id", "export_path"]
    list_filter = ["reason", "removed_at"]
    search_fields = ["=run_id", "plan_version_id"]
    date_hierarchy = "removed_at"
