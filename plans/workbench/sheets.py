"""Loading a plan version's workbench sheet: its stored tables with its cell edits laid over.

Building a sheet from the stored tables costs seconds for a 10,000-SKU plan (Parquet
decoding, pivoting), and a planner pages and edits many times between two recalculations, so
the sheet built from the tables is cached — in this process (the last few) and in Django's
cache (shared by the web processes and warmed by the recalculation job) — under a key that
changes whenever the tables do: their row ids (generation writes new rows) and the draft's
recalculation time (recalculation rewrites them); a draft not recalculated yet shares its
parent's. Edits are laid over a copy on every load.

Django's cache is given the sheet pickled and zstd-compressed (:func:`_packed`), not the sheet:
the file cache (no Redis) would zlib-compress the pickle itself, about a second for a
10,000-SKU sheet, done twice per recalculation (the draft's sheet read, the new one cached);
zstd takes a small fraction of that, and zlib then has little left to do.
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import Conflict
from plans.models import CellEdit, CellLock, PlanArtifact, PlanVersion, Workbench
from plans.services.inputs import planning_context
from runs.columnar import arrow_owned, parquet_to_frame
from scpln.engine import planning as engine_planning
from scpln.engine import workbench as wb
from scpln.engine.planning.plan_final import PLAN_COLUMNS

# The tables a sheet is made of, and the columns it reads of each.
SHEET_TABLES = {
    "sku_week": ["sku", "family", "week", "week_index", "week_start", "demand", "production"],
    "week_periods": None,
    # backlog is absent from tables stored before it was computed: read where it is there.
    "plan_final": [c for c in PLAN_COLUMNS if c not in ("family", "week", "planned_release")],
    "capacity": ["workcenter", "week_index", "capacity", "load"],
}
# Changes when a Sheet gains a field or measure, or its cached form changes (3: packed), so
# sheets cached before are not read back.
SHEET_FORMAT = 3
LOCAL_SHEETS = 4
CACHE_SECONDS = 24 * 3600
_local: OrderedDict[str, wb.Sheet] = OrderedDict()


class NoSheet(Conflict):
    """The version has no detail plan yet (still generating, or failed before it): 409."""


def _key(version: PlanVersion) -> tuple[str, list[tuple[int, str]]]:
    tables = list(
        PlanArtifact.objects.filter(plan_version=version, name__in=SHEET_TABLES)
        .order_by("name")
        .values_list("pk", "name")
    )
    if {"sku_week", "week_periods"} - {name for _pk, name in tables}:
        raise NoSheet(_("Plan version %(pv)s has no detail plan yet.") % {"pv": version.pk})
    drafts = list(Workbench.objects.filter(pk=version.pk).values_list("recalculated_at", flat=True))
    recalculated = drafts[0] if drafts else None
    if drafts and recalculated is None and version.parent is not None:
        # A draft not recalculated yet holds copies of its parent's tables, made with it
        # (services._draft_create; only recalculation rewrites them, and marks the draft in
        # the same transaction): its sheet is its parent's, which the planner's first edit
        # loaded — a recalculation's read need not build it again.
        return _key(version.parent)[0], tables
    stamp = recalculated.isoformat() if recalculated else "-"
    ids = "-".join(str(pk) for pk, _name in tables)
    return f"workbench-sheet:{SHEET_FORMAT}:{version.pk}:{ids}:{stamp}", tables


def base_sheet(
    version: PlanVersion,
    *,
    inputs: engine_planning.PlanningInputs | None = None,
    stored: Mapping[str, pd.DataFrame] | None = None,
) -> wb.Sheet:
    """The sheet of the version's stored tables, without edits (cached; do not change it).

    ``inputs``: the version's planning inputs when the caller has them already (the
    recalculation job), so a sheet not cached yet does not derive them again (seconds for a
    10,000-SKU network). ``stored``: tables by name as the caller has just stored them (the
    recalculation job), which are then not decoded back from their bytes."""
    key, tables = _key(version)
    sheet = _local.get(key)
    if sheet is None:
        packed = cache.get(key)
        sheet = None if packed is None else _unpacked(packed)
    if sheet is None:
        frames = {name: _frame(pk, name, stored) for pk, name in tables}
        sku_week = frames["sku_week"]
        skus = [str(s) for s in pd.unique(sku_week["sku"])]
        weeks = [
            str(w) for w in sku_week.drop_duplicates("week_index").sort_values("week_index")["week"]
        ]
        sheet = wb.sheet_from_tables(
            sku_week,
            frames["week_periods"],
            frames.get("plan_final"),
            target=target_stock(version, skus, weeks, inputs=inputs),
            capacity=frames.get("capacity"),
        )
        cache.set(key, _packed(sheet), CACHE_SECONDS)
    _local[key] = sheet
    _local.move_to_end(key)
    while len(_local) > LOCAL_SHEETS:
        _local.popitem(last=False)
    return sheet


def _packed(sheet: wb.Sheet) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        pickle.dump(sheet, out, protocol=pickle.HIGHEST_PROTOCOL)
    return sink.getvalue().to_pybytes()


def _unpacked(packed: bytes) -> wb.Sheet:
    with pa.CompressedInputStream(pa.BufferReader(arrow_owned(packed)), "zstd") as stream:
        sheet: wb.Sheet = pickle.load(stream)
    return sheet


def _frame(pk: int, name: str, stored: Mapping[str, pd.DataFrame] | None) -> pd.DataFrame:
    if stored is not None and name in stored:
        return stored[name]
    return _table(pk, SHEET_TABLES[name])


def _table(pk: int, columns: list[str] | None) -> pd.DataFrame:
    """A stored table, with those of ``columns`` it has (all when None)."""
    data, stored = PlanArtifact.objects.values_list("data", "columns").get(pk=pk)
    return parquet_to_frame(
        data, columns=None if columns is None else [c for c in columns if c in stored]
    )


def target_stock(
    version: PlanVersion,
    skus: list[str],
    weeks: list[str],
    *,
    inputs: engine_planning.PlanningInputs | None = None,
) -> np.ndarray | None:
    """The SKUs' target stock by week as the version was planned with (its inputs' network
    targets and profiles, ``inputs`` when given); None when its inputs cannot be built any
    more."""
    if inputs is not None:
        return inputs.target_matrix(skus, weeks)
    try:
        context = planning_context(
            config_version=version.config_version,
            scenario=version.base_scenario,
            input_set=version.input_set,
        )
    except ValidationError:
        return None
    return context.inputs.target_matrix(skus, weeks)


def sheet_load(
    version: PlanVersion, *, inputs: engine_planning.PlanningInputs | None = None
) -> wb.Sheet:
    """The version's sheet with its cell edits applied (raises :class:`NoSheet`); ``inputs``
    as for :func:`base_sheet`."""
    sheet = copy.copy(base_sheet(version, inputs=inputs))
    sheet.values = {name: values.copy() for name, values in sheet.values.items()}
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
