"""The planning calendar: months (periods) cut into ISO weeks, a week possibly split by a month end.

Every stage that moves a quantity between months and weeks goes through the *parts* of this
calendar: one row per (period, week) with the part's days and its weight. A week that spans
two months has two parts, one in each month, and is still one week: stages sum its parts.
Weeks and periods are always ordered by their dates, never by their codes, so a code such
as ``2025-W9`` or ``2026-W01`` can never be sorted into the wrong place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from scpln.engine.canonical.problems import Problem

CALENDAR_FILE = "planning_calendar.json"
DATE_DTYPE: Final = "datetime64[ns]"


@dataclass(frozen=True)
class PlanningCalendar:
    """Periods, weeks and their parts, each table sorted chronologically and indexed from 0.

    ``parts``: period, week, start, end, weight, period_index, week_index (one row per
    week-in-period). ``weeks``: week, week_index, week_start, week_end (the earliest part start
    and the latest part end: a week clipped by the calendar start or end is shorter).
    ``periods``: period, period_index, start, end, weight. ``source`` is ``"file"`` for a
    calendar read from ``planning_calendar.json`` and ``"derived"`` for the fallback.
    """

    parts: pd.DataFrame
    weeks: pd.DataFrame
    periods: pd.DataFrame
    source: str

    @property
    def start(self) -> dt.date:
        return pd.Timestamp(self.periods["start"].iloc[0]).date()

    @property
    def end(self) -> dt.date:
        return pd.Timestamp(self.periods["end"].iloc[-1]).date()

    @property
    def period_codes(self) -> list[str]:
        return self.periods["period"].tolist()

    @property
    def week_codes(self) -> list[str]:
        return self.weeks["week"].tolist()

    def truncate(self, last_day: dt.date) -> PlanningCalendar:
        """Keep the periods ending on or before ``last_day`` (a horizon ends at a period end)."""
        keep = self.periods.loc[self.periods["end"] <= pd.Timestamp(last_day), "period"]
        parts = self.parts[self.parts["period"].isin(keep)]
        return _from_parts(parts[["period", "week", "start", "end", "weight"]], self.source)

    def week_index_of(self, dates: pd.Series) -> np.ndarray:
        """The index of the week holding each date; -1 before the calendar, len(weeks) after it.

        Gaps between weeks (a calendar that skips days) count towards the week before them.
        """
        starts = self.weeks["week_start"].to_numpy()
        values = pd.to_datetime(dates).to_numpy(dtype=starts.dtype)
        index = np.searchsorted(starts, values, side="right") - 1
        after = values > self.weeks["week_end"].to_numpy()[-1]
        return np.where(after, len(starts), index)

    def period_index_of(self, dates: pd.Series) -> np.ndarray:
        """The index of the period holding each date; -1 before the calendar, len(periods) after."""
        starts = self.periods["start"].to_numpy()
        values = pd.to_datetime(dates).to_numpy(dtype=starts.dtype)
        index = np.searchsorted(starts, values, side="right") - 1
        after = values > self.periods["end"].to_numpy()[-1]
        return np.where(after, len(starts), index)


def _from_parts(parts: pd.DataFrame, source: str) -> PlanningCalendar:
    """Index a table of parts (period, week, start, end, weight) by date order."""
    parts = parts.reset_index(drop=True)
    parts["start"] = parts["start"].astype(DATE_DTYPE)
    parts["end"] = parts["end"].astype(DATE_DTYPE)
    periods = (
        parts.groupby("period", sort=False)
        .agg(start=("start", "min"), end=("end", "max"), weight=("weight", "sum"))
        .reset_index()
        .sort_values(["start", "end"], kind="stable")
        .reset_index(drop=True)
    )
    periods["period_index"] = np.arange(len(periods))
    weeks = (
        parts.groupby("week", sort=False)
        .agg(week_start=("start", "min"), week_end=("end", "max"))
        .reset_index()
        .sort_values(["week_start", "week_end"], kind="stable")
        .reset_index(drop=True)
    )
    weeks["week_index"] = np.arange(len(weeks))
    parts = parts.merge(periods[["period", "period_index"]], on="period").merge(
        weeks[["week", "week_index"]], on="week"
    )
    parts = parts.sort_values(["week_index", "period_index"], kind="stable").reset_index(drop=True)
    return PlanningCalendar(
        parts=parts,
        weeks=weeks[["week", "week_index", "week_start", "week_end"]],
        periods=periods[["period", "period_index", "start", "end", "weight"]],
        source=source,
    )


def derive_calendar(first_day: dt.date, last_day: dt.date) -> PlanningCalendar:
    """ISO weeks clipped to calendar months between two days; a part weighs its number of days.

    This is the fallback when no calendar is given: a week's share of a month is the share of
    the month's days it holds, so a quantity spread over a month is spread evenly by day.
    """
    days = pd.date_range(first_day, last_day, freq="D")
    iso = days.isocalendar()
    frame = pd.DataFrame(
        {
            "period": days.strftime("%Y-%m"),
            "week": iso["year"].astype(str).to_numpy()
            + "-W"
            + iso["week"].astype(str).str.zfill(2).to_numpy(),
            "day": days,
        }
    )
    parts = (
        frame.groupby(["period", "week"], sort=False)
        .agg(start=("day", "min"), end=("day", "max"), weight=("day", "size"))
        .reset_index()
    )
    parts["weight"] = parts["weight"].astype(float)
    return _from_parts(parts, "derived")


def calendar_for_periods(
    periods: Iterable[str], *, where: str
) -> tuple[PlanningCalendar | None, list[Problem]]:
    """The fallback calendar for month codes ``YYYY-MM``: from the first month to the last."""
    codes = sorted(set(periods))
    starts = pd.to_datetime(pd.Series(codes, dtype=object), format="%Y-%m", errors="coerce")
    bad = [code for code, start in zip(codes, starts, strict=True) if pd.isna(start)]
    if bad:
        return None, [
            Problem(
                where,
                f"'{code}' is not a month YYYY-MM; without {CALENDAR_FILE} periods must be months",
            )
            for code in bad
        ]
    if not codes:
        return None, [Problem(where, "there are no periods to plan")]
    first = starts.min().date()
    last = (starts.max() + pd.offsets.MonthEnd(0)).date()
    return derive_calendar(first, last), []


def calendar_from_document(
    document: Mapping[str, Any], *, name: str = CALENDAR_FILE
) -> tuple[PlanningCalendar | None, list[Problem]]:
    """Read a planning calendar document (``periods[].weeks[]``) and report every problem in it."""
    problems: list[Problem] = []
    rows: list[tuple[str, str, dt.date, dt.date, float]] = []
    periods = document.get("periods")
    if not isinstance(periods, list) or not periods:
        return None, [Problem(f"{name}: periods", "must be a non-empty list")]
    for p_no, period in enumerate(periods):
        where = f"{name}: periods[{p_no}]"
        if not isinstance(period, Mapping):
            problems.append(Problem(where, "must be an object"))
            continue
        code = period.get("period")
        if not isinstance(code, str) or not code:
            problems.append(Problem(f"{where}.period", "must be a non-empty text"))
            continue
        p_start = _date(period.get("start_date"), f"{where}.start_date", problems)
        p_end = _date(period.get("end_date"), f"{where}.end_date", problems)
        weeks = period.get("weeks")
        if not isinstance(weeks, list) or not weeks:
            problems.append(Problem(f"{where}.weeks", "must be a non-empty list"))
            continue
        for w_no, week in enumerate(weeks):
            w_where = f"{where}.weeks[{w_no}]"
            if not isinstance(week, Mapping):
                problems.append(Problem(w_where, "must be an object"))
                continue
            part = _week_part(week, w_where, p_start, p_end, problems)
            if part is not None:
                rows.append((code, *part))
    if problems:
        return None, problems
    parts = pd.DataFrame(rows, columns=["period", "week", "start", "end", "weight"])
    parts["start"] = pd.to_datetime(parts["start"]).astype(DATE_DTYPE)
    parts["end"] = pd.to_datetime(parts["end"]).astype(DATE_DTYPE)
    problems.extend(_overlaps(parts, name))
    if problems:
        return None, problems
    return _from_parts(parts, "file"), []


def _week_part(
    week: Mapping[str, Any],
    where: str,
    p_start: dt.date | None,
    p_end: dt.date | None,
    problems: list[Problem],
) -> tuple[str, dt.date, dt.date, float] | None:
    code = week.get("week_code")
    if not isinstance(code, str) or not code:
        problems.append(Problem(f"{where}.week_code", "must be a non-empty text"))
        return None
    start = _date(week.get("start_date"), f"{where}.start_date", problems)
    end = _date(week.get("end_date"), f"{where}.end_date", problems)
    weight = week.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight >= 0:
        problems.append(Problem(f"{where}.weight", f"must be a number ≥ 0, not {weight!r}"))
        return None
    if start is None or end is None:
        return None
    if end < start:
        problems.append(Problem(f"{where}.end_date", f"{end} is before its start {start}"))
        return None
    if (p_start is not None and start < p_start) or (p_end is not None and end > p_end):
        problems.append(Problem(where, f"{start}..{end} lies outside its period"))
        return None
    return code, start, end, float(weight)


def _overlaps(parts: pd.DataFrame, name: str) -> list[Problem]:
    """Parts must not share a day, or a day's quantity would be planned twice."""
    ordered = parts.sort_values(["start", "end"], kind="stable").reset_index(drop=True)
    clash = ordered["start"].iloc[1:].to_numpy() <= ordered["end"].iloc[:-1].to_numpy()
    problems = []
    for i in np.flatnonzero(clash):
        a, b = ordered.iloc[i], ordered.iloc[i + 1]
        problems.append(
            Problem(
                f"{name}: periods",
                f"week {b['week']} of {b['period']} overlaps week {a['week']} of {a['period']}",
            )
        )
    if (parts.groupby("period")["weight"].sum() <= 0).any():
        problems.append(Problem(f"{name}: periods", "every period needs a positive total weight"))
    return problems


def _date(value: Any, where: str, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(Problem(where, f"must be a date YYYY-MM-DD, not {value!r}"))
    return None
