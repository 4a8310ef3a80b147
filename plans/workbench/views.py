"""The workbench pages: the grid (/ui/plans/<id>/psi), its downloads, recalculation and the
changes against the parent version. Thin: parse, call one selector or service, render."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View

from core.downloads import csv_cell, rows_download
from core.errors import Conflict, error_fields
from core.users import acting_user
from plans.models import PlanVersion
from plans.workbench import selectors
from plans.workbench.exports import grid_table
from plans.workbench.formatting import grid_number_format
from plans.workbench.services import RECALCULATE, workbench_recalculate
from plans.workbench.sheets import NoSheet
from plans.workbench.uploads import workbench_upload
from runs.models import Run
from runs.selectors import compare_url

CHANGE = "plans.change_planversion"
ALL = 10**9
MEASURE_LABELS = {
    "demand": gettext_lazy("Demand"),
    "production": gettext_lazy("Planned production"),
    "receipts": gettext_lazy("Planned receipts"),
    "closing_stock": gettext_lazy("Closing stock"),
    "backlog": gettext_lazy("Backlog"),
    "target_stock": gettext_lazy("Target stock"),
    "capacity": gettext_lazy("Capacity"),
    "load": gettext_lazy("Load"),
}
MODE_LABELS = {
    "proportional": gettext_lazy("Proportional to the current values"),
    "equal": gettext_lazy("Equal"),
    "weights": gettext_lazy("Custom weights"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_label(period: selectors.GridPeriod, level: str) -> tuple[str, str]:
    """Two lines for a column head: ``W05`` over its first day (``01/27``; ``1/27`` in
    Japanese) for a week, ``Jan 2025`` (``2025年1月``) for a month: short, so 13 months fit a
    1440 px screen without scrolling. The date formats are translated strings, as each
    language writes a short date its own way."""
    if level == "detail":
        week = period.code.rsplit("-", 1)[-1]
        return week, date_format(period.start, pgettext("first day of a week column", "m/d"))
    return date_format(period.start, pgettext("month column", "M Y")), ""


def _version(plan_version_id: str) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.select_related("plan", "parent", "workbench"), pk=plan_version_id
    )


class WorkbenchGridView(LoginRequiredMixin, View):
    """The PSI grid of a plan version: levels, filters, paging, inline edits (workbench.js)."""

    def get(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        version = _version(plan_version_id)
        errors: dict[str, list[str]] = {}
        try:
            query = selectors.grid_query(request.GET)
        except ValidationError as error:
            errors = error_fields(error)
            query = selectors.GridQuery()
        page = None
        problem = ""
        try:
            page = selectors.grid_page(version=version, query=query)
        except NoSheet as missing:
            problem = missing.message
        except ValidationError as error:
            errors = error_fields(error)
            page = selectors.grid_page(
                version=version, query=replace(query, period_from="", period_to="")
            )
        editing = selectors.is_workbench_draft(version)
        can_edit = request.user.has_perm(CHANGE) and not version.is_read_only
        context: dict[str, Any] = {
            "version": version,
            "plan": version.plan,
            "query": query,
            "errors": errors,
            "problem": problem,
            "page": page,
            "editing": editing,
            "can_edit": can_edit and (editing or (page is not None and page.draft is None)),
            "measure_labels": MEASURE_LABELS,
            "modes": MODE_LABELS,
            "recalculate_job": version.jobs.filter(type=RECALCULATE)
            .order_by("-created_at")
            .first(),
            "nav_section": "plans",
        }
        if page is not None:
            context["periods"] = [(p, *period_label(p, page.level)) for p in page.periods]
            context["groups"] = _groups(page)
            context["capacity"] = _capacity(page)
            context["page_query"] = _page_query(request)
        return render(request, "plans/workbench/grid.html", context)


def _groups(page: selectors.GridPage) -> list[dict[str, Any]]:
    """Rows grouped by key (a family or a SKU and its measures), for the table body.

    The cells of a row are written here as one HTML string: a 53-week page has over ten
    thousand, which a template loop renders ten times slower (bench/bench_workbench.py).
    """
    fmt = grid_number_format()
    codes = [escape(p.code) for p in page.periods]
    groups: list[dict[str, Any]] = []
    for row in page.rows:
        if not groups or groups[-1]["key"] != row.key:
            groups.append({"key": row.key, "first": row, "rows": []})
        locked = set(row.locked_periods)
        edited = set(row.edited_periods)
        recalculated = set(row.recalculated_periods)
        cells = []
        for code, period, value in zip(codes, page.periods, row.values, strict=True):
            if not row.editable:
                changed = " recalc" if period.code in recalculated else ""
                cells.append(f'<td class="num{changed}">{fmt(value)}</td>')
                continue
            states = ""
            if row.locked or period.code in locked:
                states += " locked"
            if period.code in edited:
                states += " edited"
            cells.append(
                f'<td class="num editable{states}" data-period="{code}" data-value="{value:.6f}"'
                f' tabindex="0">{fmt(value)}</td>'
            )
        groups[-1]["rows"].append(
            {
                "row": row,
                "label": MEASURE_LABELS[row.measure],
                "opening": "" if row.opening is None else fmt(row.opening),
                "total": fmt(row.total),
                "cells": mark_safe("".join(cells)),  # numbers and escaped period codes only
            }
        )
    return groups


def _capacity(page: selectors.GridPage) -> list[dict[str, Any]]:
    """Capacity and load rows for the table under the grid; load above capacity is marked."""
    fmt = grid_number_format()
    out: list[dict[str, Any]] = []
    rows = page.capacity_rows
    for capacity, load in zip(rows[::2], rows[1::2], strict=True):
        over = [lv > cv + 1e-6 for cv, lv in zip(capacity.values, load.values, strict=True)]
        for row in (capacity, load):
            cells = "".join(
                f'<td class="num{" over" if row is load and hot else ""}">{fmt(v)}</td>'
                for v, hot in zip(row.values, over, strict=True)
            )
            out.append(
                {
                    "row": row,
                    "first": row is capacity,
                    "label": MEASURE_LABELS[row.measure],
                    "cells": mark_safe(cells),  # numbers only
                    "total": fmt(row.total),
                }
            )
    return out


def _page_query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class WorkbenchExportView(LoginRequiredMixin, View):
    """Every row of the grid as filtered, as CSV or XLSX (labels as the page shows them)."""

    def get(
        self, request: HttpRequest, plan_version_id: str, fmt: str
    ) -> HttpResponse | StreamingHttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404(_("Downloads are CSV or XLSX."))
        version = _version(plan_version_id)
        try:
            query = selectors.grid_query(request.GET)
            page = selectors.grid_page(version=version, query=replace(query, page=1, page_size=ALL))
        except (ValidationError, NoSheet) as error:
            raise Http404(str(error)) from None
        header, rows = grid_table(page)
        labelled = [[*r[:5], str(MEASURE_LABELS[r[5]]), *r[6:]] for r in rows]
        filename = f"{version.pk}-psi-{page.level}"
        if fmt == "csv":
            return rows_download(header, labelled, filename=f"{filename}.csv")
        return _xlsx(header, labelled, filename=f"{filename}.xlsx", title=version.pk)


def _xlsx(header: list[str], rows: list[list[Any]], *, filename: str, title: str) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([csv_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class WorkbenchRecalculateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied(_("You do not have permission to do this."))
        version = _version(plan_version_id)
        try:
            job = workbench_recalculate(version=version, user=acting_user(request))
        except (Conflict, ValidationError) as error:
            text = error.message if isinstance(error, Conflict) else " ".join(error.messages)
            messages.error(request, text)
        else:
            messages.success(request, _("Recalculation queued as job #%(job)s.") % {"job": job.pk})
        return redirect(reverse("plans:psi", args=[version.pk]))


class WorkbenchChangesView(LoginRequiredMixin, View):
    """Every detail cell that differs from the parent version, and the two runs to compare."""

    def get(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        version = _version(plan_version_id)
        count, changes = selectors.changes_vs_parent(version)
        mine = Run.objects.filter(plan_version=version).order_by("-started_at").first()
        theirs = (
            Run.objects.filter(plan_version_id=version.parent_id).order_by("-started_at").first()
            if version.parent_id
            else None
        )
        return render(
            request,
            "plans/workbench/changes.html",
            {
                "version": version,
                "plan": version.plan,
                "count": count,
                "changes": changes,
                "measure_labels": MEASURE_LABELS,
                "compare_runs_url": compare_url(theirs.run_id, mine.run_id)
                if mine and theirs
                else "",
                "nav_section": "plans",
            },
        )


class WorkbenchUploadView(LoginRequiredMixin, View):
    """Edits by uploading the grid's CSV back (plans/workbench/uploads.py)."""

    def post(self, request: HttpRequest, plan_version_id: str) -> HttpResponse:
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied(_("You do not have permission to do this."))
        version = _version(plan_version_id)
        target = version.pk
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": _("Choose the CSV file to upload.")})
            if upload.size and upload.size > settings.SCPLN_MAX_UPLOAD_BYTES:
                raise ValidationError({"file": _("The file is larger than scpln accepts.")})
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
            revision = int(request.POST.get("revision") or 0)
            names = {m: m for m in MEASURE_LABELS} | {str(v): k for k, v in MEASURE_LABELS.items()}
            outcome = workbench_upload(
                version=version,
                revision=revision,
                text=text,
                measure_names=names,
                user=acting_user(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except (Conflict, ValueError) as error:
            messages.error(request, getattr(error, "message", str(error)))
        else:
            target = outcome.version.pk
            messages.success(
                request,
                _("%(changed)d cells changed, %(refused)d locked cells left as they were.")
                % {"changed": len(outcome.changed), "refused": len(outcome.refused)},
            )
        return redirect(reverse("plans:psi", args=[target]))
