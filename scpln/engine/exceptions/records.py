"""The one shape every exception takes, its kinds, severities and thresholds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What is wrong. The values are stored and used in the API's ``kind`` filter."""

    STOCKOUT = "stockout"
    BACKLOG_GROWING = "backlog_growing"
    UNSOURCED_COMPONENT = "unsourced_component"
    NO_SUPPLY_PATH = "no_supply_path"
    UNREACHABLE_DEMAND = "unreachable_demand"
    COMPONENT_SHORTAGE = "component_shortage"
    CAPACITY_OVERLOAD = "capacity_overload"
    CAPACITY_IDLE = "capacity_idle"
    LATE_DEMAND = "late_demand"
    LATE_RECEIPT = "late_receipt"
    EXCESS_INVENTORY = "excess_inventory"
    DEAD_STOCK = "dead_stock"
    PLAN_RUN_DIVERGENCE = "plan_run_divergence"


class Severity(StrEnum):
    """How urgent: ``high`` first when a list is ordered by severity."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """3 for high, 2 for medium, 1 for low (sorting by severity sorts by this)."""
        return {"high": 3, "medium": 2, "low": 1}[self.value]


KINDS = tuple(k.value for k in Kind)
SEVERITIES = tuple(s.value for s in Severity)


@dataclass(frozen=True)
class Thresholds:
    """Where an exception starts (settings ``SCPLN_EXCEPTION_*``, docs/planner-guide.md).

    ``excess_cover_days``: stock at the horizon end covering more days of its average
    outflow than this is excess; ``idle_utilisation``: a factory loaded below this share
    of its capacity is idle; ``divergence_points``: a plan whose fill rate differs from its
    run's by more than this many percentage points diverges; ``stockout_high`` /
    ``stockout_medium``: the share of a store's demand left short that makes a stock-out
    high / medium severity.
    """

    excess_cover_days: float = 90.0
    idle_utilisation: float = 0.3
    divergence_points: float = 5.0
    stockout_high: float = 0.5
    stockout_medium: float = 0.1


@dataclass(frozen=True)
class ExceptionRecord:
    """One exception, located at ``node`` × ``item`` (either may be empty: a factory's
    capacity has no item, a plan-wide divergence neither).

    ``first_day``/``last_day`` count days from the run's (or plan's) first day and
    ``first_date``/``last_date`` are those days as dates when the start date is known.
    ``quantity`` is in units (see each kind), ``value`` in money at risk. ``cause_kind``
    names what the exception traces to (a :class:`Kind` value or ``capacity``) and
    ``cause_refs`` the ``NODE/ITEM`` (or node) it traces to; ``detail`` holds the
    kind's own numbers (days out, load and capacity, cover days, …).
    """

    kind: Kind
    node: str
    item: str
    first_day: int | None
    last_day: int | None
    quantity: float
    value: float
    severity: Severity
    cause_kind: str = ""
    cause_refs: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)
    first_date: dt.date | None = None
    last_date: dt.date | None = None


def at(start: dt.date | None, day: int | None) -> dt.date | None:
    """The date of ``day`` days after ``start`` (None when either is unknown)."""
    if start is None or day is None:
        return None
    return start + dt.timedelta(days=int(day))
