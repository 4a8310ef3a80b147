"""Reads of the workbench: the grid a planner sees (filtered, paged), its events, and the
differences between a draft and its parent.

Paging counts rows of the grid's first column (families or SKUs): a page of 50 SKUs holds
their 50 × 6 measure rows, so a SKU's measures are never split across pages.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core.audit import events_for
from core.models import AuditEvent
from plans.models import CellEdit, PlanVersion, Workbench
from plans.workbench.sheets import NoSheet, locks_of, sheet_load
from scpln.engine import workbench as wb

MAX_PAGE_SIZE = 500
# The measure whose value before the first period the grid's opening column shows.
OPENING = "closing_stock"
DEFAULT_PAGE_SIZE = 50
# The audit actions of the workbench (core/audit.py labels them; plans/apps.py registers).
EVENT_ACTIONS = ("psi_draft", "psi_edit", "psi_recalculate")


@dataclass(frozen=True)
class GridQuery:
    """What a planner asked the grid for (parsed from a query string by :func:`grid_query`)."""

    level: wb.Level = "detail"
    family: str = ""
    sku: str = ""
    node: str = ""
    q: str = ""
    period_from: str = ""
    period_to: str = ""
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    exceptions: bool = False  # only families or SKUs with exceptions


@dataclass(frozen=True)
class GridPeriod:
    code: str
    start: dt.date
    partial: bool


@dataclass
class GridRow:
    key: str
    level: str
    family: str
    sku: str
    node: str
    measure: str
    editable: bool
    stock: bool
    values: list[float]
    opening: float | None
    total: float
    locked: bool
    locked_periods: list[str] = field(default_factory=list)
    edited_periods: list[str] = field(default_factory=list)
    # Periods whose value recalculation changed against the parent version (read-only measures).
    recalculated_periods: list[str] = field(default_factory=list)
    # The item's exceptions (the exceptions app's, of the plan and its runs).
    exceptions: int = 0


@dataclass
class GridPage:
    version: PlanVersion
    level: wb.Level
    periods: list[GridPeriod]
    rows: list[GridRow]
    count: int
    page: int
    page_size: int
    revision: int
    draft: PlanVersion | None
    # What the filters offer: every family, node and period code of the level.
    families: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    # Capacity and load of the work centres (nodes) that make this page's items.
    capacity_rows: list[GridRow] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


def grid_query(params: Any) -> GridQuery:
    """Parse the grid's query parameters; a bad one is a ``ValidationError`` naming it."""
    level = params.get("level") or "detail"
    if level not in wb.LEVELS:
        raise ValidationError({"level": _("Expected “aggregate” or “detail”.")})
    numbers: dict[str, int] = {}
    for name, default, upper in (
        ("page", 1, None),
        ("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    ):
        raw = params.get(name) or ""
        try:
            value = int(raw) if raw != "" else default
        except ValueError:
            value = 0
        if value < 1 or (upper is not None and value > upper):
            message = (
                _("Expected a whole number from 1 to %(max)d.") % {"max": upper}
                if upper
                else _("Expected a positive whole number.")
            )
            raise ValidationError({name: message})
        numbers[name] = value
    text = {
        name: (params.get(name) or "").strip()[:200]
        for name in ("family", "sku", "node", "q", "period_from", "period_to")
    }
    return GridQuery(
        level=level,
        family=text["family"],
        sku=text["sku"],
        node=text["node"],
        q=text["q"],
        period_from=text["period_from"],
        period_to=text["period_to"],
        page=numbers["page"],
        page_size=numbers["page_size"],
        exceptions=str(params.get("exceptions") or "").lower() in ("1", "true", "on", "yes"),
    )


def revision_of(version: PlanVersion) -> int:
    """The version's edit revision (0 for a version never edited)."""
    return Workbench.objects.filter(pk=version.pk).values_list("revision", flat=True).first() or 0


def open_draft(version: PlanVersion) -> PlanVersion | None:
    """The draft made by editing ``version`` that is still being edited, if any."""
    return (
        PlanVersion.objects.filter(
            parent=version, state=PlanVersion.State.DRAFT, workbench__isnull=False
        )
        .order_by("-created_at")
        .first()
    )


def is_workbench_draft(version: PlanVersion) -> bool:
    """An edited draft still open for edits (not yet recalculated into an executed plan)."""
    return (
        version.state == PlanVersion.State.DRAFT
        and Workbench.objects.filter(pk=version.pk).exists()
    )


def _columns(sheet: wb.Sheet, query: GridQuery) -> np.ndarray:
    """The positions of the level's periods shown, from period_from to period_to."""
    codes = sheet.weeks if query.level == "detail" else sheet.periods
    first, last = 0, len(codes) - 1
    for name, bound in (("period_from", query.period_from), ("period_to", query.period_to)):
        if not bound:
            continue
        position = _position(sheet, query.level, bound, end=name == "period_to")
        if position is None:
            raise ValidationError(
                {name: _("%(period)s is not a period of this plan.") % {"period": bound}}
            )
        if name == "period_from":
            first = position
        else:
            last = position
    return np.arange(first, last + 1)


def _position(sheet: wb.Sheet, level: str, code: str, *, end: bool) -> int | None:
    if level == "aggregate":
        return sheet.periods.index(code) if code in sheet.periods else None
    if code in sheet.weeks:
        return sheet.weeks.index(code)
    if code in sheet.periods:  # a month at the detail level: its first or last week
        weeks = np.flatnonzero(sheet.week_period == sheet.periods.index(code))
        return int(weeks[-1] if end else weeks[0]) if weeks.size else None
    return None


def _periods(sheet: wb.Sheet, level: str, positions: np.ndarray) -> list[GridPeriod]:
    starts = [dt.date.fromisoformat(s) for s in sheet.week_start]
    first_day = starts[0] if starts else None
    last_day = starts[-1] + dt.timedelta(days=int(sheet.week_days[-1]) - 1) if starts else None
    out = []
    for p in positions:
        if level == "detail":
            out.append(GridPeriod(sheet.weeks[p], starts[p], bool(sheet.week_days[p] < 7)))
            continue
        code = sheet.periods[p]
        weeks = np.flatnonzero(sheet.week_period == p)
        start = starts[int(weeks[0])]
        partial = False
        try:
            month = dt.date.fromisoformat(f"{code}-01")
        except ValueError:
            month = None
        if month is not None and first_day is not None and last_day is not None:
            start = month
            month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            partial = first_day > month or last_day < month_end
        out.append(GridPeriod(code, start, partial))
    return out


def _selected_skus(sheet: wb.Sheet, query: GridQuery) -> np.ndarray:
    keep = np.ones(len(sheet.skus), dtype=bool)
    families = np.array(sheet.families, dtype=object)[sheet.sku_family]
    skus = np.array(sheet.skus, dtype=object)
    if query.family:
        keep &= families == query.family
    if query.sku:
        keep &= skus == query.sku
    if query.node:
        keep &= np.array(sheet.nodes, dtype=object) == query.node
    if query.q:
        needle = query.q.lower()
        keep &= np.array(
            [
                needle in s.lower() or needle in f.lower()
                for s, f in zip(skus, families, strict=True)
            ],
            dtype=bool,
        )
    return np.flatnonzero(keep)


def grid_page(*, version: PlanVersion, query: GridQuery) -> GridPage:
    """One page of the version's grid (raises ``NoSheet`` before the detail plan exists,
    ``ValidationError`` naming a bad period, ``Http404`` for a page past the last)."""
    sheet = sheet_load(version)
    positions = _columns(sheet, query)
    locks = locks_of(version)
    locked = sheet.locked_mask(locks)
    whole_rows = {key for key, period in locks if period is None}
    edits = _edited(version)
    counts = exception_counts(version)
    chosen = _selected_skus(sheet, query)
    if query.exceptions:
        chosen = chosen[[counts.get(sheet.skus[int(i)], 0) > 0 for i in chosen]]
    items = chosen if query.level == "detail" else np.unique(sheet.sku_family[chosen])
    count = len(items)
    start = (query.page - 1) * query.page_size
    if start >= max(count, 1) and query.page > 1:
        raise Http404(_("There is no page %(page)d.") % {"page": query.page})
    page_items = items[start : start + query.page_size]
    rows: list[GridRow] = []
    rolled = (
        {m.name: sheet.rollup(m.name) for m in wb.MEASURES} if query.level == "aggregate" else {}
    )
    for item in page_items:
        rows.extend(
            _detail_rows(sheet, int(item), positions, locked, whole_rows, edits)
            if query.level == "detail"
            else _aggregate_rows(sheet, int(item), positions, locked, whole_rows, edits, rolled)
        )
    _mark_recalculated(version, query.level, sheet, positions, rows)
    for row in rows:
        if row.level == "detail":
            row.exceptions = counts.get(row.sku, 0)
        else:
            row.exceptions = sum(
                counts.get(sheet.skus[int(r)], 0)
                for r in sheet.family_rows(sheet.families.index(row.family))
            )
    capacity_rows = _capacity_rows(sheet, query, positions, page_items)
    draft = None if is_workbench_draft(version) else open_draft(version)
    return GridPage(
        version=version,
        level=query.level,
        periods=_periods(sheet, query.level, positions),
        rows=rows,
        count=count,
        page=query.page,
        page_size=query.page_size,
        revision=revision_of(version),
        draft=draft,
        families=list(sheet.families),
        nodes=sorted({n for n in sheet.nodes if n}),
        codes=list(sheet.weeks if query.level == "detail" else sheet.periods),
        capacity_rows=capacity_rows,
    )


def _capacity_rows(
    sheet: wb.Sheet, query: GridQuery, positions: np.ndarray, items: np.ndarray
) -> list[GridRow]:
    """Capacity and load rows (flows: a period sums its weeks) of the nodes making ``items``."""
    if not sheet.resources:
        return []
    if query.level == "detail":
        used = {sheet.nodes[int(i)] for i in items}
    else:
        used = {sheet.nodes[int(r)] for f in items for r in sheet.family_rows(int(f))}
    if query.node:
        used &= {query.node}
    out = []
    for index, resource in enumerate(sheet.resources):
        if resource not in used:
            continue
        for measure in ("capacity", "load"):
            grid = (
                sheet.resource_values[measure]
                if query.level == "detail"
                else sheet.resource_rollup(measure)
            )
            values = grid[index, positions]
            out.append(
                GridRow(
                    key=f"node:{resource}",
                    level=query.level,
                    family="",
                    sku="",
                    node=resource,
                    measure=measure,
                    editable=False,
                    stock=False,
                    values=[float(v) for v in values],
                    opening=None,
                    total=float(values.sum()),
                    locked=False,
                )
            )
    return out


def exception_counts(version: PlanVersion) -> dict[str, int]:
    """Exceptions per item of the version's plan and runs (through the reverse relation of the
    exceptions app, which sits above plans); an edited draft not yet recalculated has its
    parent's plan, so it shows its parent's."""
    owner = version.pk
    if version.parent_id and is_workbench_draft(version):
        owner = version.parent_id
    rows = (
        PlanVersion.objects.filter(pk=owner, exception_rows__isnull=False)
        .values("exception_rows__item")
        .annotate(n=Count("exception_rows"))
        .order_by()
    )
    counts = {row["exception_rows__item"]: row["n"] for row in rows if row["exception_rows__item"]}
    return counts


def _mark_recalculated(
    version: PlanVersion, level: str, sheet: wb.Sheet, positions: np.ndarray, rows: list[GridRow]
) -> None:
    """Mark the read-only cells a recalculated draft changed against its parent."""
    recalculated = Workbench.objects.filter(pk=version.pk, recalculated_at__isnull=False)
    if version.parent_id is None or not recalculated.exists():
        return
    try:
        parent = sheet_load(PlanVersion.objects.get(pk=version.parent_id))
    except NoSheet:
        return
    codes = [(sheet.weeks if level == "detail" else sheet.periods)[p] for p in positions]
    theirs_codes = parent.weeks if level == "detail" else parent.periods
    at = {c: i for i, c in enumerate(theirs_codes)}
    columns = np.array([at.get(c, -1) for c in codes])
    known = columns >= 0
    index = {
        name: i for i, name in enumerate(parent.skus if level == "detail" else parent.families)
    }
    rolled: dict[str, np.ndarray] = {}
    for row in rows:
        if row.editable:
            continue
        other = index.get(row.sku if level == "detail" else row.family)
        if other is None:
            continue
        if level == "detail":
            theirs = parent.values[row.measure][other]
        else:
            if row.measure not in rolled:
                rolled[row.measure] = parent.rollup(row.measure)
            theirs = rolled[row.measure][other]
        mine = np.asarray(row.values)
        differs = known & (np.abs(mine - theirs[np.where(known, columns, 0)]) > 1e-6)
        row.recalculated_periods = [codes[i] for i in np.flatnonzero(differs)]


def _edited(version: PlanVersion) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for sku, measure, week in CellEdit.objects.filter(plan_version=version).values_list(
        "sku", "measure", "week"
    ):
        out.setdefault((sku, measure), set()).add(week)
    return out


def _total(values: np.ndarray, stock: bool) -> float:
    if values.size == 0:
        return 0.0
    return float(values[-1] if stock else values.sum())


def _detail_rows(
    sheet: wb.Sheet,
    row: int,
    positions: np.ndarray,
    locked: np.ndarray,
    whole_rows: set[str],
    edits: dict[tuple[str, str], set[str]],
) -> list[GridRow]:
    sku = sheet.skus[row]
    family = sheet.families[sheet.sku_family[row]]
    key = wb.sku_key(sku)
    row_locked = key in whole_rows or wb.family_key(family) in whole_rows
    locked_weeks = [sheet.weeks[p] for p in positions if locked[row, p]]
    out = []
    for measure in wb.MEASURES:
        values = sheet.values[measure.name][row, positions]
        edited = edits.get((sku, measure.name), set())
        out.append(
            GridRow(
                key=key,
                level="detail",
                family=family,
                sku=sku,
                node=sheet.nodes[row],
                measure=measure.name,
                editable=measure.editable,
                stock=measure.stock,
                values=[float(v) for v in values],
                opening=float(sheet.opening[row]) if measure.name == OPENING else None,
                total=_total(values, measure.stock),
                locked=row_locked,
                locked_periods=locked_weeks if measure.editable else [],
                edited_periods=[sheet.weeks[p] for p in positions if sheet.weeks[p] in edited],
            )
        )
    return out


def _aggregate_rows(
    sheet: wb.Sheet,
    family: int,
    positions: np.ndarray,
    locked: np.ndarray,
    whole_rows: set[str],
    edits: dict[tuple[str, str], set[str]],
    rolled: dict[str, np.ndarray],
) -> list[GridRow]:
    name = sheet.families[family]
    key = wb.family_key(name)
    rows = sheet.family_rows(family)
    nodes = {sheet.nodes[r] for r in rows}
    skus = {sheet.skus[r] for r in rows}
    out = []
    for measure in wb.MEASURES:
        values = rolled[measure.name][family, positions]
        locked_periods = [
            sheet.periods[p]
            for p in positions
            if locked[np.ix_(rows, sheet.period_weeks(int(p), measure.name))].all()
        ]
        edited_weeks = set().union(
            *(weeks for (sku, m), weeks in edits.items() if m == measure.name and sku in skus)
        )
        out.append(
            GridRow(
                key=key,
                level="aggregate",
                family=name,
                sku="",
                node=nodes.pop() if len(nodes) == 1 else "",
                measure=measure.name,
                editable=measure.editable,
                stock=measure.stock,
                values=[float(v) for v in values],
                opening=float(sheet.opening[rows].sum()) if measure.name == OPENING else None,
                total=_total(values, measure.stock),
                locked=key in whole_rows,
                locked_periods=locked_periods if measure.editable else [],
                edited_periods=[
                    sheet.periods[p]
                    for p in positions
                    if any(
                        sheet.weeks[w] in edited_weeks
                        for w in sheet.period_weeks(int(p), measure.name)
                    )
                ],
            )
        )
    return out


def workbench_events(version: PlanVersion) -> QuerySet[AuditEvent]:
    """The version's workbench events (drafting, edits, recalculations), newest first."""
    return events_for(PlanVersion, version.pk).filter(action__in=EVENT_ACTIONS)


@dataclass(frozen=True)
class CellDifference:
    """A detail cell whose value differs between a version and its parent."""

    key: str
    family: str
    sku: str
    measure: str
    period: str
    parent: float
    value: float
    edited: bool

    @property
    def difference(self) -> float:
        return self.value - self.parent


def changes_vs_parent(
    version: PlanVersion, *, limit: int = 5000
) -> tuple[int, list[CellDifference]]:
    """Every detail cell (SKU × week × measure) that differs from the parent version's, in row
    order — planners' edits and what recalculation changed — as (count, the first ``limit``)."""
    if version.parent_id is None:
        return 0, []
    parent = PlanVersion.objects.get(pk=version.parent_id)
    try:
        mine, theirs = sheet_load(version), sheet_load(parent)
    except NoSheet:
        return 0, []
    rows = pd.Index(theirs.skus).get_indexer(pd.Index(mine.skus))
    weeks = pd.Index(theirs.weeks).get_indexer(pd.Index(mine.weeks))
    known_rows, known_weeks = np.flatnonzero(rows >= 0), np.flatnonzero(weeks >= 0)
    edits = _edited(version)
    count = 0
    out: list[CellDifference] = []
    for measure in wb.MEASURES:
        here = mine.values[measure.name][np.ix_(known_rows, known_weeks)]
        there = theirs.values[measure.name][np.ix_(rows[known_rows], weeks[known_weeks])]
        differs = np.abs(here - there) > 1e-6
        count += int(differs.sum())
        for i, j in zip(*np.nonzero(differs), strict=True):
            if len(out) >= limit:
                break
            r, w = int(known_rows[i]), int(known_weeks[j])
            sku = mine.skus[r]
            out.append(
                CellDifference(
                    key=wb.sku_key(sku),
                    family=mine.families[mine.sku_family[r]],
                    sku=sku,
                    measure=measure.name,
                    period=mine.weeks[w],
                    parent=float(there[i, j]),
                    value=float(here[i, j]),
                    edited=mine.weeks[w] in edits.get((sku, measure.name), set()),
                )
            )
    out.sort(
        key=lambda d: (d.family, d.sku, wb.MEASURES.index(wb.MEASURE_BY_NAME[d.measure]), d.period)
    )
    return count, out
