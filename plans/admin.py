from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.admin import NoAddAdmin, NoChangeAdmin, admin_refusals
from core.admin_links import change_column, change_link, changelist_column
from core.users import acting_user
from jobs.models import Job
from plans.models import Plan, PlanArtifact, PlanningInputSet, PlanVersion
from plans.services import plan_create, plan_version_execute_again
from runs.models import Run
from scenarios.admin import ScenarioAdmin
from scenarios.models import ConfigVersion, Scenario


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    fields = ("version_link", "number", "state", "base_scenario", "config_version", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Plan | None = None) -> bool:
        return False

    @admin.display(description=_("plan version id"))
    def version_link(self, obj: PlanVersion) -> str:
        return change_link(obj)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "created_by", "versions_link"]
    search_fields = ["name", "description", "versions__plan_version_id"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "created_by"]
    inlines = [PlanVersionInline]

    versions_link = changelist_column(PlanVersion, _("versions"), "plan__id__exact")


class PlanArtifactInline(admin.TabularInline):
    model = PlanArtifact
    fields = ("name", "kind", "row_count", "columns", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: PlanVersion | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanArtifact]:
        return super().get_queryset(request).defer("data")


@admin.register(PlanVersion)
class PlanVersionAdmin(NoChangeAdmin):
    """Versions are made by plan generation, never typed in."""

    list_display = [
        "plan_version_id",
        "plan_link",
        "number",
        "state",
        "scenario_link",
        "config_link",
        "created_at",
        "runs_link",
        "jobs_link",
    ]
    list_filter = ["state", "base_scenario", "config_version", "created_at"]
    search_fields = ["plan_version_id", "plan__name", "base_scenario__name", "config_version__name"]
    list_select_related = ["plan", "base_scenario", "config_version"]
    date_hierarchy = "created_at"
    inlines = [PlanArtifactInline]
    actions = ["execute_again"]
    readonly_fields = (
        "plan_version_id",
        "plan_link",
        "number",
        "parent_link",
        "scenario_link",
        "config_link",
        "state",
        "input_set",
        "parameters",
        "kpis",
        "error",
        "created_at",
        "updated_at",
        "created_by",
        "runs_link",
        "jobs_link",
    )

    def has_execute_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("plans.add_planversion")

    @admin.action(description=_("Execute again (a new version of each)"), permissions=["execute"])
    def execute_again(self, request: HttpRequest, queryset: QuerySet[PlanVersion]) -> None:
        """The same service as the UI's and the API's "execute again": a new version with
        its parent recorded, the selected one left as it is."""
        for version in queryset.select_related("plan", "base_scenario", "config_version"):
            with admin_refusals(self, request, about=version):
                new = plan_version_execute_again(plan_version=version, user=acting_user(request))
                self.message_user(
                    request,
                    _("%(new)s created from %(old)s; its planning job is queued.")
                    % {"new": new.plan_version_id, "old": version.plan_version_id},
                    messages.SUCCESS,
                )

    plan_link = change_column("plan", _("plan"), ordering="plan__name")
    parent_link = change_column("parent", _("executed again from"))
    scenario_link = change_column(
        "base_scenario", _("base scenario"), ordering="base_scenario__name"
    )
    config_link = change_column(
        "config_version", _("config version"), ordering="config_version__id"
    )
    runs_link = changelist_column(Run, _("runs"), "plan_version__plan_version_id__exact")
    jobs_link = changelist_column(Job, _("jobs"), "subject_id")


@admin.register(PlanArtifact)
class PlanArtifactAdmin(NoChangeAdmin):
    list_display = ["name", "kind", "version_link", "row_count", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["name", "plan_version__plan_version_id"]
    list_select_related = ["plan_version"]
    readonly_fields = (
        "version_link",
        "kind",
        "name",
        "params",
        "columns",
        "row_count",
        "created_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanArtifact]:
        return super().get_queryset(request).defer("data")

    version_link = change_column("plan_version", _("plan version"), ordering="plan_version")


@admin.register(PlanningInputSet)
class PlanningInputSetAdmin(NoAddAdmin):
    """Input sets enter through import_planning_inputs, which validates them."""

    list_display = [
        "name",
        "family_count",
        "sku_count",
        "period_count",
        "created_at",
        "versions_link",
    ]
    search_fields = ["name", "description", "content_hash"]
    list_filter = ["created_at"]
    readonly_fields = [
        "content_hash",
        "family_count",
        "sku_count",
        "period_count",
        "files",
        "created_at",
        "created_by",
        "versions_link",
    ]
    fields = ["name", "description", *readonly_fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanningInputSet]:
        return super().get_queryset(request).defer("files")

    versions_link = changelist_column(PlanVersion, _("plan versions"), "input_set__id__exact")


# --- Plans from the scenario admin ------------------------------------------------


class CreatePlanActionForm(forms.Form):
    """What the admin's "create a plan" action needs beyond the scenario; the parameters
    take the input set's defaults (planners set them in the UI or the API)."""

    config_version = forms.ModelChoiceField(
        label=_("Config version"),
        queryset=ConfigVersion.objects.filter(status=ConfigVersion.Status.ACTIVE)
        .defer("document")
        .order_by("-created_at"),
    )
    name = forms.CharField(
        label=_("Plan name"),
        max_length=200,
        required=False,
        help_text=_("Empty: the scenario's name followed by “plan”."),
    )


@admin.action(
    description=_("Create a plan from each selected scenario"), permissions=["create_plan"]
)
def create_plan(
    modeladmin: ScenarioAdmin, request: HttpRequest, queryset: QuerySet[Scenario]
) -> HttpResponse | None:
    """Ask for the config version first (an intermediate page, as delete does), then
    create one plan per scenario through the same service as the UI and the API."""
    form = CreatePlanActionForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        for scenario in queryset:
            with admin_refusals(modeladmin, request, about=scenario.name):
                version = plan_create(
                    name=form.cleaned_data["name"] or f"{scenario.name} plan",
                    base_scenario=scenario,
                    config_version=form.cleaned_data["config_version"],
                    user=acting_user(request),
                )
                modeladmin.message_user(
                    request,
                    _("Plan version %(id)s created from “%(scenario)s”; its job is queued.")
                    % {"id": version.plan_version_id, "scenario": scenario.name},
                    messages.SUCCESS,
                )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Create a plan from the selected scenarios"),
        "opts": modeladmin.model._meta,
        "scenarios": queryset,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/plans/create_plan_from_scenarios.html", context)


# The scenario admin offers this action; scenarios cannot import plans, so plans adds it.
ScenarioAdmin.actions = [*ScenarioAdmin.actions, create_plan]
ScenarioAdmin.has_create_plan_permission = (  # type: ignore[attr-defined]  # added here
    lambda self, request: request.user.has_perm("plans.add_plan")
)

# The planning workbench's rows (plans/workbench/admin.py registers them).
from plans.workbench import admin as _workbench_admin  # noqa: E402, F401
