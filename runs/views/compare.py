"""``/ui/runs/compare?ids=a,b,…``: KPIs side by side with deltas against a base, a PSI
overlay of the runs, and what differs in their plan version, scenario and config."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from core.charts import chart_data, series
from core.forms import picked, service_errors
from runs import selectors
from runs.forms import CompareForm, OverlayForm
from runs.kpis import (
    QUANTITY,
    column_label,
    format_delta,
    format_kpi,
    format_pct,
    format_value,
    kpi_definition,
    kpi_place,
)
from runs.selectors.compare import Comparison, parse_set_ids
from runs.views.detail import run_links


def _kpi_table(comparison: Comparison, differences_only: bool) -> list[dict[str, Any]]:
    """One row per KPI, in the run page's sections: each run's value, and for the
    others delta and delta %."""
    base = str(comparison.base.run_id)
    ids = [str(run.run_id) for run in comparison.runs]
    rows = []
    for row in sorted(comparison.kpis, key=lambda row: kpi_place(row.kpi).order):
        place = kpi_place(row.kpi)
        base_value = row.values.get(base)
        differs = any(row.values.get(rid) != base_value for rid in ids if rid != base)
        if differences_only and not differs:
            continue
        cells = []
        for rid in ids:
            cell: dict[str, Any] = {
                "run_id": rid,
                "is_base": rid == base,
                "value": format_kpi(row.kpi, row.values.get(rid)),
            }
            if rid != base:
                delta = row.delta.get(rid)
                cell.update(
                    delta=format_delta(row.kpi, delta),
                    delta_pct=format_pct(row.delta_pct.get(rid)),
                    significant=bool(row.significant.get(rid)),
                    direction=(
                        "up" if delta and delta > 0 else "down" if delta and delta < 0 else ""
                    ),
                )
            cells.append(cell)
        rows.append(
            {
                "kpi": row.kpi,
                "label": place.label,
                "definition": kpi_definition(row.kpi),
                "section": place.title,
                "differs": differs,
                "cells": cells,
            }
        )
    return rows


def _overlay(comparison: Comparison, data: dict[str, Any]) -> dict[str, Any]:
    """The chosen PSI measure of every compared run, on one time axis."""
    query = selectors.TableQuery(**picked(data, "node", "item", "day_from", "day_to", "bucket"))
    # Days, not dates: the compared runs may start on different dates.
    x = "day" if query.bucket == "day" else "period"
    metric = data["metric"]
    per_run: dict[str, dict[str, float | None]] = {}
    missing = []
    for run in comparison.runs:
        frame = selectors.run_table(run=run, table="psi", query=query)
        rid = str(run.run_id)
        if frame.empty or metric not in frame.columns:
            missing.append(rid)
            continue
        per_run[rid] = dict(zip(map(str, frame[x]), series(frame[metric]), strict=True))
    # Runs may cover different days: the axis is the union, a gap where a run has none.
    labels = sorted(
        {label for values in per_run.values() for label in values},
        key=int if x == "day" else str,
    )
    base = str(comparison.base.run_id)
    chart = chart_data(
        labels=labels,
        datasets=[
            {
                "label": _("%(run)s (base)") % {"run": rid[:8]} if rid == base else rid[:8],
                "data": [values.get(label) for label in labels],
                "dashed": rid == base,
            }
            for rid, values in per_run.items()
        ],
        x_title=column_label(x),
        y_title=column_label(metric),
    )
    return {
        "chart": chart,
        "missing": missing,
        "run_ids": list(per_run),
        "rows": [
            [label, *(format_value(per_run[rid].get(label), QUANTITY) for rid in per_run)]
            for label in labels
        ],
    }


def _differences(comparison: Comparison) -> list[dict[str, Any]]:
    """Per non-base run: changed plan-version, scenario and config fields."""
    out = []
    for entry in comparison.differences:
        config = entry.get("config")
        plan_version = entry.get("plan_version") or []
        scenario = entry.get("scenario") or []
        out.append(
            {
                "run_id": entry["run_id"],
                "plan_version": plan_version,
                "scenario": scenario,
                "config": config,
                "same": not plan_version and not scenario and not config,
            }
        )
    return out


class RunCompareView(LoginRequiredMixin, View):
    """``/ui/runs/compare?ids=a,b,…``: KPIs side by side, PSI overlay, what differs.

    Ids that cannot be compared (malformed, unknown, repeated, too few or too
    many) get the page with the reason and a way back to run history, status
    400; so do bad settings (base, threshold, node, ...), next to their field.
    """

    template_name = "runs/compare.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if "sets" in request.GET:
            return self._sets(request)
        raw_ids = [value for value in request.GET.getlist("ids") if value]
        if len(raw_ids) > 1:
            # Checkboxes send ids=a&ids=b; one shareable URL says ids=a,b.
            params = request.GET.copy()
            params.setlist("ids", [",".join(raw_ids)])
            return HttpResponseRedirect(f"{reverse('runs:compare')}?{params.urlencode()}")
        form = CompareForm(request.GET)
        form.is_valid()
        # A bad setting (threshold, base) is shown at its field; only the ids are a must.
        ids = form.cleaned_data.get("ids")
        comparison = None
        if ids is not None:
            with service_errors(form):
                comparison = selectors.run_compare(
                    run_ids=ids,
                    base_id=form.cleaned_data.get("base"),
                    threshold=form.cleaned_data.get("threshold"),
                )
        context: dict[str, Any] = {"form": form, "comparison": comparison}
        overlay_form = None
        if comparison is not None:
            context.update(self._comparison_context(request, form, comparison))
            overlay_form = context["overlay_form"]
        failed = form.errors or (overlay_form is not None and overlay_form.errors)
        return render(request, self.template_name, context, status=400 if failed else 200)

    def _sets(self, request: HttpRequest) -> HttpResponse:
        """``?sets=A,B``: two replication sets are compared on the risk app's page."""
        try:
            base, other = parse_set_ids(request.GET["sets"])
        except ValidationError as error:
            form = CompareForm(request.GET)
            form.is_valid()
            form.errors.clear()
            form.add_error(None, error)
            return render(request, self.template_name, {"form": form}, status=400)
        query = urlencode({"base": base, "other": other})
        return HttpResponseRedirect(f"{reverse('risk:compare')}?{query}")

    def _comparison_context(
        self, request: HttpRequest, form: CompareForm, comparison: Comparison
    ) -> dict[str, Any]:
        form.set_runs(comparison.runs)
        keys = selectors.run_table_keys(run=comparison.base)
        overlay_form = OverlayForm(request.GET, keys=keys)
        overlay = None
        if keys and overlay_form.is_valid():
            with service_errors(overlay_form):
                overlay = _overlay(comparison, overlay_form.cleaned_data)
        base_id = str(comparison.base.run_id)
        csv_params = {
            "ids": ",".join(str(run.run_id) for run in comparison.runs),
            "base": base_id,
            "format": "csv",
        }
        if comparison.threshold is not None:
            csv_params["threshold"] = str(comparison.threshold)
        return {
            "overlay_form": overlay_form,
            "has_psi": bool(keys),
            "overlay": overlay,
            "kpi_rows": _kpi_table(comparison, form.cleaned_data.get("differences_only", False)),
            "kpi_count": len(comparison.kpis),
            "base_id": base_id,
            "runs": [
                {"run": run, "links": run_links(run), "is_base": run is comparison.base}
                for run in comparison.runs
            ],
            "differences": _differences(comparison),
            "csv_url": f"{reverse('runs-api:compare')}?{urlencode(csv_params)}",
        }
