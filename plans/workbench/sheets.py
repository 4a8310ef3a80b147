"""Loading a plan version's workbench sheet: its stored tables with its cell edits laid over."""

from __future__ import annotations

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import Conflict
from plans.models import CellEdit, CellLock, PlanArtifact, PlanVersion
from plans.services.artifacts import artifact_frame
from scpln.engine import workbench as wb

# The tables a sheet is made of (allocate: sku_week, week_periods; plan_final: plan_final).
SHEET_TABLES = ("sku_week", "week_periods", "plan_final")


class NoSheet(Conflict):
    """The version has no detail plan yet (still generating, or failed before it): 409."""


def sheet_load(version: PlanVersion) -> wb.Sheet:
    """The version's sheet with its cell edits applied (raises :class:`NoSheet`)."""
    tables = {
        a.name: artifact_frame(a)
        for a in PlanArtifact.objects.filter(plan_version=version, name__in=SHEET_TABLES)
    }
    if "sku_week" not in tables or "week_periods" not in tables:
        raise NoSheet(_("Plan version %(pv)s has no detail plan yet.") % {"pv": version.pk})
    sheet = wb.sheet_from_tables(
        tables["sku_week"], tables["week_periods"], tables.get("plan_final")
    )
    edits_apply(sheet, CellEdit.objects.filter(plan_version=version))
    return sheet


def edits_apply(sheet: wb.Sheet, edits: QuerySet[CellEdit]) -> None:
    """Lay stored cell edits over the sheet (edits of cells the sheet lacks are ignored)."""
    rows = {s: i for i, s in enumerate(sheet.skus)}
    weeks = {w: i for i, w in enumerate(sheet.weeks)}
    by_measure: dict[str, tuple[list[int], list[int], list[float]]] = {}
    for sku, measure, week, value in edits.values_list("sku", "measure", "week", "value"):
        if sku in rows and week in weeks and measure in sheet.values:
            r, w, v = by_measure.setdefault(measure, ([], [], []))
            r.append(rows[sku])
            w.append(weeks[week])
            v.append(value)
    for measure, (r, w, v) in by_measure.items():
        sheet.values[measure][np.array(r), np.array(w)] = np.array(v)


def locks_of(version: PlanVersion) -> list[tuple[str, str | None]]:
    """The version's locks as (row key, period or None for the whole row)."""
    return [
        (key, period or None)
        for key, period in CellLock.objects.filter(plan_version=version).values_list(
            "key", "period"
        )
    ]
