from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.admin_links import change_link, changelist_link
from plans.models import PlanVersion
from plans.services import plan_create
from runs.models import Run
from scenarios import services
from scenarios.models import ConfigVersion, Scenario


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


@admin.register(ConfigVersion)
class ConfigVersionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "name",
        "schema_version",
        "status",
        "horizon_days",
        "item_count",
        "node_count",
        "created_at",
        "plan_versions_link",
        "runs_link",
    ]
    list_filter = ["status", "schema_version", "created_at"]
    search_fields = ["name", "description", "content_hash", "source_filename"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "schema_version",
        "content_hash",
        "warnings",
        "document",
        "horizon_days",
        "item_count",
        "node_count",
        "source_filename",
        "created_at",
        "created_by",
        "plan_versions_link",
        "runs_link",
    ]
    fields = ["name", "description", "status", *readonly_fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConfigVersion]:
        return super().get_queryset(request).defer("document")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Configs enter through import, which validates the whole document.
        return False

    @admin.display(description=_("plan versions"))
    def plan_versions_link(self, obj: ConfigVersion) -> str:
        return changelist_link(PlanVersion, _("plan versions"), config_version__id__exact=obj.pk)

    @admin.display(description=_("runs"))
    def runs_link(self, obj: ConfigVersion) -> str:
        return changelist_link(Run, _("runs"), config_version__id__exact=obj.pk)


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "parent_link",
        "locked",
        "locked_by",
        "locked_at",
        "demand_scale",
        "capacity_scale",
        "plan_count",
        "updated_at",
    ]
    list_filter = ["locked", "created_at"]
    search_fields = ["name", "description", "lock_reason"]
    list_select_related = ["parent", "locked_by"]
    readonly_fields = [
        "locked",
        "locked_by",
        "locked_at",
        "lock_reason",
        "created_at",
        "updated_at",
        "created_by",
        "plan_versions_link",
        "runs_link",
    ]
    autocomplete_fields = ["parent"]
    actions = ["lock_selected", "unlock_selected", "create_plan"]
    fieldsets = [
        (None, {"fields": ["name", "description", "parent", "tags"]}),
        (
            _("Overrides"),
            {"fields": list(services.OVERRIDE_FIELDS)},
        ),
        (_("Lock"), {"fields": ["locked", "locked_by", "locked_at", "lock_reason"]}),
        (
            _("Links and audit"),
            {
                "fields": [
                    "plan_versions_link",
                    "runs_link",
                    "created_at",
                    "updated_at",
                    "created_by",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Scenario]:
        return super().get_queryset(request).annotate(_plan_count=Count("plan_versions"))

    def has_change_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        # A locked scenario is frozen; unlocking is an explicit action.
        if obj is not None and obj.locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        if obj is not None and obj.locked:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("parent"), ordering="parent__name")
    def parent_link(self, obj: Scenario) -> str:
        return change_link(obj.parent)

    @admin.display(description=_("plan versions"), ordering="_plan_count")
    def plan_count(self, obj: Scenario) -> int:
        return obj._plan_count  # type: ignore[attr-defined]

    @admin.display(description=_("plan versions"))
    def plan_versions_link(self, obj: Scenario) -> str:
        return changelist_link(PlanVersion, _("plan versions"), base_scenario__id__exact=obj.pk)

    @admin.display(description=_("runs"))
    def runs_link(self, obj: Scenario) -> str:
        return changelist_link(Run, _("runs"), scenario__id__exact=obj.pk)

    @admin.action(description=_("Lock selected scenarios"), permissions=["change"])
    def lock_selected(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> None:
        self._apply(
            request,
            queryset,
            lambda s: services.scenario_lock(
                scenario=s, user=request.user, reason=_("locked from the admin")
            ),
        )

    @admin.action(description=_("Unlock selected scenarios"), permissions=["change"])
    def unlock_selected(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> None:
        self._apply(
            request, queryset, lambda s: services.scenario_unlock(scenario=s, user=request.user)
        )

    def has_create_plan_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("plans.add_plan")

    @admin.action(
        description=_("Create a plan from each selected scenario"), permissions=["create_plan"]
    )
    def create_plan(
        self, request: HttpRequest, queryset: QuerySet[Scenario]
    ) -> HttpResponse | None:
        """Ask for the config version first (an intermediate page, as delete does), then
        create one plan per scenario through the same service as the UI and the API."""
        form = CreatePlanActionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for scenario in queryset:
                try:
                    version = plan_create(
                        name=form.cleaned_data["name"] or f"{scenario.name} plan",
                        base_scenario=scenario,
                        config_version=form.cleaned_data["config_version"],
                        user=request.user,
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        self.message_user(request, f"{scenario.name}: {message}", messages.ERROR)
                    continue
                self.message_user(
                    request,
                    _("Plan version %(id)s created from “%(scenario)s”; its job is queued.")
                    % {"id": version.plan_version_id, "scenario": scenario.name},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Create a plan from the selected scenarios"),
            "opts": self.model._meta,
            "scenarios": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/scenarios/scenario/create_plan.html", context)

    def _apply(self, request: HttpRequest, queryset: QuerySet[Scenario], action) -> None:
        done = 0
        for scenario in queryset:
            try:
                action(scenario)
                done += 1
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, message, messages.WARNING)
        if done:
            self.message_user(
                request, _("%(count)d scenario(s) updated.") % {"count": done}, messages.SUCCESS
            )
