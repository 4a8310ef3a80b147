"""Editing by uploading the grid's CSV back: the cells a planner changed become edits.

The file is the one *Download CSV* gives (``plans/workbench/exports.py``): a row per key and
measure, a column per period. Only editable measures are read, and only cells whose value
differs from the draft's current one become edits, so an untouched row changes nothing (a
family row's new total is spread like a typed one). The edits go through
:func:`~plans.workbench.services.workbench_edit`: one transaction, the same refusals.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plans.models import PlanVersion
from plans.workbench.services import Distribution, EditOutcome, workbench_edit
from plans.workbench.sheets import sheet_load
from scpln.engine import workbench as wb

# Changes smaller than this are the CSV's rounding of an unchanged cell, not an edit.
TOLERANCE = 1e-6


def workbench_upload(
    *,
    version: PlanVersion,
    revision: int,
    text: str,
    measure_names: Mapping[str, str],
    distribution: Distribution | None = None,
    note: str = "",
    user: User | None = None,
) -> EditOutcome:
    """Apply the changed cells of an uploaded grid CSV. ``measure_names`` maps the measure
    column's texts (codes and the labels the download wrote) to measure codes. A file that is
    not the grid's CSV is a ``ValidationError`` on ``file`` naming the line."""
    edits = _edits(version, text, measure_names)
    if not edits:
        raise ValidationError({"file": _("No cell of the file differs from the plan.")})
    return workbench_edit(
        version=version,
        revision=revision,
        edits=edits,
        distribution=distribution,
        note=note or _("uploaded CSV"),
        user=user,
    )


def _edits(
    version: PlanVersion, text: str, measure_names: Mapping[str, str]
) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header or header[:6] != ["key", "level", "family", "sku", "node", "measure"]:
        raise ValidationError(
            {
                "file": _(
                    "Line 1: expected the grid's header "
                    "(key, level, family, sku, node, measure, …)."
                )
            }
        )
    sheet = sheet_load(version)
    rows = {wb.sku_key(s): i for i, s in enumerate(sheet.skus)}
    families = {wb.family_key(f): i for i, f in enumerate(sheet.families)}
    weeks = {w: i for i, w in enumerate(sheet.weeks)}
    periods = {p: i for i, p in enumerate(sheet.periods)}
    rollups: dict[str, Any] = {}
    columns = [
        (position, code) for position, code in enumerate(header) if code in weeks or code in periods
    ]
    edits: list[dict[str, Any]] = []
    for line, record in enumerate(reader, start=2):
        if not record:
            continue
        if len(record) != len(header):
            raise ValidationError(
                {
                    "file": _("Line %(line)d: %(n)d cells, the header has %(m)d.")
                    % {"line": line, "n": len(record), "m": len(header)}
                }
            )
        key, measure = record[0], measure_names.get(record[5], "")
        if measure not in wb.EDITABLE:
            continue
        for position, code in columns:
            raw = record[position].strip()
            if raw == "":
                continue
            try:
                value = float(raw)
            except ValueError:
                raise ValidationError(
                    {
                        "file": _("Line %(line)d, %(period)s: %(value)r is not a number.")
                        % {"line": line, "period": code, "value": raw}
                    }
                ) from None
            if not math.isfinite(value):
                raise ValidationError(
                    {
                        "file": _("Line %(line)d, %(period)s: expected a finite number.")
                        % {"line": line, "period": code}
                    }
                )
            if key in rows and code in weeks:
                current = float(sheet.values[measure][rows[key], weeks[code]])
            elif key in families and code in periods:
                if measure not in rollups:
                    rollups[measure] = sheet.rollup(measure)
                current = float(rollups[measure][families[key], periods[code]])
            else:
                raise ValidationError(
                    {
                        "file": _(
                            "Line %(line)d: no row %(key)r with period %(period)s in this plan."
                        )
                        % {"line": line, "key": key, "period": code}
                    }
                )
            if abs(value - current) > TOLERANCE:
                edits.append({"key": key, "measure": measure, "period": code, "value": value})
    return edits
