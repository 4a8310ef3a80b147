from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import NoAddAdmin, admin_refusals
from core.admin_links import change_column, changelist_column
from core.forms import add_service_errors
from core.users import acting_user
from scenarios import services
from scenarios.models import ConfigVersion, Scenario

# Admin pages of the apps that build on scenarios, named by label (no import upward).
PLAN_VERSIONS = "plans.planversion"
CONFIG_EDITABLE = ("name", "description", "status")


class ConfigVersionAdminForm(forms.ModelForm):
    """The config admin's form: the service's rules, shown at their fields before saving."""

    class Meta:
        model = ConfigVersion
        fields = list(CONFIG_EDITABLE)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        try:
            services.config_validate_update(**{f: cleaned.get(f) for f in CONFIG_EDITABLE})
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned


class ScenarioAdminForm(forms.ModelForm):
    """The scenario admin's form: the service's rules (names, factor maps, the lock),
    shown at their fields before saving."""

    class Meta:
        model = Scenario
        fields = list(services.SCENARIO_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        instance = self.instance if self.instance.pk else None
        try:
            if instance is not None:
                services.scenario_validate_editable(scenario=instance)
            services.scenario_validate(_scenario_fields(cleaned), instance=instance)
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned


def _scenario_fields(cleaned: dict[str, Any]) -> dict[str, Any]:
    fields = {name: cleaned[name] for name in services.SCENARIO_FIELDS if name in cleaned}
    if "inventory_levels" in fields and fields["inventory_levels"] is None:
        fields["inventory_levels"] = {}  # an empty JSON box: no levels
    return fields


@admin.register(ConfigVersion)
class ConfigVersionAdmin(NoAddAdmin):
    """Configs enter through import, which validates the whole document."""

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
        *ConfigVersion.IMPORT_RECORD,
        "plan_versions_link",
        "runs_link",
    ]
    fields = ["name", "description", "status", *readonly_fields]

    form = ConfigVersionAdminForm

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConfigVersion]:
        return super().get_queryset(request).defer("document")

    def save_model(
        self, request: HttpRequest, obj: ConfigVersion, form: forms.ModelForm, change: bool
    ) -> None:
        # The same service as the UI and the API (the form checked its rules).
        services.config_update(config=obj, **{f: form.cleaned_data[f] for f in CONFIG_EDITABLE})

    plan_versions_link = changelist_column(
        "plans.planversion", _("plan versions"), "config_version__id__exact"
    )
    runs_link = changelist_column("runs.run", _("runs"), "config_version__id__exact")


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
        *Scenario.LOCK_FIELDS,
        "created_at",
        "updated_at",
        "created_by",
        "plan_versions_link",
        "runs_link",
    ]
    autocomplete_fields = ["parent"]
    # Apps above scenarios add their own actions (plans: "create a plan", plans/admin.py).
    actions: list = ["lock_selected", "unlock_selected"]
    fieldsets = [
        (None, {"fields": ["name", "description", "parent", "tags"]}),
        (
            _("Overrides"),
            {"fields": list(services.OVERRIDE_FIELDS)},
        ),
        (_("Lock"), {"fields": list(Scenario.LOCK_FIELDS)}),
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

    form = ScenarioAdminForm

    def get_queryset(self, request: HttpRequest) -> QuerySet[Scenario]:
        return super().get_queryset(request).annotate(_plan_count=Count("plan_versions"))

    def save_model(
        self, request: HttpRequest, obj: Scenario, form: forms.ModelForm, change: bool
    ) -> None:
        # The same services as the UI and the API (the form checked their rules).
        fields = _scenario_fields(form.cleaned_data)
        if change:
            saved = services.scenario_update(scenario=obj, user=acting_user(request), **fields)
        else:
            saved = services.scenario_create(user=acting_user(request), **fields)
        obj.pk, obj.updated_at = saved.pk, saved.updated_at

    def delete_model(self, request: HttpRequest, obj: Scenario) -> None:
        self._delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> None:
        for scenario in queryset:
            self._delete(request, scenario)

    def _delete(self, request: HttpRequest, scenario: Scenario) -> None:
        with admin_refusals(self, request, about=scenario.name):
            services.scenario_delete(scenario=scenario, user=acting_user(request))

    def has_change_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        # A locked scenario is frozen; unlocking is an explicit action.
        if obj is not None and obj.locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        if obj is not None and obj.locked:
            return False
        return super().has_delete_permission(request, obj)

    parent_link = change_column("parent", _("parent"), ordering="parent__name")

    @admin.display(description=_("plan versions"), ordering="_plan_count")
    def plan_count(self, obj: Scenario) -> int:
        return obj._plan_count  # type: ignore[attr-defined]  # annotated by get_queryset

    plan_versions_link = changelist_column(
        "plans.planversion", _("plan versions"), "base_scenario__id__exact"
    )
    runs_link = changelist_column("runs.run", _("runs"), "scenario__id__exact")

    @admin.action(description=_("Lock selected scenarios"), permissions=["change"])
    def lock_selected(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> None:
        self._apply(
            request,
            queryset,
            lambda s: services.scenario_lock(
                scenario=s, user=acting_user(request), reason=str(_("locked from the admin"))
            ),
        )

    @admin.action(description=_("Unlock selected scenarios"), permissions=["change"])
    def unlock_selected(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> None:
        self._apply(
            request,
            queryset,
            lambda s: services.scenario_unlock(scenario=s, user=acting_user(request)),
        )

    def _apply(self, request: HttpRequest, queryset: QuerySet[Scenario], action) -> None:
        done = 0
        for scenario in queryset:
            with admin_refusals(self, request, level=messages.WARNING):
                action(scenario)
                done += 1
        if done:
            self.message_user(
                request, _("%(count)d scenario(s) updated.") % {"count": done}, messages.SUCCESS
            )
