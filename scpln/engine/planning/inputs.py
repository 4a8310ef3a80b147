"""The planning input set every stage reads, and the checks that make it plannable.

The set is the original system's aggregate-planning files as tables (family demand, work
centre capacity, mix shares, item master, inventory, open purchase orders, BOM, period cost
and score, calendar), plus two tables those files leave implicit: the routing of SKUs to work
centres and the work centres' over-capacity flag. It is built either from the files
(:func:`~scpln.engine.planning.loading.load_planning_inputs`) or from a canonical config
(:func:`~scpln.engine.planning.from_config.planning_inputs_from_config`), and both go
through :func:`validate_planning_inputs`, so every stage can trust what it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from scpln.engine.canonical.problems import Problem

from .calendar import PlanningCalendar, calendar_for_periods

SHARE_TOLERANCE = 1e-6

# The files of the original system's input set, by the table each becomes.
FILES = {
    "demand": "demand_family.csv",
    "capacity": "capacity.csv",
    "mix_share": "mix_share.csv",
    "items": "item.csv",
    "inventory": "inventory.csv",
    "open_po": "open_po.csv",
    "bom": "bom.csv",
    "period_cost": "period_cost.csv",
    "period_score": "period_score.csv",
}

COLUMNS = {
    "demand": ("family", "period", "demand"),
    "capacity": ("workcenter", "period", "capacity"),
    "mix_share": ("family", "sku", "share"),
    "items": ("item", "lead_time", "lot", "moq"),
    "inventory": ("item", "loc", "qty"),
    "open_po": ("item", "due", "qty"),
    "bom": ("parent", "child", "qty"),
    "period_cost": ("period", "cost"),
    "period_score": ("period", "score"),
    "routing": ("sku", "workcenter"),
    "workcenters": ("workcenter", "allow_over_capacity"),
    "network": ("item", "loc", "target", "supplied", "demand", "lead_time"),
    "target_stock": ("item", "week", "target"),
    "sites": ("workcenter", "loc"),
    "component_supply": ("item", "loc", "week", "supply"),
    "item_capacity": ("sku", "period", "capacity"),
    "capacity_parts": ("workcenter", "period", "week", "capacity"),
    "days_off": ("workcenter", "date"),
    "prices": ("item", "sales_price", "unit_cost"),
}


@dataclass(frozen=True)
class PlanningInputs:
    """One plannable input set; every table has exactly the columns listed in ``COLUMNS``.

    ``items.lead_time`` is in the unit of ``PlanParameters.lead_time_unit`` (days for a set
    built from a canonical config). ``items.lot`` is a lot multiple (0 = lot-for-lot) and
    ``items.moq`` a minimum order quantity. ``routing`` names the one work centre that makes
    each SKU; empty routing pools every work centre into one resource (see docs/planning.md).
    ``network`` (optional, empty for the original files) describes the distribution network
    a plan from a canonical config will run on, per item × location: ``target`` is the stock
    the plan keeps there and never plans to sell down (the location's policy level, see
    docs/planning.md), ``supplied`` whether anything can replenish it, ``demand`` its
    customer demand over the horizon and ``lead_time`` the days a unit takes to reach it from
    where it is made (the distribution lead time). ``target_stock`` (optional) is an item's
    target over all its locations at the end of each week, where the policies' levels follow
    the demand over the horizon (an item it omits keeps its ``network`` targets all along).
    ``sites`` (optional) lists the locations a work centre pools (factories that share a SKU
    under multi-sourcing, see :mod:`.sourcing`); a work centre it omits is its own location.
    ``component_supply`` (optional) gives, per component × location fed by a capped
    supplier, the units that can arrive in each week (``inf``: no cap that week; see
    :mod:`.supply`); a component it omits is limited only by its stock when nothing
    supplies it, else not at all. ``item_capacity`` (optional) is a SKU's own hard
    capacity per period (its factories' per-item limits added up); a SKU it omits is
    limited only by its work centre. ``capacity_parts`` (optional) is a work centre's
    capacity in each week part of a period (its working days there); a work centre it
    omits has its period's capacity spread over the parts by calendar days. ``days_off``
    (optional) lists the dates a work centre neither makes nor ships anything (its working
    calendar; a pool of factories is off where all of them are); a work centre it omits
    works every day.
    ``prices`` (optional) gives an item's sales price and unit cost, so a plan's exceptions
    can say what their units are worth; an item it omits is worth nothing there.
    ``defaults`` holds the calendar file's ``planning_params``; ``origin`` is ``"files"`` or
    ``"config"`` and only shapes how problems name their place.
    """

    demand: pd.DataFrame
    capacity: pd.DataFrame
    mix_share: pd.DataFrame
    items: pd.DataFrame
    inventory: pd.DataFrame
    open_po: pd.DataFrame
    bom: pd.DataFrame
    period_cost: pd.DataFrame
    period_score: pd.DataFrame
    calendar: PlanningCalendar
    routing: pd.DataFrame
    workcenters: pd.DataFrame
    network: pd.DataFrame = field(default_factory=lambda: empty_table("network"))
    target_stock: pd.DataFrame = field(default_factory=lambda: empty_table("target_stock"))
    sites: pd.DataFrame = field(default_factory=lambda: empty_table("sites"))
    component_supply: pd.DataFrame = field(default_factory=lambda: empty_table("component_supply"))
    item_capacity: pd.DataFrame = field(default_factory=lambda: empty_table("item_capacity"))
    capacity_parts: pd.DataFrame = field(default_factory=lambda: empty_table("capacity_parts"))
    days_off: pd.DataFrame = field(default_factory=lambda: empty_table("days_off"))
    prices: pd.DataFrame = field(default_factory=lambda: empty_table("prices"))
    defaults: Mapping[str, Any] = field(default_factory=dict)
    origin: str = "files"

    # The tables are never changed after construction, so what is derived from them is cached.
    @cached_property
    def skus(self) -> list[str]:
        """The planned (sold) SKUs, in family then SKU code order: the row order of every stage."""
        return self.mix_share.sort_values(["family", "sku"])["sku"].tolist()

    @cached_property
    def families(self) -> list[str]:
        return sorted(self.mix_share["family"].unique().tolist())

    @cached_property
    def sku_families(self) -> list[str]:
        """The family of each SKU, in :attr:`skus` order."""
        return self.mix_share.sort_values(["family", "sku"])["family"].tolist()

    def target_matrix(self, items: Sequence[str], weeks: Sequence[str]) -> np.ndarray:
        """Target stock of ``items`` (rows) at the end of ``weeks`` (columns): the item's
        ``target_stock`` profile where it has one, else its ``network`` targets summed over
        its locations; 0 for an item neither names. A new array on every call."""
        constant, grid, profiled = self._targets
        values = constant.reindex(list(items), fill_value=0.0).to_numpy(dtype=float)
        out = np.repeat(values[:, None], len(weeks), axis=1)
        if grid is not None:
            grid = grid.reindex(index=list(items), columns=list(weeks))
            given = np.fromiter((item in profiled for item in items), bool, len(items))
            out[given] = grid.to_numpy(dtype=float)[given]
        return np.nan_to_num(out, nan=0.0)

    @cached_property
    def _targets(self) -> tuple[pd.Series, pd.DataFrame | None, set[str]]:
        """What :meth:`target_matrix` reads, derived once (a recalculation asks five times: MRP
        twice, reconcile, the final plan, the grid's sheet): the items' network targets, the
        profile as an item × week grid, and the items the profile names — a set, not
        Index.isin: that converts the Arrow strings of the profile's item × week rows to
        Python one by one (seconds at 10,000 SKUs)."""
        constant = self.network.groupby("item")["target"].sum()
        profile = self.target_stock
        if not len(profile):
            return constant, None, set()
        grid = profile.pivot(index="item", columns="week", values="target")
        return constant, grid, set(profile["item"].unique())

    @cached_property
    def unreachable(self) -> pd.DataFrame:
        """Per item: ``demand`` at locations nothing can replenish and the ``stock`` stranded
        there (locations whose supply chain ends where nothing supplies the item); what
        that stock cannot cover, ``short``, is demand no plan can serve."""
        stranded = self.network[~self.network["supplied"]]
        frame = stranded.groupby("item")[["demand", "target"]].sum()
        frame = frame.rename(columns={"target": "stock"})
        frame = frame[frame["demand"] > 0]
        return frame.assign(short=(frame["demand"] - frame["stock"]).clip(lower=0.0))


class PlanningInputError(ValueError):
    """An input set that cannot be planned; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid planning inputs")


def empty_table(name: str) -> pd.DataFrame:
    """A table with the right columns and no rows (an optional file that is absent)."""
    return pd.DataFrame({column: pd.Series(dtype=_dtype(column)) for column in COLUMNS[name]})


Table = pd.DataFrame | Sequence[Sequence[Any]]


def make_planning_inputs(
    *,
    demand: Table,
    capacity: Table,
    mix_share: Table,
    items: Table,
    inventory: Table = (),
    open_po: Table = (),
    bom: Table = (),
    period_cost: Table = (),
    period_score: Table = (),
    routing: Table = (),
    workcenters: Table | None = None,
    network: Table = (),
    target_stock: Table = (),
    sites: Table = (),
    component_supply: Table = (),
    item_capacity: Table = (),
    capacity_parts: Table = (),
    days_off: Table = (),
    prices: Table = (),
    calendar: PlanningCalendar | None = None,
    defaults: Mapping[str, Any] | None = None,
    origin: str = "tables",
) -> PlanningInputs:
    """Checked inputs from tables (DataFrames, or rows in ``COLUMNS`` order).

    Without a calendar, ISO weeks clipped to the demand months (``YYYY-MM``) are used; without
    ``workcenters`` no work centre may exceed its capacity. Raises :class:`PlanningInputError`
    with every problem.
    """
    tables = {
        "demand": demand,
        "capacity": capacity,
        "mix_share": mix_share,
        "items": items,
        "inventory": inventory,
        "open_po": open_po,
        "bom": bom,
        "period_cost": period_cost,
        "period_score": period_score,
        "routing": routing,
        "network": network,
        "target_stock": target_stock,
        "sites": sites,
        "component_supply": component_supply,
        "item_capacity": item_capacity,
        "capacity_parts": capacity_parts,
        "days_off": days_off,
        "prices": prices,
    }
    frames = {name: _frame(name, value) for name, value in tables.items()}
    if calendar is None:
        calendar, problems = calendar_for_periods(
            frames["demand"]["period"], where="demand: period"
        )
        if calendar is None:
            raise PlanningInputError(problems)
    if workcenters is None:
        centres = sorted(frames["capacity"]["workcenter"].unique().tolist())
        workcenters = [(centre, False) for centre in centres]
    inputs = PlanningInputs(
        **frames,
        calendar=calendar,
        workcenters=_frame("workcenters", workcenters),
        defaults=dict(defaults or {}),
        origin=origin,
    )
    problems = validate_planning_inputs(inputs)
    if problems:
        raise PlanningInputError(problems)
    return inputs


def _frame(name: str, value: Table) -> pd.DataFrame:
    columns = list(COLUMNS[name])
    if isinstance(value, pd.DataFrame):
        frame = value[columns].reset_index(drop=True)
    elif len(value) == 0:
        return empty_table(name)
    else:
        frame = pd.DataFrame([tuple(row) for row in value], columns=columns)
    return frame.astype({column: _dtype(column) for column in columns})


def _dtype(column: str) -> str:
    if column in ("due", "date"):
        return "datetime64[ns]"
    if column in ("allow_over_capacity", "supplied"):
        return "bool"
    if column in (
        "demand",
        "capacity",
        "share",
        "lead_time",
        "lot",
        "moq",
        "qty",
        "cost",
        "target",
        "supply",
        "sales_price",
        "unit_cost",
    ):
        return "float64"
    return "float64" if column == "score" else "str"


def validate_planning_inputs(inputs: PlanningInputs) -> list[Problem]:
    """Every reason the set cannot be planned, each naming its table, row and column."""
    where = _Locator(inputs.origin)
    problems: list[Problem] = []
    problems += _duplicates(inputs, where)
    problems += _mix_problems(inputs, where)
    problems += _calendar_problems(inputs, where)
    problems += _item_problems(inputs, where)
    problems += _routing_problems(inputs, where)
    problems += _network_problems(inputs, where)
    problems += _bom_cycles(inputs.bom, where)
    return problems


@dataclass(frozen=True)
class _Locator:
    origin: str

    def row(self, table: str, index: Any, column: str) -> str:
        if self.origin == "files" and table in FILES:
            return f"{FILES[table]} row {int(index) + 2}: {column}"
        return f"{table}[{index}].{column}"

    def table(self, table: str) -> str:
        return FILES.get(table, table) if self.origin == "files" else table


_KEYS = {
    "demand": ["family", "period"],
    "capacity": ["workcenter", "period"],
    "mix_share": ["family", "sku"],
    "items": ["item"],
    "bom": ["parent", "child"],
    "routing": ["sku"],
    "network": ["item", "loc"],
    "target_stock": ["item", "week"],
    "component_supply": ["item", "loc", "week"],
    "item_capacity": ["sku", "period"],
    "capacity_parts": ["workcenter", "period", "week"],
    "days_off": ["workcenter", "date"],
    "prices": ["item"],
}


def _duplicates(inputs: PlanningInputs, where: _Locator) -> list[Problem]:
    problems = []
    for table, keys in _KEYS.items():
        frame: pd.DataFrame = getattr(inputs, table)
        repeated = frame.duplicated(keys, keep="first")
        for index in frame.index[repeated]:
            key = ", ".join(str(frame.at[index, k]) for k in keys)
            first = frame.index[(frame[keys] == frame.loc[index, keys]).all(axis=1)][0]
            problems.append(
                Problem(
                    where.row(table, index, keys[-1]),
                    f"({key}) is repeated; first given on {where.row(table, first, keys[-1])}",
                )
            )
    return problems


def _mix_problems(inputs: PlanningInputs, where: _Locator) -> list[Problem]:
    mix = inputs.mix_share
    problems = []
    owners = dict(zip(mix["sku"][::-1], mix["family"][::-1], strict=True))
    for index in mix.index[mix.duplicated("sku") & ~mix.duplicated(["family", "sku"])]:
        sku = str(mix.at[index, "sku"])
        problems.append(
            Problem(where.row("mix_share", index, "sku"), f"{sku} already belongs to {owners[sku]}")
        )
    unreadable = mix.loc[mix["share"].isna(), "family"]
    totals = mix[~mix["family"].isin(unreadable)].groupby("family")["share"].sum()
    for family, total in totals[(totals - 1.0).abs() > SHARE_TOLERANCE].items():
        problems.append(
            Problem(
                f"{where.table('mix_share')}: family {family}",
                f"shares sum to {total:.6g}; they must sum to 1",
            )
        )
    demand = inputs.demand
    for index in demand.index[~demand["family"].isin(mix["family"])]:
        family = str(demand.at[index, "family"])
        problems.append(
            Problem(
                where.row("demand", index, "family"),
                f"{family} has no SKUs in {where.table('mix_share')}",
            )
        )
    return problems


def _calendar_problems(inputs: PlanningInputs, where: _Locator) -> list[Problem]:
    periods = set(inputs.calendar.period_codes)
    demand = inputs.demand
    problems = [
        Problem(
            where.row("demand", index, "period"),
            f"{demand.at[index, 'period']!s} is not a period of the planning calendar",
        )
        for index in demand.index[~demand["period"].isin(periods)]
    ]
    used = sorted(set(inputs.routing["workcenter"])) or sorted(set(inputs.capacity["workcenter"]))
    if not used:
        problems.append(Problem(where.table("capacity"), "no work centre has any capacity"))
    given = set(zip(inputs.capacity["workcenter"], inputs.capacity["period"], strict=True))
    for workcenter in used:
        missing = [p for p in inputs.calendar.period_codes if (workcenter, p) not in given]
        if missing:
            problems.append(
                Problem(
                    f"{where.table('capacity')}: workcenter {workcenter}",
                    "no capacity for period " + ", ".join(missing),
                )
            )
    return problems


def _item_problems(inputs: PlanningInputs, where: _Locator) -> list[Problem]:
    known = set(inputs.items["item"])
    problems = []
    for table, column in (
        ("mix_share", "sku"),
        ("bom", "parent"),
        ("bom", "child"),
        ("inventory", "item"),
        ("open_po", "item"),
    ):
        frame: pd.DataFrame = getattr(inputs, table)
        for index in frame.index[~frame[column].isin(known)]:
            problems.append(
                Problem(
                    where.row(table, index, column),
                    f"{frame.at[index, column]!s} is not in {where.table('items')}",
                )
            )
    bom = inputs.bom
    for index in bom.index[bom["child"].isin(inputs.mix_share["sku"])]:
        problems.append(
            Problem(
                where.row("bom", index, "child"),
                f"{bom.at[index, 'child']!s} is a sold SKU in {where.table('mix_share')}; "
                "a sold SKU that is also a component is not supported",
            )
        )
    return problems


def _routing_problems(inputs: PlanningInputs, where: _Locator) -> list[Problem]:
    problems = [
        Problem(
            where.row(table, index, "workcenter"),
            f"{frame.at[index, 'workcenter']!s} has no capacity",
        )
        for table, frame in (("routing", inputs.routing), ("sites", inputs.sites))
        for index in frame.index[~frame["workcenter"].isin(inputs.capacity["workcenter"])]
    ]
    routing = inputs.routing
    if routing.empty:
        return problems
    unrouted = sorted(set(inputs.mix_share["sku"]) - set(routing["sku"]))
    if unrouted:
        problems.append(
            Problem(where.table("routing"), "no work centre makes " + ", ".join(unrouted))
        )
    return problems


def _network_problems(inputs: PlanningInputs, where: _Locator) -> list[Problem]:
    items = inputs.items["item"]
    centres = inputs.capacity["workcenter"]
    problems = _unknown(inputs, where, "network", "item", items, "is not in items")
    problems += _negative(inputs, where, "network", ("target", "demand", "lead_time"))
    problems += _unknown(inputs, where, "capacity_parts", "workcenter", centres, "has no capacity")
    problems += _negative(inputs, where, "capacity_parts", ("capacity",))
    problems += _unknown(inputs, where, "days_off", "workcenter", centres, "has no capacity")
    problems += _unknown(inputs, where, "prices", "item", items, "is not in items")
    problems += _negative(inputs, where, "prices", ("sales_price", "unit_cost"))
    sku_of = f"is not a SKU of {where.table('mix_share')}"
    problems += _unknown(inputs, where, "item_capacity", "sku", inputs.mix_share["sku"], sku_of)
    periods = inputs.calendar.period_codes
    problems += _unknown(
        inputs, where, "item_capacity", "period", periods, "is not a period of the calendar"
    )
    problems += _negative(inputs, where, "item_capacity", ("capacity",))
    weeks = inputs.calendar.weeks["week"]
    for table, column in (("target_stock", "target"), ("component_supply", "supply")):
        problems += _unknown(inputs, where, table, "item", items, "is not in items")
        problems += _unknown(inputs, where, table, "week", weeks, "is not a week of the calendar")
        problems += _negative(inputs, where, table, (column,))
    return problems


def _unknown(
    inputs: PlanningInputs,
    where: _Locator,
    table: str,
    column: str,
    known: Any,
    says: str,
) -> list[Problem]:
    """A problem for each row of ``table`` whose ``column`` is not among ``known``."""
    frame = getattr(inputs, table)
    return [
        Problem(where.row(table, index, column), f"{frame.at[index, column]!s} {says}")
        for index in frame.index[~frame[column].isin(known)]
    ]


def _negative(
    inputs: PlanningInputs, where: _Locator, table: str, columns: tuple[str, ...]
) -> list[Problem]:
    """A problem for each value of ``columns`` that is not ≥ 0 (NaN included), column by column."""
    frame = getattr(inputs, table)
    return [
        Problem(where.row(table, index, column), f"must be ≥ 0, not {frame.at[index, column]!s}")
        for column in columns
        for index in frame.index[~(frame[column] >= 0)]
    ]


def _bom_cycles(bom: pd.DataFrame, where: _Locator) -> list[Problem]:
    """A cycle would make a component its own ancestor and explode forever."""
    children: dict[str, list[str]] = {}
    for parent, child in zip(bom["parent"], bom["child"], strict=True):
        children.setdefault(parent, []).append(child)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(item: str, path: list[str]) -> None:
        state[item] = 1
        for child in children.get(item, []):
            if state.get(child) == 1:
                cycles.append([*path[path.index(child) :], child])
            elif child not in state:
                visit(child, [*path, child])
        state[item] = 2

    for item in sorted(children):
        if item not in state:
            visit(item, [item])
    return [Problem(where.table("bom"), "cycle " + " → ".join(cycle)) for cycle in cycles]


def low_level_codes(items: list[str], bom: pd.DataFrame) -> np.ndarray:
    """Each item's deepest BOM level (0 = never a component), so every level is planned once.

    The BOM must be acyclic (checked by :func:`validate_planning_inputs`).
    """
    index = pd.Index(items)
    parent = index.get_indexer(pd.Index(bom["parent"]))
    child = index.get_indexer(pd.Index(bom["child"]))
    inside = (parent >= 0) & (child >= 0)
    parent, child = parent[inside], child[inside]
    level = np.zeros(len(items), dtype=np.int64)
    for _ in range(len(items)):
        deeper = level.copy()
        np.maximum.at(deeper, child, level[parent] + 1)
        if np.array_equal(deeper, level):
            break
        level = deeper
    return level
