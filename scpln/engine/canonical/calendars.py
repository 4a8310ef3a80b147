"""Working calendars: which calendar days a node works (produces, ships, receives).

A ``calendars[]`` row's ``definition`` says it in the original system's form:

- ``workdays``: the weekdays worked, as ``Mon`` … ``Sun`` (any case, or full names);
  absent: every day;
- ``exceptions``: dates (``YYYY-MM-DD``) not worked although their weekday is — holidays.

A node names its calendar with ``calendar_code`` (a scpln addition); a node without one
works every day, as does every node of a config written before calendars counted.
Other keys of a definition are kept as given and ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .problems import Problem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekdays worked (0 = Monday) and holidays."""

    workdays: frozenset[int]
    holidays: frozenset[dt.date]

    def works(self, day: dt.date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def working_days(self, start: dt.date, days: int) -> list[bool]:
        """Whether each of ``days`` days from ``start`` is worked."""
        return [self.works(start + dt.timedelta(days=k)) for k in range(days)]

    def count(self, first: dt.date, last: dt.date) -> int:
        """Working days from ``first`` to ``last``, both included."""
        return sum(self.working_days(first, (last - first).days + 1))


def working_calendar(definition: Mapping[str, Any]) -> WorkingCalendar:
    """The calendar a (valid) definition describes."""
    names = definition.get("workdays")
    workdays = frozenset(range(7)) if names is None else frozenset(_weekday(str(n)) for n in names)
    holidays = frozenset(dt.date.fromisoformat(str(d)) for d in definition.get("exceptions", ()))
    return WorkingCalendar(workdays, holidays)


def calendar_problems(path: str, definition: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a definition, each at its place (``…definition.workdays[2]``)."""
    problems: list[Problem] = []
    names = definition.get("workdays")
    if names is not None:
        if not isinstance(names, list | tuple):
            problems.append(Problem(f"{path}.workdays", "must be a list of weekdays (Mon … Sun)"))
        else:
            for index, name in enumerate(names):
                if not isinstance(name, str) or _weekday(name) < 0:
                    problems.append(
                        Problem(
                            f"{path}.workdays[{index}]",
                            f"{name!r} is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
                        )
                    )
            if not names:
                problems.append(Problem(f"{path}.workdays", "a calendar must work some day"))
    dates = definition.get("exceptions", ())
    if not isinstance(dates, list | tuple):
        problems.append(Problem(f"{path}.exceptions", "must be a list of dates YYYY-MM-DD"))
        return problems
    for index, value in enumerate(dates):
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            problems.append(
                Problem(f"{path}.exceptions[{index}]", f"{value!r} is not a date YYYY-MM-DD")
            )
    return problems


def _weekday(name: str) -> int:
    key = name.strip().lower()[:3]
    return WEEKDAYS.index(key) if key in WEEKDAYS and len(name.strip()) >= 3 else -1
