"""``/ui/runs``: run history (filtered, sorted, paged) and its CSV export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.downloads import rows_download
from runs import selectors
from runs.filters import DEFAULT_ORDERING, RunFilter
from runs.forms import PAGE_SIZES, VISIBLE_FILTERS, PageForm, active_filters, style_filter_form
from runs.models import Run

# (key, heading, ordering key or None): the columns of run history.
LIST_COLUMNS: tuple[tuple[str, Any, str | None], ...] = (
    ("run", _("Run"), None),
    ("plan_version", _("Plan version"), None),
    ("scenario", _("Scenario"), None),
    ("config_version", _("Config"), None),
    ("status", _("Status"), None),  # and "pinned"
    ("fill_rate", _("Fill rate"), "fill_rate"),
    ("cycle_service_level", _("Cycle service level"), "cycle_service_level"),
    ("profit_total", _("Profit"), "profit_total"),
    ("shortage_total", _("Shortage"), "shortage_total"),
    ("avg_on_hand", _("Avg. on-hand"), "avg_on_hand"),
    ("avg_backlog", _("Avg. backlog"), "avg_backlog"),
    ("duration", _("Duration"), "duration_ms"),
    ("started", _("Started"), "started_at"),
)

# Run-history CSV: one line per matching run, every column a list row has.
EXPORT_COLUMNS = (
    ("run_id", "run_id"),
    ("plan_version_id", "plan_version_id"),
    ("scenario_id", "scenario_id"),
    ("scenario_name", "scenario__name"),
    ("config_version_id", "config_version_id"),
    ("job_id", "job_id"),
    ("source", "source"),
    ("status", "status"),
    ("started_at", "started_at"),
    ("finished_at", "finished_at"),
    ("duration_ms", "duration_ms"),
    ("fill_rate", "fill_rate"),
    ("cycle_service_level", "cycle_service_level"),
    ("avg_on_hand", "avg_on_hand"),
    ("avg_backlog", "avg_backlog"),
    ("shortage_total", "shortage_total"),
    ("profit_total", "profit_total"),
    ("pinned", "pinned"),
)
EXPORT_CHUNK = 2000


def _list_columns(filterset: RunFilter) -> list[dict[str, Any]]:
    """Headings with the ordering a click asks for and the current ``aria-sort``."""
    ordering = (getattr(filterset.form, "cleaned_data", None) or {}).get("ordering") or list(
        DEFAULT_ORDERING
    )
    primary = ordering[0]
    columns = []
    for key, label, sort in LIST_COLUMNS:
        column: dict[str, Any] = {"key": key, "label": label, "sort": sort, "aria_sort": None}
        if sort:
            if primary == sort:
                column["aria_sort"], column["next"] = "ascending", f"-{sort}"
            elif primary == f"-{sort}":
                column["aria_sort"], column["next"] = "descending", sort
            else:
                column["next"] = f"-{sort}"  # biggest / newest first on the first click
        columns.append(column)
    return columns


def _extra_filters(request: HttpRequest, form: Any) -> list[dict[str, Any]]:
    """Filters a link applied that the form has no input for (plan, job, ...),
    each with the URL that drops it."""
    out = []
    for name in form.fields:
        value = request.GET.get(name, "")
        if name in VISIBLE_FILTERS or not value:
            continue
        params = request.GET.copy()
        params.pop(name, None)
        params.pop("page", None)
        out.append(
            {
                "name": name,
                "label": form.fields[name].label,
                "value": value,
                "remove_url": f"{reverse('runs:list')}?{params.urlencode()}",
            }
        )
    return out


def _paginate(runs: Sequence[Run], number: int | str, size: int) -> Page:
    """One page; a number past the end shows the last page (the count is one query)."""
    paginator = Paginator(runs, size)
    last = paginator.num_pages
    return paginator.page(last if number == "last" else min(int(number), last))


class RunListView(LoginRequiredMixin, View):
    """``/ui/runs``: run history, filtered, sorted and paged."""

    template_name = "runs/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = selectors.run_filterset(request.GET)
        form = style_filter_form(filterset)
        page_form = PageForm(request.GET)
        valid = filterset.is_valid() and page_form.is_valid()
        page = None
        if valid:
            page = _paginate(
                selectors.run_list(filterset=filterset),
                page_form.cleaned_data["page"],
                page_form.cleaned_data["page_size"],
            )
        context = {
            "form": form,
            "page_form": page_form,
            "page": page,
            "columns": _list_columns(filterset),
            "filters_active": valid and bool(active_filters(filterset)),
            "extra_filters": _extra_filters(request, form),
            "page_sizes": PAGE_SIZES,
            "page_size": page_form.cleaned_data.get("page_size") if valid else None,
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


def _export_rows(runs: Sequence[Run]) -> Iterator[Sequence[Any]]:
    if isinstance(runs, QuerySet):
        # Tuples straight from the cursor, a chunk at a time: 100,000 runs
        # stream in constant memory and never become model instances.
        paths = [path for _name, path in EXPORT_COLUMNS]
        yield from runs.values_list(*paths).iterator(chunk_size=EXPORT_CHUNK)
        return
    # The memory registry's runs carry their scenario.
    for run in runs:
        yield [
            (run.scenario.name if run.scenario else None)
            if path == "scenario__name"
            else getattr(run, path)
            for _name, path in EXPORT_COLUMNS
        ]


class RunExportView(LoginRequiredMixin, View):
    """``/ui/runs/export``: every run the filters match, in the page's order, as CSV,
    streamed (no cap). A bad filter gets the history page with its errors (400)."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        try:
            runs = selectors.run_list(params=request.GET)
        except ValidationError:
            return RunListView.as_view()(request)
        header = [name for name, _path in EXPORT_COLUMNS]
        # The lines are written after the middleware has reset the time zone.
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        return rows_download(
            header,
            _export_rows(runs),
            filename=f"runs-{stamp}.csv",
            zone=timezone.get_current_timezone(),
            stream=True,
        )
