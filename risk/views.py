"""Replication-set pages: a plan version's sets and their form, one set, cancel.

Thin views: parse the form, call one service of ``risk.services`` (the same the API
and ``manage.py replicate`` call) and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.forms import picked, service_errors
from core.pages import HOME, PageHead, flash_errors, found_or_404, require_permission
from core.users import acting_user
from plans.models import PlanVersion
from risk import presentation, selectors, services
from risk.forms import OptimisationForm, ReplicationSetForm
from risk.models import LevelOptimisation, ReplicationSet
from risk.services.optimisation import level_optimisation_create
from runs.kpis import format_delta, format_kpi, kpi_label
from scenarios.models import Scenario

ADD = "risk.add_replicationset"
MAX_ID_DIGITS = 18  # longer cannot be a database integer


def _set_or_404(plan_version_id: str, set_id: int) -> ReplicationSet:
    return found_or_404(
        lambda: selectors.replication_set_get(plan_version_id=plan_version_id, set_id=set_id),
        _("No such replication set."),
    )


def set_context(replication_set: ReplicationSet) -> dict[str, Any]:
    """What the set page and the plan page panel show of one set."""
    summary = selectors.replication_set_summary(replication_set=replication_set)
    return {
        "replication_set": replication_set,
        "summary": summary,
        "kpi_rows": presentation.kpi_rows(summary),
        "histogram": presentation.histogram_chart(summary, "fill_rate"),
        "bands": presentation.bands_chart(summary),
        "misses": presentation.miss_table(summary),
        "running": summary.status in ("queued", "running"),
    }


class ReplicationSetListView(LoginRequiredMixin, View):
    """GET: a plan version's sets and the form; POST: create a set (``replication_set_create``)."""

    def get(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=plan_version_id)
        return self._render(request, version, ReplicationSetForm())

    def post(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        require_permission(request, ADD)
        version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=plan_version_id)
        form = ReplicationSetForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                replication_set = services.replication_set_create(
                    plan_version=version,
                    **picked(form.cleaned_data, "n", "seed"),
                    user=acting_user(request),
                )
                messages.success(
                    request,
                    _("%(n)s replications are queued (seed %(seed)s).")
                    % {"n": replication_set.n, "seed": replication_set.seed},
                )
                return redirect(replication_set)
        return self._render(request, version, form, status=400)

    def _render(
        self,
        request: HttpRequest,
        version: PlanVersion,
        form: ReplicationSetForm,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "version": version,
            "form": form,
            "sets": selectors.replication_set_list(plan_version=version)[:50],
            "can_add": request.user.has_perm(ADD),
        }
        return render(request, "risk/list.html", context, status=status)


class ReplicationSetDetailView(LoginRequiredMixin, View):
    """One set: progress, KPI intervals, the histogram and the probability-of-miss table."""

    def get(self, request: HttpRequest, plan_version_id: str, set_id: int) -> HttpResponse:
        replication_set = _set_or_404(plan_version_id, set_id)
        context = {
            **set_context(replication_set),
            "can_add": request.user.has_perm(ADD),
            # Sets with the same seed drew the same demand: their differences are paired.
            "same_seed": ReplicationSet.objects.filter(seed=replication_set.seed)
            .exclude(pk=replication_set.pk)
            .select_related("plan_version__plan")[:10],
        }
        return render(request, "risk/detail.html", context)


class ReplicationSetCancelView(LoginRequiredMixin, View):
    """POST: stop a running set (``replication_set_cancel``)."""

    def post(self, request: HttpRequest, plan_version_id: str, set_id: int) -> HttpResponse:
        require_permission(request, ADD)
        replication_set = _set_or_404(plan_version_id, set_id)
        try:
            services.replication_set_cancel(replication_set=replication_set)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("The replication set is stopping."))
        return redirect(replication_set)


class ReplicationSetCompareView(LoginRequiredMixin, View):
    """``?base=&other=``: two sets side by side, per KPI the difference and its interval."""

    def get(self, request: HttpRequest) -> HttpResponse:
        sets = []
        for side in ("base", "other"):
            value = request.GET.get(side, "")
            found = (
                ReplicationSet.objects.select_related("plan_version__plan").filter(pk=value).first()
                if value.isdigit() and len(value) <= MAX_ID_DIGITS
                else None
            )
            if found is None:
                raise Http404(_("No such replication set."))
            sets.append(found)
        base, other = sets
        body = selectors.replication_set_compare_body(base_id=base.pk, other_id=other.pk)
        rows = [
            {
                "label": kpi_label(name),
                "base": format_kpi(name, d["base_mean"]),
                "other": format_kpi(name, d["other_mean"]),
                "difference": format_delta(name, d["mean"]),
                "ci": (
                    f"{format_delta(name, d['ci_low'])} … {format_delta(name, d['ci_high'])}"
                    if d["ci_low"] is not None
                    else "—"
                ),
                "better": d["better"],
                "statement": d["statement"],
            }
            for name, d in body["kpis"].items()
        ]
        head = PageHead(
            _("Compare replication sets"), parents=(HOME, (_("Plans"), reverse_lazy("plans:list")))
        )
        context = {
            "page_head": head,
            "base": base,
            "other": other,
            "comparison": body,
            "rows": rows,
        }
        return render(request, "risk/compare.html", context)


ADD_SCENARIO = "scenarios.add_scenario"
COST_LABELS = {
    "holding_cost": gettext_lazy("Holding cost"),
    "shortage_cost": gettext_lazy("Shortage cost"),
    "holding_shortage_cost": gettext_lazy("Holding + shortage cost"),
}


def scenario_versions(scenario: Scenario) -> list[tuple[str, str]]:
    """The scenario's plan versions that have a run, newest first, as form choices."""
    versions = (
        PlanVersion.objects.filter(base_scenario=scenario, runs__isnull=False)
        .select_related("plan")
        .distinct()
        .order_by("-created_at")[:50]
    )
    return [(v.pk, f"{v.plan.name} · {v.pk}") for v in versions]


class OptimiseView(LoginRequiredMixin, View):
    """POST: queue a stock-level optimisation of the scenario; the form on its page."""

    def post(self, request: HttpRequest, scenario_id: int) -> HttpResponse:
        require_permission(request, ADD_SCENARIO)
        scenario = get_object_or_404(Scenario, pk=scenario_id)
        form = OptimisationForm(request.POST, versions=scenario_versions(scenario))
        if form.is_valid():
            data = form.cleaned_data
            version = None
            if data["plan_version_id"]:
                version = PlanVersion.objects.filter(pk=data["plan_version_id"]).first()
            with service_errors(form):
                optimisation = level_optimisation_create(
                    scenario=scenario,
                    plan_version=version,
                    **picked(data, "n", "seed", "service_level"),
                    user=acting_user(request),
                )
                messages.success(
                    request,
                    _(
                        "The stock-level optimisation is queued (seed %(seed)s); "
                        "its result will be a new scenario."
                    )
                    % {"seed": optimisation.seed},
                )
                return redirect(optimisation)
        return render(
            request,
            "risk/optimise.html",
            {"scenario": scenario, "form": form},
            status=400,
        )


class OptimisationDetailView(LoginRequiredMixin, View):
    """One optimisation: status, the new scenario, before/after with intervals, the levels."""

    def get(self, request: HttpRequest, scenario_id: int, optimisation_id: int) -> HttpResponse:
        optimisation = get_object_or_404(
            LevelOptimisation.objects.select_related(
                "job", "scenario", "result_scenario", "plan_version"
            ),
            pk=optimisation_id,
            scenario_id=scenario_id,
        )
        report = optimisation.report or {}
        columns = report.get("columns", [])
        before, after = report.get("kpis_before", {}), report.get("kpis_after", {})
        kpis = [
            {
                "name": name,
                "label": COST_LABELS.get(name) or kpi_label(name),
                "before": before[name],
                "after": after[name],
            }
            for name in before
            if name in after
        ]
        context = {
            "optimisation": optimisation,
            "scenario": optimisation.scenario,
            "report": report,
            "kpis": kpis,
            "rows": [dict(zip(columns, row, strict=True)) for row in report.get("rows", [])],
            "running": optimisation.job is not None
            and optimisation.job.status in ("queued", "running"),
        }
        return render(request, "risk/optimisation.html", context)
