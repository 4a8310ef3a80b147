"""``/ui/runs/<run_id>``: one run (summary, links, KPIs, PSI and P&L over time) and
its actions: pin, unpin, archive, tags, notes, delete. A removed run's page says
when and why it went (410)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.audit import events_for, notes_for
from core.charts import chart_data, series
from core.forms import service_errors
from core.pages import flash_errors, found_or_404, note_post
from core.panels import panels_for
from core.tables import DisplayTable, display_table
from core.users import acting_user
from runs import selectors, services
from runs.forms import RunTableForm
from runs.kpis import column_label, kpi_groups, run_warnings, top_shortages
from runs.models import Run

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

# Rows of a result table shown on the page; the CSV download has every row.
TABLE_ROWS_SHOWN = 400
EVENTS_SHOWN = 50
# What each chart draws, when the table has the column.
PSI_SERIES = ("demand", "sales", "on_hand", "backlog")
PL_SERIES = ("revenue", "total_cost", "profit")


def run_or_404(run_id: uuid.UUID | str) -> Run:
    return found_or_404(lambda: selectors.run_get(run_id=run_id), _no_run(run_id))


def changed_run_or_404(run_id: uuid.UUID | str, change: Callable[[Run], Run]) -> Run:
    """The run after ``change``; a run deleted or pruned between reading it and
    changing it (the registry then raises ``Run.DoesNotExist``) is the same 404 as
    a run that was never there, not a server error."""
    return found_or_404(lambda: change(run_or_404(run_id)), _no_run(run_id))


def _no_run(run_id: uuid.UUID | str) -> str:
    return _("No run %(run_id)s.") % {"run_id": run_id}


def run_links(run: Run) -> dict[str, str | None]:
    """Where a run leads: its plan version, scenario, config, job, JSON and siblings."""
    pv = run.plan_version_id
    return {
        "plan_version": pv and reverse("plans:detail", args=[pv]),
        "scenario": (
            reverse("scenarios:detail", args=[run.scenario_id])
            if run.scenario_id is not None
            else None
        ),
        "config_version": reverse("scenarios:config-detail", args=[run.config_version_id]),
        "job": reverse("jobs:detail", args=[run.job_id]) if run.job_id is not None else None,
        "json": reverse("runs-api:detail", args=[run.run_id]),
        "history": pv and f"{reverse('runs:list')}?{urlencode({'plan_version_id': pv})}",
    }


def _with_dates(frame: pd.DataFrame, start: date) -> pd.DataFrame:
    """A daily table with the calendar ``date`` of each day beside it: planners read
    dates, the engine counts days."""
    if "day" not in frame.columns or "date" in frame.columns:
        return frame
    dates = pd.Timestamp(start) + pd.to_timedelta(frame["day"].astype("int64"), unit="D")
    out = frame.copy()
    out.insert(list(out.columns).index("day") + 1, "date", dates.dt.date)
    return out


def _frame_chart(
    frame: pd.DataFrame, x: str, columns: Sequence[str], *, y_title: str
) -> dict[str, Any]:
    """A line per column of ``columns`` the frame has, over ``x``."""
    if frame.empty or x not in frame.columns:
        return chart_data(labels=[], datasets=[])
    return chart_data(
        labels=frame[x].tolist(),
        datasets=[
            {"label": column_label(name), "data": series(frame[name])}
            for name in columns
            if name in frame.columns
        ],
        x_title=column_label(x),
        y_title=y_title,
    )


def _frame_table(frame: pd.DataFrame) -> DisplayTable:
    """The first rows, under translated column headings."""
    return display_table(frame.rename(columns=column_label), limit=TABLE_ROWS_SHOWN)


def _table_context(
    frame: pd.DataFrame, x: str, columns: Sequence[str], *, y_title: str, csv_url: str
) -> dict[str, Any]:
    return {
        "chart": _frame_chart(frame, x, columns, y_title=y_title),
        "table": _frame_table(frame),
        "empty": frame.empty,
        "csv_url": csv_url,
    }


def _csv_url(name: str, run: Run, params: dict[str, Any]) -> str:
    """The API's CSV of the same table with the same choices: every row, not the first."""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{reverse(name, args=[run.run_id])}?{urlencode({**query, 'format': 'csv'})}"


class RunDetailView(LoginRequiredMixin, View):
    """``/ui/runs/<run_id>``: summary, links, KPIs, PSI and P&L over time, actions."""

    template_name = "runs/detail.html"

    def get(self, request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
        try:
            run = selectors.run_get(run_id=run_id)
        except Run.DoesNotExist:
            return _removed_or_404(request, run_id)
        keys = selectors.run_table_keys(run=run)
        start = selectors.run_start_date(run=run)
        form = RunTableForm(request.GET, keys=keys, start_date=start)
        context: dict[str, Any] = {
            "run": run,
            "form": form,
            "has_psi": bool(keys),
            "kpi_groups": kpi_groups(run),
            "top_shortages": top_shortages(run),
            "warnings": run_warnings(run),
            "result_meta": selectors.run_result_meta(run=run),
            "links": run_links(run),
            "can_change": request.user.has_perm("runs.change_run"),
            "can_delete": request.user.has_perm("runs.delete_run"),
            "compare_baseline_url": _compare_baseline_url(run),
            "notes": list(notes_for(Run, run.pk)),
            "events": list(events_for(Run, run.pk)[:EVENTS_SHOWN]),
            "panels": panels_for(run, request),
        }
        if form.is_valid():
            with service_errors(form):
                context.update(self._tables(run, form.cleaned_data, psi=bool(keys), start=start))
        return render(request, self.template_name, context, status=400 if form.errors else 200)

    def _tables(self, run: Run, data: dict[str, Any], *, psi: bool, start: date) -> dict[str, Any]:
        """The PSI of the chosen node and item and the P&L, at the chosen grain."""
        days = {"day_from": data["day_from"], "day_to": data["day_to"], "bucket": data["bucket"]}
        x = "date" if data["bucket"] == "day" else "period"
        out: dict[str, Any] = {}
        if psi:
            pair = {"node": data["node"], "item": data["item"]}
            frame = selectors.run_table(
                run=run, table="psi", query=selectors.TableQuery(**pair, **days), start_date=start
            )
            out["psi"] = _table_context(
                _with_dates(frame, start).drop(
                    columns=[c for c in ("node", "item") if c in frame.columns]
                ),
                x,
                PSI_SERIES,
                y_title=_("Units"),
                csv_url=_csv_url("runs-api:psi", run, {**pair, **days}),
            )
        frame = selectors.run_table(
            run=run, table="pl", query=selectors.TableQuery(**days), start_date=start
        )
        out["pl"] = _table_context(
            _with_dates(frame, start),
            x,
            PL_SERIES,
            y_title=_("Amount"),
            csv_url=_csv_url("runs-api:pl", run, days),
        )
        return out


def _removed_or_404(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """The page of a removed run (410): when, why, where it was exported, its history."""
    tombstone = selectors.run_tombstone(run_id=run_id)
    if tombstone is None:
        raise Http404(_no_run(run_id))
    context = {"tombstone": tombstone, "events": list(events_for(Run, run_id)[:EVENTS_SHOWN])}
    return render(request, "runs/removed.html", context, status=410)


def _compare_baseline_url(run: Run) -> str:
    """Compare this run with its plan's baseline ('' when it is the baseline or has none)."""
    if run.is_baseline or run.plan_version_id is None:
        return ""
    baseline = selectors.run_baseline(run=run)
    return selectors.compare_url(baseline, run.run_id) if baseline else ""


class _RunSwitchView(PermissionRequiredMixin, View):
    """POST that turns one of a run's switches on or off (``runs.change_run``): the
    subclass names the service and what the planner is told after each."""

    permission_required = "runs.change_run"
    on = True
    told: tuple[StrOrPromise, StrOrPromise]  # after turning it on, after turning it off

    def switch(self, run: Run, user: User | None) -> Run:
        raise NotImplementedError

    def post(self, request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
        user = acting_user(request)
        run = changed_run_or_404(run_id, lambda run: self.switch(run, user))
        messages.success(request, self.told[0] if self.on else self.told[1])
        return redirect("runs:detail", run_id=run.run_id)


class RunArchiveView(_RunSwitchView):
    """POST ``/ui/runs/<run_id>/archive`` and ``…/unarchive``."""

    told = (
        gettext_lazy("Run archived: it no longer shows in the run history."),
        gettext_lazy("Run shown in the run history again."),
    )

    def switch(self, run: Run, user: User | None) -> Run:
        return services.run_set_archived(run=run, archived=self.on, user=user)


class RunTagsView(PermissionRequiredMixin, View):
    """POST ``/ui/runs/<run_id>/tags``: the tags, comma-separated (``runs.change_run``)."""

    permission_required = "runs.change_run"

    def post(self, request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
        tags = [t for t in request.POST.get("tags", "").split(",") if t.strip()]
        user = acting_user(request)
        try:
            changed_run_or_404(
                run_id, lambda run: services.run_set_tags(run=run, tags=tags, user=user)
            )
        except ValidationError as error:
            flash_errors(request, error, {"tags": _("Tags")})
        return redirect("runs:detail", run_id=run_id)


class RunNoteView(PermissionRequiredMixin, View):
    """POST ``/ui/runs/<run_id>/notes`` (``runs.change_run``)."""

    permission_required = "runs.change_run"

    def post(self, request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
        run = run_or_404(run_id)
        add = partial(services.run_note_add, run=run)
        return note_post(request, add, back=reverse("runs:detail", args=[run.run_id]))


class RunPinView(_RunSwitchView):
    """POST ``/ui/runs/<run_id>/pin`` and ``…/unpin``."""

    told = (
        gettext_lazy("Run pinned: retention will keep it."),
        gettext_lazy("Run unpinned: retention may delete it again."),
    )

    def switch(self, run: Run, user: User | None) -> Run:
        return services.run_set_pinned(run=run, pinned=self.on, user=user)


class RunDeleteView(PermissionRequiredMixin, View):
    """``/ui/runs/<run_id>/delete``: a confirmation page (GET), the deletion (POST),
    both only with ``runs.delete_run``."""

    permission_required = "runs.delete_run"
    template_name = "runs/confirm_delete.html"

    def get(self, request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
        run = run_or_404(run_id)
        context = {"run": run, "can_change": request.user.has_perm("runs.change_run")}
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
        run = run_or_404(run_id)
        try:
            services.run_delete(run=run, user=acting_user(request))
        except ValidationError as error:
            flash_errors(request, error)
            return redirect("runs:detail", run_id=run.run_id)
        messages.success(request, _("Run %(run_id)s deleted.") % {"run_id": run.run_id})
        return redirect("runs:list")
