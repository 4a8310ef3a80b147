"""Replication sets and stock-level optimisations in the admin: read-only (planners make
them, workers run them)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.admin_links import change_column
from risk.models import LevelOptimisation, ReplicationSet


@admin.register(ReplicationSet)
class ReplicationSetAdmin(ReadOnlyAdmin):
    list_display = ["id", "plan_version_link", "n", "seed", "job_link", "created_at", "created_by"]
    list_filter = ["created_at"]
    search_fields = ["=id", "=plan_version__plan_version_id", "=seed"]
    list_select_related = ["plan_version", "job", "created_by"]
    date_hierarchy = "created_at"
    exclude = ["targets", "bands"]
    readonly_fields = ["plan_version_link", "run_link", "job_link"]

    plan_version_link = change_column("plan_version", _("plan version"))
    run_link = change_column("run", _("run"))
    job_link = change_column("job", _("job"))


@admin.register(LevelOptimisation)
class LevelOptimisationAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "scenario_link",
        "plan_version_link",
        "n",
        "seed",
        "result_scenario_link",
        "job_link",
        "created_at",
    ]
    list_filter = ["created_at"]
    search_fields = ["=id", "=plan_version__plan_version_id", "=seed", "scenario__name"]
    list_select_related = ["scenario", "plan_version", "result_scenario", "job"]
    date_hierarchy = "created_at"
    exclude = ["report"]
    readonly_fields = ["scenario_link", "plan_version_link", "result_scenario_link", "job_link"]

    scenario_link = change_column("scenario", _("scenario"))
    plan_version_link = change_column("plan_version", _("plan version"))
    result_scenario_link = change_column("result_scenario", _("optimised scenario"))
    job_link = change_column("job", _("job"))
