from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import NoChangeAdmin
from core.admin_links import change_column, change_link
from jobs.models import Job


@admin.register(Job)
class JobAdmin(NoChangeAdmin):
    """Jobs are created by the services that enqueue them."""

    list_display = [
        "id",
        "type",
        "status",
        "progress",
        "subject_link",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
    ]
    list_filter = ["type", "status", "created_at"]
    search_fields = ["id", "subject_id", "celery_task_id", "error"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "type",
        "status",
        "progress",
        "progress_message",
        "params",
        "result",
        "error",
        "subject_link",
        "retry_of_link",
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
    )

    @admin.display(description=_("subject"), ordering="subject_id")
    def subject_link(self, obj: Job) -> str:
        return change_link(obj.subject) if obj.subject_id else "—"

    retry_of_link = change_column("retry_of", _("retry of"))
