"""Scenario pages: list, create, view, edit, delete, lock and unlock.

Each write calls the scenario service the API calls (``scenario_create``,
``scenario_update``, ``scenario_delete``, ``scenario_lock``,
``scenario_unlock``), with the API's permissions; a locked scenario's edit
or deletion is refused with the service's message (who locked it, when, why).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.audit import events_for
from core.forms import service_errors
from core.pages import PageHead, filtered_list, flash_errors, found_or_404, require_permission
from core.panels import panels_for
from core.users import acting_user
from scenarios import selectors, services
from scenarios.forms import ScenarioForm, ScenarioLockForm
from scenarios.models import Scenario

PAGE_SIZE = 50
EVENTS_SHOWN = 50
# Rows of the scenario's plan versions and runs shown; the linked lists have them all.
# The list's orderings (values of THE FilterSet's ``ordering``), as the planner reads them.
ORDERINGS = (
    ("", gettext_lazy("Name (A–Z)")),
    ("-name", gettext_lazy("Name (Z–A)")),
    ("-updated_at", gettext_lazy("Recently changed")),
    ("-created_at", gettext_lazy("Newest")),
    ("created_at", gettext_lazy("Oldest")),
)
# Service error keys that are no field of the scenario form.
SERVICE_FIELDS: dict[str, str | None] = {"locked": None, "scenario": None}


def _scenario_or_404(pk: int) -> Scenario:
    return found_or_404(
        lambda: selectors.scenario_get(scenario_id=pk),
        _("No scenario %(id)s.") % {"id": pk},
    )


def _back(request: HttpRequest, scenario: Scenario) -> HttpResponse:
    """Back to the page the action came from (``next``), else the scenario's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(scenario)


def _editable_refusal(scenario: Scenario) -> str:
    """The service's refusal of a change to this scenario ('' when it may change)."""
    try:
        services.scenario_validate_editable(scenario=scenario)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def _permissions(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    return {
        "can_add": user.has_perm("scenarios.add_scenario"),
        "can_change": user.has_perm("scenarios.change_scenario"),
        "can_delete": user.has_perm("scenarios.delete_scenario"),
        "can_plan": user.has_perm("plans.add_plan"),
    }


class ScenarioListView(LoginRequiredMixin, View):
    """Scenarios with their lock state, filtered with THE scenario FilterSet (the API's).

    A malformed filter is answered with the page and the error at its field, status 400.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = selectors.scenario_filterset(request.GET)
        # The FilterSet's help texts document the API; the page's labels say enough.
        filterset.form.fields["name"].help_text = ""
        listing = filtered_list(request, filterset, page_size=PAGE_SIZE)
        parent = None
        if listing.valid and filterset.form.cleaned_data.get("parent_id"):
            parent = Scenario.objects.filter(pk=filterset.form.cleaned_data["parent_id"]).first()
        return render(
            request,
            "scenarios/list.html",
            {
                **listing.context,
                "page_head": PageHead(_("Scenarios")),
                "scenarios": listing.page.object_list,
                "parent_filter": parent,
                "orderings": ORDERINGS,
                "lock_form": ScenarioLockForm(),
                **_permissions(request),
            },
            status=200 if listing.valid else 400,
        )


class ScenarioDetailView(LoginRequiredMixin, View):
    """One scenario: overrides, lock state, and the panels other apps add to it (its plan
    versions and runs, linked both ways: core/panels.py)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        scenario = _scenario_or_404(pk)
        return render(
            request,
            "scenarios/detail.html",
            {
                "scenario": scenario,
                "panels": panels_for(scenario, request),
                "events": list(events_for(Scenario, scenario.pk)[:EVENTS_SHOWN]),
                "children": list(scenario.children.only("id", "name").order_by("name")),
                "lock_form": ScenarioLockForm(),
                "refusal": _editable_refusal(scenario),
                **_permissions(request),
            },
        )


class ScenarioCreateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_permission(request, "scenarios.add_scenario")
        initial: dict[str, Any] = {}
        parent = request.GET.get("parent", "")
        if parent.isdigit():
            initial["parent"] = int(parent)
        return self._render(request, ScenarioForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        require_permission(request, "scenarios.add_scenario")
        form = ScenarioForm(request.POST)
        if form.is_valid():
            with service_errors(form, SERVICE_FIELDS):
                scenario = services.scenario_create(
                    user=acting_user(request), **form.service_fields()
                )
                messages.success(
                    request, _("Scenario “%(name)s” created.") % {"name": scenario.name}
                )
                return redirect(scenario)
        return self._render(request, form)

    def _render(self, request: HttpRequest, form: ScenarioForm) -> HttpResponse:
        return render(
            request,
            "scenarios/form.html",
            {"form": form, "scenario": None},
            status=400 if form.is_bound else 200,
        )


class ScenarioEditView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_permission(request, "scenarios.change_scenario")
        scenario = _scenario_or_404(pk)
        return self._render(request, scenario, ScenarioForm(instance=scenario))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_permission(request, "scenarios.change_scenario")
        scenario = _scenario_or_404(pk)
        form = ScenarioForm(request.POST, instance=scenario)
        if form.is_valid():
            with service_errors(form, SERVICE_FIELDS):
                scenario = services.scenario_update(
                    scenario=scenario, user=acting_user(request), **form.service_fields()
                )
                messages.success(request, _("Scenario “%(name)s” saved.") % {"name": scenario.name})
                return redirect(scenario)
        return self._render(request, scenario, form)

    def _render(self, request: HttpRequest, scenario: Scenario, form: ScenarioForm) -> HttpResponse:
        return render(
            request,
            "scenarios/form.html",
            {
                "form": form,
                "scenario": scenario,
                "refusal": _editable_refusal(scenario),
                **_permissions(request),
            },
            status=400 if form.is_bound else 200,
        )


class ScenarioDeleteView(LoginRequiredMixin, View):
    """GET asks for confirmation (or says why it cannot be deleted); POST deletes."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_permission(request, "scenarios.delete_scenario")
        scenario = _scenario_or_404(pk)
        return render(
            request,
            "scenarios/delete.html",
            {"scenario": scenario, "refusal": _editable_refusal(scenario)},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_permission(request, "scenarios.delete_scenario")
        scenario = _scenario_or_404(pk)
        try:
            services.scenario_delete(scenario=scenario, user=acting_user(request))
        except ValidationError as error:
            return render(
                request,
                "scenarios/delete.html",
                {"scenario": scenario, "refusal": " ".join(error.messages)},
                status=400,
            )
        messages.success(request, _("Scenario “%(name)s” deleted.") % {"name": scenario.name})
        return redirect(reverse("scenarios:list"))


def _lock_change(
    request: HttpRequest,
    scenario: Scenario,
    change: Callable[..., object],
    done: str,
    **params: Any,
) -> HttpResponse:
    """Lock or unlock through the service and go back to the page the planner came from.
    The refusals name the scenario and its lock, with no field to point at: messages."""
    try:
        change(scenario=scenario, user=acting_user(request), **params)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, done % {"name": scenario.name})
    return _back(request, scenario)


class ScenarioLockView(LoginRequiredMixin, View):
    """POST only: lock with a reason (``scenario_lock``).

    A reason the form refuses (too long) is shown at its field on a page of
    its own, with what was typed; the service's refusal (already locked) is a
    message on the page the planner came from.
    """

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_permission(request, "scenarios.change_scenario")
        scenario = _scenario_or_404(pk)
        form = ScenarioLockForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "scenarios/lock.html",
                {"scenario": scenario, "form": form, "next": request.POST.get("next", "")},
                status=400,
            )
        done = _("Scenario “%(name)s” locked.")
        return _lock_change(
            request, scenario, services.scenario_lock, done, reason=form.cleaned_data["reason"]
        )


class ScenarioUnlockView(LoginRequiredMixin, View):
    """POST: unlock (``scenario_unlock``)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_permission(request, "scenarios.change_scenario")
        scenario = _scenario_or_404(pk)
        done = _("Scenario “%(name)s” unlocked.")
        return _lock_change(request, scenario, services.scenario_unlock, done)
