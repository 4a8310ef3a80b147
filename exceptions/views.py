"""The Exceptions pages of a plan version and of a run: root cause, counts by kind,
a filterable, sortable, paginated list, CSV, and a link from each row to the PSI."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from exceptions import selectors
from exceptions.labels import KIND_DEFINITIONS, KIND_LABELS, SEVERITY_LABELS
from exceptions.links import grid_url, psi_url
from exceptions.models import PlanningException
from exceptions.sentences import cause_text, root_cause_sentence
from plans.models import PlanVersion
from runs.models import Run
from runs.selectors import run_get

PAGE_SIZE = 50


def summary_context(rows: QuerySet[PlanningException], run: Run | None) -> dict[str, Any]:
    """The root-cause sentence and the counts by kind (labels, definitions) of ``rows``."""
    counts = selectors.exception_counts(rows)
    sentence = ""
    if run is not None and run.fill_rate is not None:
        cause = selectors.root_cause_of(
            rows.filter(run=run),
            fill_rate=run.fill_rate,
            shortage_total=float(run.shortage_total or 0.0),
        )
        sentence = root_cause_sentence(cause)
    return {
        "sentence": sentence,
        "badges": [
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "definition": KIND_DEFINITIONS[kind],
                "count": n,
            }
            for kind, n in counts.items()
        ],
        "total": sum(counts.values()),
    }


def _page(
    request: HttpRequest,
    rows: QuerySet[PlanningException],
    *,
    run: Run | None,
    title: str,
    back_url: str,
    csv_path: str,
    template_context: dict[str, Any],
    plan_nodes: bool = True,
) -> HttpResponse:
    filterset = selectors.exception_filterset(rows, request.GET)
    # The filters' help speaks to API clients (parameter names); the page has its labels.
    for name in ("kind", "severity"):
        filterset.form.fields[name].help_text = _("Choose one or more (Ctrl-click).")
    filterset.form.fields["ordering"].help_text = ""
    status = 200
    shown: list[dict[str, Any]] = []
    page = None
    if filterset.is_valid():
        paginator = Paginator(filterset.qs, PAGE_SIZE)
        try:
            page = paginator.page(request.GET.get("page") or 1)
        except InvalidPage:
            page = paginator.page(1)
        run_id = run.run_id if run is not None else None
        shown = [
            {
                "row": row,
                "kind_label": KIND_LABELS.get(row.kind, row.kind),
                "severity_label": SEVERITY_LABELS.get(row.severity, row.severity),
                "cause": cause_text(row),
                "url": psi_url(row, run_id, plan_nodes=plan_nodes),
                "grid_url": grid_url(row),
            }
            for row in page.object_list
        ]
    else:
        status = 400
    query = {k: v for k, v in request.GET.lists() if k != "page"}
    csv_query = urlencode({**query, "format": ["csv"]}, doseq=True)
    context = {
        **template_context,
        "title": title,
        "back_url": back_url,
        "run": run,
        "form": filterset.form,
        "page_obj": page,
        "rows": shown,
        "csv_url": f"{csv_path}?{csv_query}",
        **summary_context(rows, run),
    }
    return render(request, "exceptions/list.html", context, status=status)


class RunExceptionsView(LoginRequiredMixin, View):
    """``/ui/runs/<run_id>/exceptions``."""

    def get(self, request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
        try:
            run = run_get(run_id=run_id)
        except Run.DoesNotExist:
            raise Http404(_("No run %(run_id)s.") % {"run_id": run_id}) from None
        return _page(
            request,
            selectors.exceptions_of_run(run=run),
            run=run,
            title=_("Exceptions of run %(run)s") % {"run": str(run.run_id)[:8]},
            back_url=reverse("runs:detail", args=[run.run_id]),
            csv_path=reverse("exceptions-api:run", args=[run.run_id]),
            template_context={"owner": "run"},
        )


class PlanExceptionsView(LoginRequiredMixin, View):
    """``/ui/plans/<plan_version_id>/exceptions``."""

    def get(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=plan_version_id)
        return _page(
            request,
            selectors.exceptions_of_plan_version(plan_version=version),
            run=selectors.plan_version_run(version),
            title=_("Exceptions of %(plan)s · %(version)s")
            % {"plan": version.plan.name, "version": version.pk},
            back_url=reverse("plans:detail", args=[version.pk]),
            csv_path=reverse("exceptions-api:plan", args=[version.pk]),
            template_context={"owner": "plan", "version": version},
            plan_nodes=version.input_set_id is None,
        )
