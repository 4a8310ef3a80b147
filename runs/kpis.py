"""How the web UI names, groups and formats a run's KPIs.

The engine reports KPIs as one flat-ish dict (docs/engine.md, "KPIs"); nested
dicts (``costs_by_account``, ``avg_on_hand_by_type``, ``capacity_utilisation``)
are flattened with dots, as the comparison does. Every key of a summary shows
up somewhere: known KPIs in their group, anything else under "Other", so a KPI
the engine adds later is visible before it gets a label here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.numbers import display_number
from runs.models import HEADLINE_KPIS, Run
from runs.selectors.compare import flatten_kpis
from scenarios.labels import NODE_TYPE_LABELS

PERCENT = "percent"  # a 0…1 share, shown as a percentage
MONEY = "money"
QUANTITY = "quantity"  # units
COUNT = "count"  # whole numbers: days, node-items
RATIO = "ratio"
NUMBER = "number"

LABELS: dict[str, Promise] = {
    "fill_rate": _("Fill rate"),
    "cycle_service_level": _("Cycle service level"),
    "demand_total": _("Demand"),
    "sales_total": _("Sales"),
    "shortage_total": _("Shortage"),
    "lost_sales_total": _("Lost sales"),
    "internal_shortage_total": _("Internal shortage"),
    "stockout_days": _("Stock-out days"),
    "avg_on_hand": _("Average on-hand"),
    "avg_on_hand_by_type": _("Average on-hand by node type"),
    "avg_backlog": _("Average backlog"),
    "backlog_peak": _("Backlog peak"),
    "backlog_peak_day": _("Day of the backlog peak"),
    "inventory_turns": _("Inventory turns"),
    "capacity_utilisation": _("Capacity utilisation"),
    "revenue_total": _("Revenue"),
    "cost_total": _("Total cost"),
    "costs_by_account": _("Costs by account"),
    "penalty_stockout_total": _("Stock-out penalties"),
    "penalty_backorder_total": _("Backorder penalties"),
    "penalty_total": _("Penalties"),
    "profit_total": _("Profit"),
    "profit_per_day": _("Profit per day"),
    "top_shortage_items": _("Top shortages"),
    "days": _("Days"),
    "node_items": _("Node-items"),
    "warnings": _("Warnings"),
}

# One line per KPI, as docs/engine.md ("KPIs") defines it: shown under its label.
DEFINITIONS: dict[str, Promise] = {
    "fill_rate": _("Share of customer demand served on the day it arose."),
    "cycle_service_level": _("Share of customer review cycles with nothing left unfilled."),
    "demand_total": _("Customer demand over the run, in units."),
    "sales_total": _("Units sold to customers, late fills of a backlog included."),
    "shortage_total": _("Customer demand not served on the day it arose, in units."),
    "lost_sales_total": _("Shortage at customers who do not wait: lost for good."),
    "internal_shortage_total": _(
        "Orders between locations that a supplier could not ship the day they came in."
    ),
    "stockout_days": _("Customer node-item days with demand left unfilled."),
    "avg_on_hand": _("Stock on hand at the end of each day, averaged over the run."),
    "avg_on_hand_by_type": _("Average on-hand per node type (store, warehouse, …)."),
    "avg_backlog": _("Customer orders waiting at the end of each day, averaged."),
    "backlog_peak": _("The largest customer backlog at the end of a day."),
    "backlog_peak_day": _("The day (from day 0) of the largest backlog."),
    "inventory_turns": _("Sales over average on-hand, per year."),
    "capacity_utilisation": _("Units released over the capacity available, per factory."),
    "revenue_total": _("Customer sales × sales price."),
    "cost_total": _("Every cost account summed, penalties included."),
    "costs_by_account": _("The run's costs per P&L account."),
    "penalty_stockout_total": _("Penalty charged per unit short (lost sales)."),
    "penalty_backorder_total": _("Penalty charged per unit-day of backlog."),
    "penalty_total": _("Stock-out and backorder penalties together."),
    "profit_total": _("Revenue minus total cost."),
    "profit_per_day": _("Profit divided by the days of the run."),
    "top_shortage_items": _("Items with the largest customer shortage."),
    "days": _("Days simulated."),
    "node_items": _("Items stocked at nodes: the units the simulation works on."),
    "warnings": _("What the engine noted about the network."),
}

# P&L accounts (docs/engine.md, "Costs and P&L"): columns of the P&L table and
# keys of costs_by_account.
ACCOUNT_LABELS: dict[str, Promise] = {
    "revenue": _("Revenue"),
    "cogs": _("Cost of goods sold"),
    "sga": _("SG&A"),
    "transport_fixed": _("Transport, fixed"),
    "transport_variable": _("Transport, variable"),
    "transport_over_capacity": _("Transport over capacity"),
    "production_fixed": _("Production, fixed"),
    "production_variable": _("Production, variable"),
    "production_over_capacity": _("Production over capacity"),
    "storage_fixed": _("Storage, fixed"),
    "storage_variable": _("Storage, variable"),
    "storage_over_capacity": _("Storage over capacity"),
    "penalty_stockout": _("Stock-out penalty"),
    "penalty_backorder": _("Backorder penalty"),
    "total_cost": _("Total cost"),
    "profit": _("Profit"),
}

# The parts of nested KPIs that are codes, by their labels (the others, such as a
# factory's code under capacity_utilisation, show as they are).
PART_LABELS: dict[str, Mapping[str, Promise]] = {
    "costs_by_account": ACCOUNT_LABELS,
    "avg_on_hand_by_type": NODE_TYPE_LABELS,
}

# PSI columns (docs/engine.md, "Output schema") and the bucket columns.
COLUMN_LABELS: dict[str, Promise] = {
    "day": _("Day"),
    "date": _("Date"),
    "period": _("Period"),
    "day_first": _("First day"),
    "day_last": _("Last day"),
    "node": _("Node"),
    "item": _("Item"),
    "demand": _("Demand"),
    "sales": _("Sales"),
    "shortage": _("Shortage"),
    "backlog": _("Backlog"),
    "receipts": _("Receipts"),
    "production": _("Production"),
    "consumption": _("Consumption"),
    "on_hand": _("On-hand"),
    "in_transit": _("In transit"),
    "orders": _("Orders"),
    **ACCOUNT_LABELS,
}

FORMATS: dict[str, str] = {
    "fill_rate": PERCENT,
    "cycle_service_level": PERCENT,
    "capacity_utilisation": PERCENT,
    "demand_total": QUANTITY,
    "sales_total": QUANTITY,
    "shortage_total": QUANTITY,
    "lost_sales_total": QUANTITY,
    "internal_shortage_total": QUANTITY,
    "avg_on_hand": QUANTITY,
    "avg_on_hand_by_type": QUANTITY,
    "avg_backlog": QUANTITY,
    "backlog_peak": QUANTITY,
    "stockout_days": COUNT,
    "backlog_peak_day": COUNT,
    "days": COUNT,
    "node_items": COUNT,
    "inventory_turns": RATIO,
    "revenue_total": MONEY,
    "cost_total": MONEY,
    "costs_by_account": MONEY,
    "penalty_stockout_total": MONEY,
    "penalty_backorder_total": MONEY,
    "penalty_total": MONEY,
    "profit_total": MONEY,
    "profit_per_day": MONEY,
}

GROUPS: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    (
        "service",
        _("Service"),
        (
            "fill_rate",
            "cycle_service_level",
            "demand_total",
            "sales_total",
            "shortage_total",
            "lost_sales_total",
            "internal_shortage_total",
            "stockout_days",
        ),
    ),
    (
        "inventory",
        _("Inventory and backlog"),
        (
            "avg_on_hand",
            "avg_on_hand_by_type",
            "avg_backlog",
            "backlog_peak",
            "backlog_peak_day",
            "inventory_turns",
        ),
    ),
    (
        "finance",
        _("Profit and loss"),
        (
            "revenue_total",
            "cost_total",
            "penalty_stockout_total",
            "penalty_backorder_total",
            "penalty_total",
            "profit_total",
            "profit_per_day",
        ),
    ),
    ("costs", _("Costs by account"), ("costs_by_account",)),
    ("capacity", _("Capacity utilisation"), ("capacity_utilisation",)),
    ("size", _("Run size"), ("days", "node_items")),
)
# Summary entries shown by their own section of the page, not as KPI rows.
SEPARATE = ("top_shortage_items", "warnings")
OTHER = ("other", _("Other"))

# Digits after the decimal point per format.
DECIMALS = {PERCENT: 1, MONEY: 2, QUANTITY: 1, COUNT: 0, RATIO: 2, NUMBER: 2}


@dataclass(frozen=True)
class KpiValue:
    name: str
    label: str
    value: Any
    display: str
    definition: str = ""


@dataclass(frozen=True)
class KpiPlace:
    order: tuple[int, int, str]
    key: str
    title: str
    label: str


@dataclass(frozen=True)
class KpiGroup:
    key: str
    title: str
    kpis: list[KpiValue]


def kpi_format(name: str) -> str:
    """The format of a (possibly dotted) KPI name: nested KPIs take their parent's."""
    return FORMATS.get(name.split(".", 1)[0], NUMBER)


def kpi_label(name: str) -> str:
    """A readable label: ``costs_by_account.cogs`` → "Costs by account: Cost of goods sold"."""
    if name in LABELS:
        return str(LABELS[name])
    head, _dot, tail = name.partition(".")
    if tail and head in LABELS:
        return f"{LABELS[head]}: {kpi_part_label(name)}"
    return name


def kpi_definition(name: str) -> str:
    """The one-line definition of a top-level KPI ('' for a nested part: its parent's row
    of the same section says it, and repeating it on every factory or account is noise)."""
    return str(DEFINITIONS.get(name, "")) if "." not in name else ""


def kpi_part_label(name: str) -> str:
    """The part of a nested KPI after its parent: ``costs_by_account.cogs`` → "Cost of
    goods sold", ``capacity_utilisation.FACT-01`` → "FACT-01"."""
    head, _dot, tail = name.partition(".")
    labels = PART_LABELS.get(head)
    return str(labels.get(tail, tail)) if labels else tail


def column_label(name: str) -> str:
    return str(COLUMN_LABELS.get(name, name))


def format_value(value: Any, fmt: str = NUMBER) -> str:
    """A number in the active language's notation, per ``fmt``; "—" for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "—" if math.isnan(value) else str(value)
    if fmt == PERCENT:
        return _percent(_number(100 * value, DECIMALS[PERCENT]))
    return _number(value, DECIMALS.get(fmt, 2))


def _number(value: float, decimals: int) -> str:
    return display_number(value, decimals)


def format_kpi(name: str, value: Any) -> str:
    return format_value(value, kpi_format(name))


def format_delta(name: str, delta: float | None) -> str:
    """A signed difference in the KPI's unit; shares as percentage points."""
    if delta is None:
        return "—"
    fmt = kpi_format(name)
    sign = "+" if delta > 0 else ""
    if fmt == PERCENT:
        points = _number(100 * delta, DECIMALS[PERCENT])
        # Translators: a difference of two percentages, in percentage points.
        return pgettext("percentage points", "%(value)s pp") % {"value": f"{sign}{points}"}
    return f"{sign}{_number(delta, DECIMALS.get(fmt, 2))}"


def format_pct(pct: float | None) -> str:
    if pct is None:
        return "—"
    sign = "+" if pct > 0 else ""
    return _percent(f"{sign}{_number(pct, 1)}")


def _percent(number: str) -> str:
    return gettext("%(value)s %%") % {"value": number}


def run_kpis(run: Run) -> dict[str, Any]:
    """Every KPI of the run, nested ones flattened; headline columns win over the summary."""
    values: dict[str, Any] = flatten_kpis(run.summary or {})
    for name in HEADLINE_KPIS:
        column = getattr(run, name)
        if column is not None:
            values[name] = column
    # Scalars that are not numbers (a string, a null) are KPIs too.
    for key, value in (run.summary or {}).items():
        if key not in values and key not in SEPARATE and not isinstance(value, dict | list):
            values[key] = value
    return values


def kpi_place(name: str) -> KpiPlace:
    """Where a KPI goes on a page: its section, its position there and its row label.

    Nested KPIs follow their parent; in a section that holds only that parent
    (costs by account, capacity) a row needs only the part as its label.
    """
    head = name.split(".", 1)[0]
    for index, (key, title, names) in enumerate(GROUPS):
        for position, member in enumerate(names):
            if member in (name, head):
                short = len(names) == 1 and name != member
                return KpiPlace(
                    order=(index, position, name),
                    key=key,
                    title=str(title),
                    label=kpi_part_label(name) if short else kpi_label(name),
                )
    return KpiPlace(
        order=(len(GROUPS), 0, name), key=OTHER[0], title=str(OTHER[1]), label=kpi_label(name)
    )


def kpi_groups(run: Run) -> list[KpiGroup]:
    """The run's KPIs in sections (service, inventory, P&L, ...), unknown ones last."""
    values = run_kpis(run)
    groups: dict[str, KpiGroup] = {}
    for name in sorted(values, key=lambda n: kpi_place(n).order):
        place = kpi_place(name)
        group = groups.setdefault(place.key, KpiGroup(key=place.key, title=place.title, kpis=[]))
        group.kpis.append(
            KpiValue(
                name=name,
                label=place.label,
                value=values[name],
                display=format_kpi(name, values[name]),
                definition=kpi_definition(name),
            )
        )
    return list(groups.values())


def top_shortages(run: Run) -> list[dict[str, Any]]:
    """The engine's ``top_shortage_items`` (largest customer shortage first)."""
    rows = (run.summary or {}).get("top_shortage_items") or []
    out = []
    for row in rows:
        if isinstance(row, dict) and "item" in row:
            shortage = row.get("shortage")
            out.append(
                {
                    "item": row["item"],
                    "shortage": shortage,
                    "display": format_value(shortage, QUANTITY),
                }
            )
    return out


def run_warnings(run: Run) -> list[str]:
    warnings = (run.summary or {}).get("warnings") or []
    return [str(w) for w in warnings] if isinstance(warnings, list) else [str(warnings)]
