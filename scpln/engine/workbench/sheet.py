"""The planning workbench's sheet: a plan's SKU × week measures, their family × period roll-up,
and edits at either level that keep the two equal.

A sheet holds dense ``SKUs × weeks`` arrays, one per measure. The aggregate level is not
stored: a family × period cell *is* the sum of its detail cells — for a flow (demand,
production, receipts) the SKUs' weeks of the period, for a stock (closing stock, backlog and
target stock) the SKUs' last week of the period — so aggregate = Σ detail holds after every edit by
construction. Each week counts in one period: the month that holds its Thursday (at least
four of its days, ISO's rule for years), so whole weeks sit under months without splitting
a week's units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from scpln.engine.planning.tables import to_dense

from .distribute import Mode, distribute

Level = Literal["aggregate", "detail"]
# A SKU row's weight in a custom distribution: one for all its cells, or by week index.
Weight = float | Mapping[int, float]
LEVELS: tuple[Level, ...] = ("aggregate", "detail")


@dataclass(frozen=True)
class Measure:
    """One measure of the grid: its name, whether it is a stock (period end) or a flow (summed),
    and whether planners may edit it."""

    name: str
    stock: bool = False
    editable: bool = False


MEASURES: tuple[Measure, ...] = (
    Measure("demand", editable=True),
    Measure("production", editable=True),
    Measure("receipts"),
    Measure("closing_stock", stock=True),
    Measure("backlog", stock=True),
    Measure("target_stock", stock=True, editable=True),
)
MEASURE_BY_NAME: dict[str, Measure] = {m.name: m for m in MEASURES}
EDITABLE: tuple[str, ...] = tuple(m.name for m in MEASURES if m.editable)


def family_key(family: str) -> str:
    """The stable row key of a family (aggregate level)."""
    return f"family:{family}"


def sku_key(sku: str) -> str:
    """The stable row key of a SKU (detail level)."""
    return f"sku:{sku}"


@dataclass
class Sheet:
    """A plan's detail measures (``values[measure]``: SKUs × weeks) and its calendar.

    ``week_period[w]`` is the period week ``w`` counts in; ``opening[s]`` is SKU ``s``'s stock
    before the first week; ``week_days[w]`` the week's days inside the horizon (< 7: partial).
    """

    skus: list[str]
    sku_family: np.ndarray  # family index per SKU
    families: list[str]
    nodes: list[str]  # per SKU ("" where the plan is not by node)
    weeks: list[str]
    week_start: list[str]  # ISO dates
    week_days: np.ndarray
    periods: list[str]
    week_period: np.ndarray
    values: dict[str, np.ndarray]
    opening: np.ndarray
    # Work centres (nodes) and their weekly ``capacity`` and ``load`` (resources × weeks).
    resources: list[str] = field(default_factory=list)
    resource_values: dict[str, np.ndarray] = field(default_factory=dict)
    _period_weeks: list[np.ndarray] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._period_weeks = [
            np.flatnonzero(self.week_period == p) for p in range(len(self.periods))
        ]

    def period_weeks(self, period: int, measure: str) -> np.ndarray:
        """The weeks whose detail cells make up ``period``: all its weeks for a flow, its last
        week for a stock."""
        weeks = self._period_weeks[period]
        if MEASURE_BY_NAME[measure].stock:
            return weeks[-1:]
        return weeks

    def family_rows(self, family: int) -> np.ndarray:
        return np.flatnonzero(self.sku_family == family)

    def rollup(self, measure: str) -> np.ndarray:
        """``families × periods``: each aggregate cell as the sum of its detail cells."""
        by_family = np.zeros((len(self.families), len(self.weeks)))
        np.add.at(by_family, self.sku_family, self.values[measure])
        columns = [self.period_weeks(p, measure) for p in range(len(self.periods))]
        return (
            np.stack([by_family[:, weeks].sum(axis=1) for weeks in columns], axis=1)
            if columns
            else np.zeros((len(self.families), 0))
        )

    def resource_rollup(self, measure: str) -> np.ndarray:
        """``resources × periods`` of ``capacity`` or ``load``: the weeks of each period summed."""
        values = self.resource_values[measure]
        return (
            np.stack(
                [values[:, self._period_weeks[p]].sum(axis=1) for p in range(len(self.periods))],
                axis=1,
            )
            if self.periods
            else np.zeros((len(self.resources), 0))
        )

    def locked_mask(self, locks: Iterable[tuple[str, str | None]]) -> np.ndarray:
        """``SKUs × weeks``: True where a cell is locked — by a lock on its SKU (the whole row or
        that week) or on its family (the whole row or the week's period)."""
        mask = np.zeros((len(self.skus), len(self.weeks)), dtype=bool)
        sku_at = {sku_key(s): i for i, s in enumerate(self.skus)}
        family_at = {family_key(f): i for i, f in enumerate(self.families)}
        week_at = {w: i for i, w in enumerate(self.weeks)}
        period_at = {p: i for i, p in enumerate(self.periods)}
        for key, period in locks:
            if key in sku_at:
                rows = np.array([sku_at[key]])
                cols = np.arange(len(self.weeks)) if period is None else week_at.get(period)
            elif key in family_at:
                rows = self.family_rows(family_at[key])
                if period is None:
                    cols = np.arange(len(self.weeks))
                elif period in period_at:
                    cols = self._period_weeks[period_at[period]]
                else:
                    cols = None
            else:
                continue
            if cols is not None:
                mask[np.ix_(rows, np.atleast_1d(cols))] = True
        return mask


@dataclass(frozen=True)
class CellChange:
    """One detail cell changed by an edit."""

    measure: str
    row: int
    week: int
    old: float
    new: float


class LockedCell(Exception):
    """The edited cell (or every detail cell of the edited aggregate cell) is locked."""


def edit_detail(
    sheet: Sheet, locked: np.ndarray, measure: str, row: int, week: int, value: float
) -> list[CellChange]:
    """Set one detail cell (its aggregate follows, being its sum); refused when it is locked."""
    if locked[row, week]:
        raise LockedCell
    grid = sheet.values[measure]
    old = float(grid[row, week])
    if old == value:
        return []
    grid[row, week] = value
    return [CellChange(measure, row, week, old, float(value))]


def edit_aggregate(
    sheet: Sheet,
    locked: np.ndarray,
    measure: str,
    family: int,
    period: int,
    value: float,
    *,
    mode: Mode = "proportional",
    weights: Mapping[int, Weight] | None = None,
    step: float | None = None,
) -> list[CellChange]:
    """Set a family × period cell by distributing ``value`` over its unlocked detail cells.

    ``weights`` (mode ``weights``) maps a SKU's row to its weight, which each of its cells
    carries, or to weights by week index (a per-SKU-week distribution; weeks not named weigh
    0); rows not named weigh 0.
    Raises :class:`Unplaceable` (nothing changed) when the locks leave no way to reach ``value``
    and :class:`LockedCell` when every cell is locked and the value differs.
    """
    rows = sheet.family_rows(family)
    weeks = sheet.period_weeks(period, measure)
    grid = sheet.values[measure]
    block = grid[np.ix_(rows, weeks)]
    held = locked[np.ix_(rows, weeks)]
    if held.all() and abs(block.sum() - value) > 1e-6:
        raise LockedCell
    cell_weights = _cell_weights(weights or {}, rows, weeks) if mode == "weights" else None
    new = distribute(
        block.ravel(), held.ravel(), value, mode=mode, weights=cell_weights, step=step
    ).reshape(block.shape)
    changes = [
        CellChange(measure, int(rows[i]), int(weeks[j]), float(block[i, j]), float(new[i, j]))
        for i, j in zip(*np.nonzero(new != block), strict=True)
    ]
    grid[np.ix_(rows, weeks)] = new
    return changes


def _cell_weights(weights: Mapping[int, Weight], rows: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """The weights of a block's cells (rows × weeks, flattened row by row)."""
    out = np.zeros((len(rows), len(weeks)))
    for i, row in enumerate(rows):
        weight = weights.get(int(row), 0.0)
        if isinstance(weight, Mapping):
            out[i] = [float(weight.get(int(w), 0.0)) for w in weeks]
        else:
            out[i] = float(weight)
    return out.ravel()


def unplaceable_cells(
    sheet: Sheet, locked: np.ndarray, family: int, period: int, measure: str
) -> list[tuple[str, str]]:
    """The locked detail cells (SKU key, week) of an aggregate cell, to name them in a refusal."""
    rows = sheet.family_rows(family)
    weeks = sheet.period_weeks(period, measure)
    return [
        (sku_key(sheet.skus[rows[i]]), sheet.weeks[weeks[j]])
        for i, j in zip(*np.nonzero(locked[np.ix_(rows, weeks)]), strict=True)
    ]


def sheet_from_tables(
    sku_week: pd.DataFrame,
    week_periods: pd.DataFrame,
    plan_final: pd.DataFrame | None,
    target: np.ndarray | None = None,
    capacity: pd.DataFrame | None = None,
) -> Sheet:
    """A sheet from a plan version's stored tables: ``sku_week`` (allocate: demand and
    production), ``week_periods`` (which months each week touches) and ``plan_final``
    (receipts, projected stock, backlog — 0 in tables stored before it was — and work centre
    of the sold SKUs; absent before that stage);
    ``target`` is the SKUs' target stock by week (``PlanningInputs.target_matrix``; 0 without);
    ``capacity`` is reconcile's work centre × week table (capacity and load)."""
    skus = [str(s) for s in pd.unique(sku_week["sku"])]
    weeks_frame = (
        sku_week[["week_index", "week", "week_start"]]
        .drop_duplicates("week_index")
        .sort_values("week_index")
    )
    weeks = [str(w) for w in weeks_frame["week"]]
    count = len(weeks)
    first = sku_week.drop_duplicates("sku").set_index("sku").reindex(skus)
    families = [str(f) for f in pd.unique(first["family"])]
    sku_family = pd.Index(families).get_indexer(pd.Index(first["family"]))
    values = {
        name: to_dense(sku_week, "sku", skus, "week_index", count, name)
        for name in ("demand", "production")
    }
    week_days = np.full(count, 7)
    opening = np.zeros(len(skus))
    nodes = [""] * len(skus)
    if plan_final is not None and len(plan_final):
        sold = plan_final[plan_final["level"] == 0]
        values["receipts"] = to_dense(sold, "item", skus, "week_index", count, "planned_receipt")
        values["closing_stock"] = to_dense(
            sold, "item", skus, "week_index", count, "projected_on_hand"
        )
        values["backlog"] = (
            to_dense(sold, "item", skus, "week_index", count, "backlog")
            if "backlog" in sold
            else np.zeros((len(skus), count))
        )
        start = sold[sold["week_index"] == 0].set_index("item").reindex(skus).fillna(0.0)
        opening = (
            start["projected_on_hand"]
            + start["gross_requirement"]
            - start["planned_receipt"]
            - start["scheduled_receipt"]
        ).to_numpy(dtype=float)
        node = sold.drop_duplicates("item").set_index("item")["workcenter"].reindex(skus)
        nodes = [str(n) if isinstance(n, str) else "" for n in node]
        spans = sold.drop_duplicates("week_index").set_index("week_index").reindex(range(count))
        days = (spans["week_end"] - spans["week_start"]).dt.days + 1
        week_days = days.fillna(7).to_numpy(dtype=int)
    else:
        values["receipts"] = np.zeros((len(skus), count))
        values["closing_stock"] = np.zeros((len(skus), count))
        values["backlog"] = np.zeros((len(skus), count))
    values["target_stock"] = (
        np.zeros((len(skus), count)) if target is None else np.asarray(target, dtype=float)
    )
    candidates = week_periods.sort_values(
        ["week_index", "share", "period_index"], ascending=[True, False, True]
    ).drop_duplicates(["week_index", "period_index"])
    period_frame = week_periods.drop_duplicates("period_index").sort_values("period_index")
    code_of = dict(zip(period_frame["period_index"], period_frame["period"], strict=True))
    chosen = [
        _week_period(thursday, candidates_of)
        for thursday, candidates_of in zip(
            _thursdays(weeks_frame["week_start"]),
            _candidates(candidates, count, code_of),
            strict=True,
        )
    ]
    used = sorted(set(chosen))
    periods = [str(code_of[i]) for i in used]
    renumber = {old: new for new, old in enumerate(used)}
    week_period = np.array([renumber[i] for i in chosen], dtype=int)
    resources: list[str] = []
    resource_values: dict[str, np.ndarray] = {}
    if capacity is not None and len(capacity):
        resources = [str(r) for r in pd.unique(capacity["workcenter"])]
        resource_values = {
            name: to_dense(capacity, "workcenter", resources, "week_index", count, name)
            for name in ("capacity", "load")
        }
    return Sheet(
        resources=resources,
        resource_values=resource_values,
        skus=skus,
        sku_family=sku_family,
        families=families,
        nodes=nodes,
        weeks=weeks,
        week_start=[pd.Timestamp(d).date().isoformat() for d in weeks_frame["week_start"]],
        week_days=week_days,
        periods=periods,
        week_period=week_period,
        values=values,
        opening=opening,
    )


def _thursdays(week_starts: pd.Series) -> list[str]:
    """The month (``YYYY-MM``) of each week's Thursday: ISO's rule for which year a week is in,
    and so the month that holds at least four of its seven days."""
    starts = pd.to_datetime(week_starts)
    thursdays = starts - pd.to_timedelta(starts.dt.day_of_week, unit="D") + pd.Timedelta(days=3)
    return [f"{d.year}-{d.month:02d}" for d in thursdays]


def _candidates(
    candidates: pd.DataFrame, count: int, code_of: Mapping[int, object]
) -> list[list[tuple[int, str]]]:
    """Per week, the periods it touches (index, code), the largest share first."""
    out: list[list[tuple[int, str]]] = [[] for _ in range(count)]
    for week, period in zip(candidates["week_index"], candidates["period_index"], strict=True):
        if 0 <= int(week) < count:
            out[int(week)].append((int(period), str(code_of[int(period)])))
    return out


def _week_period(thursday_month: str, candidates: list[tuple[int, str]]) -> int:
    """The period a week counts in: the month holding its Thursday when that is one of the
    periods it touches (calendar months), else the one with the largest share."""
    for index, code in candidates:
        if code == thursday_month:
            return index
    return candidates[0][0]
