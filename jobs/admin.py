from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin_links import change_link, changelist_link
from jobs.models import ArchivedRun, Job
from runs.models import Run


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "type",
        "status",
        "progress",
        "plan_version_link",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
    ]
    list_filter = ["type", "status", "created_at"]
    search_fields = ["id", "plan_version__plan_version_id", "celery_task_id", "error"]
    list_select_related = ["plan_version"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "type",
        "status",
        "progress",
        "progress_message",
        "params",
        "result",
        "error",
        "plan_version_link",
        "retry_of_link",
        "runs_link",
        "dedupe_key",
        "celery_task_id",
        "attempts",
        "max_attempts",
        "cancel_requested",
        "created_at",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "worker",
        "enqueued_at",
        "created_by",
    ]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Jobs are created by the services that enqueue them.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

    @admin.display(description=_("plan version"), ordering="plan_version")
    def plan_version_link(self, obj: Job) -> str:
        return change_link(obj.plan_version)

    @admin.display(description=_("retry of"))
    def retry_of_link(self, obj: Job) -> str:
        return change_link(obj.retry_of)

    @admin.display(description=_("runs"))
    def runs_link(self, obj: Job) -> str:
        return changelist_link(Run, _("runs"), job__id__exact=obj.pk)


@admin.register(ArchivedRun)
class ArchivedRunAdmin(admin.ModelAdmin):
    """Runs exported to SCPLN_ARCHIVE_DIR; retention deletes only these when archiving is on."""

    list_display = ["run_id", "archived_at", "path"]
    search_fields = ["=run_id", "path"]
    date_hierarchy = "archived_at"
    readonly_fields = ["run_id", "archived_at", "path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ArchivedRun | None = None) -> bool:
        return False
