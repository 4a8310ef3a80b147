"""The plan pages: list and create (/ui/plans), one version (/ui/plans/<id>), its actions.

Thin views: they parse a form, call one service of ``plans.services`` (the
same the API calls) and render; a service's ``ValidationError`` is shown at
the field it names.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.audit import events_for, notes_for
from core.badges import badges_for_many
from core.charts import chart_data, series
from core.downloads import frame_download
from core.errors import Conflict
from core.forms import add_service_errors, picked, service_errors
from core.pages import (
    PageHead,
    filtered_list,
    flash_errors,
    found_or_404,
    note_post,
    require_permission,
)
from core.panels import panels_for
from core.users import acting_user
from jobs.models import Job
from jobs.registry import job_type_choices
from plans import selectors, services
from plans.filters import PlanVersionFilter
from plans.forms import (
    AggregateJobForm,
    PlanCreateForm,
    PlanParametersForm,
)
from plans.models import PlanArtifact, PlanVersion
from plans.parameters import parameter_labels, parameter_value_text
from plans.services.generation import PLANNING
from plans.services.lifecycle import APPROVE, CHANGE, TRANSITIONS
from plans.stage_tables import TABLE_ROWS, TABLE_TITLES, stage_table
from runs.api.serializers import EXCEPTION_COUNTS
from runs.selectors import compare_url, run_tombstones
from scenarios.models import ConfigVersion, Scenario

if TYPE_CHECKING:
    import pandas as pd

PAGE_SIZE = 25
# Longer ids cannot be a database integer (SQLite refuses them with an error, not a miss).
MAX_ID_DIGITS = 18
EVENTS_SHOWN = 50

# Tabs of the version page: key, label, the artifact kinds whose tables it shows.
STAGE_TABS = (
    ("aggregate", gettext_lazy("Aggregate"), (PlanArtifact.Kind.AGGREGATE,)),
    ("detail", gettext_lazy("Detail (SKU × week)"), (PlanArtifact.Kind.ALLOCATE,)),
    ("mrp", gettext_lazy("MRP"), (PlanArtifact.Kind.MRP,)),
    ("reconciliation", gettext_lazy("Reconciliation"), (PlanArtifact.Kind.RECONCILE,)),
    ("final", gettext_lazy("Final plan"), (PlanArtifact.Kind.PLAN_FINAL,)),
)
# One label per plan KPI, as docs/planning.md defines them (plan_final kpis).
KPI_LABELS = {
    "fill_rate": gettext_lazy("Predicted fill rate"),
    "fill_rate_by_horizon_end": gettext_lazy("Predicted fill rate by the horizon end"),
    "supplied_on_time_total": gettext_lazy("Served on time"),
    "supplied_total": gettext_lazy("Served by the horizon end"),
    "demand_total": gettext_lazy("Demand"),
    "unreachable_demand": gettext_lazy("Unreachable demand"),
    "unreachable_short": gettext_lazy("Unreachable and short"),
    "late_receipts": gettext_lazy("Late receipts"),
    "expedited_receipts": gettext_lazy("Expedited receipts"),
    "component_short": gettext_lazy("Short of components"),
    "material_assumed_total": gettext_lazy("Components assumed available"),
    "material_assumed": gettext_lazy("Components assumed available, by component@location"),
    "backlog_end": gettext_lazy("Backlog at the end"),
    "backlog_peak": gettext_lazy("Peak backlog"),
    "backlog_peak_week": gettext_lazy("Week of the peak backlog"),
    "planned_receipts_total": gettext_lazy("Planned receipts"),
    "capacity_utilisation": gettext_lazy("Capacity utilisation"),
    "utilisation_by_workcenter": gettext_lazy("Utilisation by work centre"),
    "spill_total": gettext_lazy("Spilled load"),
    "pull_in_total": gettext_lazy("Pulled-in load"),
    "unmet_total": gettext_lazy("Unmet"),
    "anchor_residual_total": gettext_lazy("Anchoring residual"),
    "past_due_orders": gettext_lazy("Past-due orders"),
    "past_due_quantity": gettext_lazy("Past-due quantity"),
    "delta_outside_tolerance": gettext_lazy("Deltas outside tolerance"),
    "target_inventory_total": gettext_lazy("Target inventory at the end"),
    "projected_on_hand_end": gettext_lazy("Projected on-hand at the end"),
}
# One line per plan KPI (docs/planning.md; scpln/engine/planning/plan_final.py): shown
# under its label, so no KPI is a bare name.
KPI_DEFINITIONS = {
    "fill_rate": gettext_lazy(
        "Share of customer demand a run executing the plan serves in the week it arises."
    ),
    "fill_rate_by_horizon_end": gettext_lazy(
        "Share of demand the plan supplies by the end of the horizon, late deliveries included."
    ),
    "supplied_on_time_total": gettext_lazy("Units of demand served in the week they arise."),
    "supplied_total": gettext_lazy("Units of demand supplied by the end of the horizon."),
    "demand_total": gettext_lazy("All customer demand, unreachable demand included."),
    "unreachable_demand": gettext_lazy("Demand at locations that nothing can replenish."),
    "unreachable_short": gettext_lazy(
        "The part of the unreachable demand that the stock stranded there cannot cover."
    ),
    "late_receipts": gettext_lazy(
        "Planned receipts that arrive after their week because their release was past due."
    ),
    "expedited_receipts": gettext_lazy(
        "Past-due receipts counted on time because the plan is not lead-time constrained."
    ),
    "component_short": gettext_lazy(
        "Planned receipts the stock of components nothing supplies cannot build."
    ),
    "material_assumed_total": gettext_lazy(
        "Units of components nothing supplies that a material-unconstrained plan assumes."
    ),
    "material_assumed": gettext_lazy("The same, per component and location."),
    "backlog_end": gettext_lazy("Demand not yet supplied at the last week, all SKUs."),
    "backlog_peak": gettext_lazy("Demand not yet supplied at its worst week."),
    "backlog_peak_week": gettext_lazy("The week of the largest backlog."),
    "planned_receipts_total": gettext_lazy("Units the final plan schedules to be received."),
    "capacity_utilisation": gettext_lazy("Load over capacity, all work centres and weeks."),
    "utilisation_by_workcenter": gettext_lazy("Load over capacity per work centre."),
    "spill_total": gettext_lazy("Load moved to a later week for lack of capacity."),
    "pull_in_total": gettext_lazy("Load moved to an earlier week with spare capacity."),
    "unmet_total": gettext_lazy("Load spilled past the end of the horizon."),
    "anchor_residual_total": gettext_lazy(
        "What anchoring the detail plan to the aggregate plan could not place."
    ),
    "past_due_orders": gettext_lazy("Planned orders whose release falls before the horizon."),
    "past_due_quantity": gettext_lazy("Units of those past-due orders."),
    "delta_outside_tolerance": gettext_lazy(
        "Aggregate-versus-detail differences outside the tolerances."
    ),
    "target_inventory_total": gettext_lazy("The sold SKUs' target stock at the horizon end."),
    "projected_on_hand_end": gettext_lazy("The sold SKUs' planned stock at the horizon end."),
}
SHARE_KPIS = {
    "fill_rate",
    "fill_rate_by_horizon_end",
    "capacity_utilisation",
    "utilisation_by_workcenter",
}


def _version_or_404(plan_version_id: str) -> PlanVersion:
    return found_or_404(
        lambda: selectors.plan_version_detail(plan_version_id=plan_version_id),
        _("No plan version %(id)s.") % {"id": plan_version_id},
    )


# --- /ui/plans ---------------------------------------------------------------------


class PlanListView(LoginRequiredMixin, View):
    """Plan versions (filtered with THE plan-version FilterSet) and the create form.

    ``?base_scenario=<id>`` prefills the form's base scenario (the quick link
    of the scenario pages and of the retired scenario-run page).
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, PlanCreateForm(initial=self._initial(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        require_permission(request, "plans.add_plan")
        form = PlanCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with service_errors(form, form.SERVICE_FIELDS):
                version = services.plan_create(
                    **picked(
                        data, "name", "description", "base_scenario", "config_version", "input_set"
                    ),
                    parameters=form.parameters(),
                    user=acting_user(request),
                )
                messages.success(
                    request,
                    _("Plan “%(name)s” created as %(id)s; its planning job is queued.")
                    % {"name": version.plan.name, "id": version.pk},
                )
                return redirect(version)
        return self._render(request, form)

    def _initial(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        scenario_id = request.GET.get("base_scenario", "").strip()
        if scenario_id:
            initial["base_scenario"] = scenario_id
        newest = (
            ConfigVersion.objects.filter(status=ConfigVersion.Status.ACTIVE)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        if newest is not None:
            initial["config_version"] = newest
        return initial

    def _render(self, request: HttpRequest, form: PlanCreateForm) -> HttpResponse:
        # One row a plan (its newest version) unless every version is asked for,
        # or the list is narrowed to one plan, whose versions are then the rows.
        all_versions = request.GET.get("versions") == "all" or bool(request.GET.get("plan"))
        filterset = PlanVersionFilter(
            request.GET, queryset=selectors.plan_version_overview(latest_only=not all_versions)
        )
        listing = filtered_list(request, filterset, page_size=PAGE_SIZE)
        prefilled, prefill_warning = self._prefilled(form)
        page = listing.page
        versions = list(page.object_list)
        return render(
            request,
            "plans/list.html",
            {
                **listing.context,
                "page_head": PageHead(_("Plans")),
                "form": form,
                "versions": versions,
                # Counts by kind (the exceptions app's, core/badges.py), one query a page.
                "exception_badges": badges_for_many(versions, EXCEPTION_COUNTS),
                "all_versions": all_versions,
                "prefilled_scenario": prefilled,
                "prefill_warning": prefill_warning,
                "job_statuses": dict(Job.Status.choices),
                "job_types": dict(job_type_choices()),
                "can_create": request.user.has_perm("plans.add_plan"),
                "create_open": bool(
                    prefilled or prefill_warning or form.is_bound or not page.paginator.count
                ),
            },
        )

    @staticmethod
    def _prefilled(form: PlanCreateForm) -> tuple[Scenario | None, str]:
        """The scenario ``?base_scenario=`` named, and why it cannot be planned (if so)."""
        if form.is_bound or "base_scenario" not in form.initial:
            return None, ""
        wanted = str(form.initial["base_scenario"])
        scenario = None
        if wanted.isascii() and wanted.isdecimal() and len(wanted) <= MAX_ID_DIGITS:
            scenario = Scenario.objects.select_related("locked_by").filter(pk=wanted).first()
        if scenario is None:
            del form.initial["base_scenario"]
            return None, _("There is no scenario with the id “%(id)s”; choose one below.") % {
                "id": wanted
            }
        try:
            services.scenario_validate_runnable(scenario=scenario)
        except ValidationError as error:
            return scenario, " ".join(error.messages)
        return scenario, ""


# --- /ui/plans/<plan_version_id> -----------------------------------------------------


def _units_chart(
    frame: pd.DataFrame, x: str, datasets: list[dict[str, Any]], *, chart_type: str = "line"
) -> dict[str, Any]:
    """A plan chart of units over its ``x`` column: ``week`` or ``period`` (month)."""
    return chart_data(
        labels=frame[x],
        datasets=datasets,
        chart_type=chart_type,
        x_title=_("Week") if x == "week" else _("Period"),
        y_title=_("Units"),
    )


def _balance_chart(tables: dict) -> dict[str, Any] | None:
    frame = selectors.plan_weekly_balance(tables)
    if frame is None:
        return None
    datasets: list[dict[str, Any]] = [
        {"label": _("Demand"), "data": series(frame["demand"])},
        {"label": _("Supply"), "data": series(frame["supply"])},
        {"label": _("Production"), "data": series(frame["production"]), "dashed": True},
    ]
    if frame["inventory"].notna().any():
        datasets.append(
            {"label": _("Inventory (finished goods)"), "data": series(frame["inventory"])}
        )
    return _units_chart(frame, "week", datasets)


def _aggregate_chart(tables: dict) -> dict[str, Any] | None:
    frame = selectors.plan_monthly_aggregate(tables)
    if frame is None:
        return None
    labels = {
        "demand": _("Demand"),
        "supply": _("Supply"),
        "production": _("Production"),
        "backlog": _("Backlog"),
    }
    datasets = [
        {"label": label, "data": series(frame[column])}
        for column, label in labels.items()
        if column in frame.columns
    ]
    return _units_chart(frame, "period", datasets, chart_type="bar")


def _capacity_chart(tables: dict) -> dict[str, Any] | None:
    frame = selectors.plan_weekly_capacity(tables)
    if frame is None:
        return None
    datasets = [
        {"label": _("Capacity"), "data": series(frame["capacity"]), "type": "line"},
        {"label": _("Load"), "data": series(frame["load"]), "stack": "load"},
        {"label": _("Spilled"), "data": series(frame["spilled"]), "stack": "load"},
    ]
    if "pulled" in frame.columns:
        datasets.append({"label": _("Pulled in"), "data": series(frame["pulled"])})
    return _units_chart(frame, "week", datasets, chart_type="bar")


def _kpi_rows(kpis: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, value in kpis.items():
        rows.append(
            {
                "key": key,
                "label": KPI_LABELS.get(key, key),
                "definition": KPI_DEFINITIONS.get(key, ""),
                "value": value,
                "share": key in SHARE_KPIS,
                "mapping": isinstance(value, dict),
            }
        )
    return rows


def _detail_context(
    request: HttpRequest,
    version: PlanVersion,
    *,
    aggregate_form: AggregateJobForm | None = None,
    execute_form: PlanParametersForm | None = None,
    open_tab: str = "",
) -> dict[str, Any]:
    runs = list(version.runs.all())
    jobs = list(version.jobs.order_by("-created_at"))
    artifacts = list(version.artifacts.all())
    stage_artifacts = [a for a in artifacts if a.kind != PlanArtifact.Kind.AGGREGATION]
    aggregations = [a for a in artifacts if a.kind == PlanArtifact.Kind.AGGREGATION]
    tables = selectors.plan_version_tables(plan_version_id=version.pk) if stage_artifacts else {}
    tabs = []
    for key, label, kinds in STAGE_TABS:
        shown = []
        for artifact in stage_artifacts:
            if artifact.kind in kinds and artifact.name in tables:
                shown.append(
                    {
                        "name": artifact.name,
                        "title": TABLE_TITLES.get(artifact.name, artifact.name),
                        "table": stage_table(tables[artifact.name]),
                        "csv_url": reverse("plans-api:artifact", args=[version.pk, artifact.name])
                        + "?format=csv",
                    }
                )
        tabs.append({"key": key, "label": label, "tables": shown})
    can_aggregate = request.user.has_perm("jobs.add_job")
    if aggregate_form is None and can_aggregate and runs:
        aggregate_form = AggregateJobForm(
            runs=runs, group_keys=selectors.plan_version_group_keys(plan_version=version)
        )
    can_execute = request.user.has_perm("plans.add_planversion")
    if execute_form is None and can_execute:
        execute_form = PlanParametersForm(
            initial=PlanParametersForm.initial_from(version.parameters)
        )
    labels = parameter_labels()
    user = request.user
    latest_run = runs[0] if runs else None
    baseline_id = version.plan.baseline_run_id
    return {
        "version": version,
        "plan": version.plan,
        # Sections other apps add (exceptions, replication sets: their panels.py).
        "panels": panels_for(version, request),
        "runs": runs,
        "removed_runs": run_tombstones(plan_version_id=version.pk),
        "latest_run": latest_run,
        "baseline_run_id": baseline_id,
        "compare_baseline_url": (
            compare_url(baseline_id, latest_run.run_id)
            if baseline_id and latest_run and latest_run.run_id != baseline_id
            else ""
        ),
        "transitions": services.plan_version_transitions(
            version=version, user=acting_user(request)
        ),
        "events": list(events_for(PlanVersion, version.pk)[:EVENTS_SHOWN]),
        "notes": list(notes_for(PlanVersion, version.pk)),
        "can_note": user.has_perm(CHANGE) or user.has_perm(APPROVE),
        "jobs": jobs,
        "planning_job": next((j for j in jobs if j.type == PLANNING), None),
        "other_versions": [
            v for v in selectors.plan_versions_of(plan_id=version.plan_id) if v.pk != version.pk
        ],
        "parameters": [
            {"key": key, "label": labels.get(key, key), "value": parameter_value_text(key, value)}
            for key, value in version.parameters.items()
        ],
        "tabs": tabs,
        "kpis": _kpi_rows(version.kpis or {}),
        "aggregations": aggregations,
        "aggregate_form": aggregate_form,
        "can_aggregate": can_aggregate,
        "can_execute": can_execute,
        "execute_form": execute_form,
        "balance_chart": _balance_chart(tables),
        "aggregate_chart": _aggregate_chart(tables),
        "capacity_chart": _capacity_chart(tables),
        "open_tab": open_tab,
        "table_rows": TABLE_ROWS,
    }


class PlanDetailView(LoginRequiredMixin, View):
    """One plan version: summary, job progress, runs, stage tables, charts, KPIs, actions."""

    def get(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        version = _version_or_404(plan_version_id)
        return render(request, "plans/detail.html", _detail_context(request, version))


# The page's derived tables (the stage tables are the API's artifact downloads).
EXPORTS = {
    "kpis": lambda version: selectors.plan_kpi_frame(version.kpis or {}),
    "weekly-balance": lambda version: selectors.plan_weekly_balance(
        selectors.plan_version_tables(plan_version_id=version.pk)
    ),
    "weekly-capacity": lambda version: selectors.plan_weekly_capacity(
        selectors.plan_version_tables(plan_version_id=version.pk)
    ),
    "period-aggregate": lambda version: selectors.plan_monthly_aggregate(
        selectors.plan_version_tables(plan_version_id=version.pk)
    ),
}


class PlanExportView(LoginRequiredMixin, View):
    """GET: one of the page's derived tables (KPIs, the charts' numbers) as CSV."""

    def get(self, request: HttpRequest, plan_version_id: str, table: str) -> HttpResponse:
        if table not in EXPORTS:
            raise Http404(_("No table %(table)s.") % {"table": table})
        version = get_object_or_404(
            PlanVersion.objects.only("plan_version_id", "kpis"), pk=plan_version_id
        )
        frame = EXPORTS[table](version)
        if frame is None or (table == "kpis" and frame.empty):
            raise Http404(_("Plan version %(id)s has no such table yet.") % {"id": version.pk})
        return frame_download(frame, filename=f"{version.pk}-{table}.csv")


class PlanExecuteView(LoginRequiredMixin, View):
    """POST: generate the plan again as a new version (``plan_version_execute_again``).

    The plain button keeps the version's parameters; the "with other
    parameters" form (``with_parameters``) replaces them by what it holds, so
    a field the planner emptied takes the default again.
    """

    def post(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        require_permission(request, "plans.add_planversion")
        version = _version_or_404(plan_version_id)
        form = PlanParametersForm(request.POST) if "with_parameters" in request.POST else None
        if form is not None and not form.is_valid():
            return self._form_again(request, version, form)
        try:
            new = services.plan_version_execute_again(
                plan_version=version,
                parameters=form.parameters(with_empty=True) if form is not None else None,
                user=acting_user(request),
            )
        except ValidationError as error:
            if form is not None:
                add_service_errors(form, error, form.SERVICE_FIELDS)
                return self._form_again(request, version, form)
            labels = {
                **parameter_labels(),
                "base_scenario": str(PlanCreateForm.base_fields["base_scenario"].label),
                "config_version": str(PlanCreateForm.base_fields["config_version"].label),
                "input_set": str(PlanCreateForm.base_fields["input_set"].label),
            }
            flash_errors(request, error, labels)
            return redirect(version)
        messages.success(
            request,
            _("Version %(number)s (%(id)s) created from %(parent)s; its planning job is queued.")
            % {"number": new.number, "id": new.pk, "parent": version.pk},
        )
        return redirect(new)

    @staticmethod
    def _form_again(
        request: HttpRequest, version: PlanVersion, form: PlanParametersForm
    ) -> HttpResponse:
        context = _detail_context(request, version, execute_form=form)
        return render(request, "plans/detail.html", context)


class PlanTransitionView(LoginRequiredMixin, View):
    """POST: one move of the version's life (submit, approve, reject, release, archive),
    through the lifecycle service the API uses; its refusals come back as messages."""

    def post(self, request: HttpRequest, plan_version_id: str, action: str) -> HttpResponse:
        version = _version_or_404(plan_version_id)
        if action not in TRANSITIONS:
            raise Http404(_("No such action."))
        try:
            version = services.plan_version_transition(
                version=version,
                action=action,
                user=acting_user(request),
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            flash_errors(request, error, {"note": _("Reason")})
            return redirect(version)
        except Conflict as conflict:
            messages.error(request, conflict.message)
            return redirect(version)
        messages.success(
            request,
            _("Plan version %(pv)s is now %(state)s.")
            % {"pv": version.pk, "state": version.get_state_display().lower()},
        )
        return redirect(version)


class PlanNoteView(LoginRequiredMixin, View):
    """POST: a note on the version (planners and approvers)."""

    def post(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        require_permission(request, CHANGE, APPROVE)
        version = _version_or_404(plan_version_id)
        add = partial(services.plan_version_note_add, version=version)
        return note_post(request, add, back=version.get_absolute_url())


class PlanAggregateView(LoginRequiredMixin, View):
    """POST: the Aggregate Job form, tied to this plan version (``plan_aggregation_create``)."""

    def post(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        require_permission(request, "jobs.add_job")
        version = _version_or_404(plan_version_id)
        form = AggregateJobForm(
            request.POST,
            runs=version.runs.all(),
            group_keys=selectors.plan_version_group_keys(plan_version=version),
        )
        if form.is_valid():
            data = form.cleaned_data
            with service_errors(form, form.SERVICE_FIELDS):
                job = services.plan_aggregation_create(
                    plan_version=version,
                    run=form.selected_run(),
                    **picked(data, "bucket", "group_by"),
                    fields=data["measures"],
                    user=acting_user(request),
                )
                messages.success(
                    request,
                    _("Aggregate job #%(id)s is queued; its table will be listed here.")
                    % {"id": job.pk},
                )
                return redirect(reverse("plans:detail", args=[version.pk]) + "#tab-aggregations")
        context = _detail_context(
            request, version, aggregate_form=form, open_tab="tab-aggregations"
        )
        return render(request, "plans/detail.html", context)
