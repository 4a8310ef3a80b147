"""The time model the simulator and the planner share: days, buckets, and spreading.

Day 0 is the config's start date (``meta.attributes.start_date``, else 2025-01-01); the
horizon is ``planning_horizon`` days, indexed 0 … horizon−1. A bucket code names a
calendar period:

- relative, counted from the start date: ``Dn`` (the n-th day), ``Wn`` (the n-th block of
  7 days), ``Mn`` (the n-th month: from start + (n−1) months up to the day before
  start + n months, so with a start on the 1st ``M1`` is exactly the first calendar month);
- absolute: ``YYYY-MM-DD`` (a day), ``YYYY-Www`` (ISO week, Monday–Sunday), ``YYYY-MM``
  (calendar month).

A bucket value (a demand ``mean``, a capacity) is the total for the whole period. A daily
process spreads it evenly over the period's calendar days; days of the period that fall
outside the horizon are simply not simulated, so a half-covered month contributes half.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

_RELATIVE = re.compile(r"^([DWM])([1-9]\d{0,5})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

BUCKET_FORMS = "Mn, Wn, Dn (n ≥ 1), YYYY-MM, YYYY-Www or YYYY-MM-DD"


class BucketError(ValueError):
    """A bucket code that names no period."""


@dataclass(frozen=True, slots=True)
class BucketSpan:
    """Where a bucket falls in the horizon.

    ``first_day``/``last_day`` are 0-based day indices, inclusive, clipped to the horizon;
    ``period_days`` is the bucket's full calendar length, the divisor for daily figures.
    """

    first_day: int
    last_day: int
    period_days: int

    @property
    def days(self) -> int:
        return self.last_day - self.first_day + 1

    def daily_mean(self, bucket_total: float) -> float:
        """The per-day rate of a bucket total spread evenly over its calendar days."""
        return bucket_total / self.period_days

    def daily_std(self, bucket_std: float) -> float:
        """Per-day std of independent days whose sum over the period has ``bucket_std``."""
        return bucket_std / math.sqrt(self.period_days)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@lru_cache(maxsize=8192)
def bucket_period(bucket: str, start_date: date) -> tuple[date, date]:
    """The calendar dates (first, last, inclusive) a bucket code stands for.

    Raises :class:`BucketError` for a code that is not one of :data:`BUCKET_FORMS`.
    """
    try:
        return _period(bucket, start_date)
    except BucketError:
        raise
    except (ValueError, OverflowError):
        raise BucketError(f"'{bucket}' names no real calendar period") from None


def _period(bucket: str, start: date) -> tuple[date, date]:
    if match := _RELATIVE.match(bucket):
        kind, n = match.group(1), int(match.group(2))
        if kind == "D":
            day = start + timedelta(days=n - 1)
            return day, day
        if kind == "W":
            first = start + timedelta(days=7 * (n - 1))
            return first, first + timedelta(days=6)
        return add_months(start, n - 1), add_months(start, n) - timedelta(days=1)
    if match := _ISO_DAY.match(bucket):
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return day, day
    if match := _ISO_WEEK.match(bucket):
        first = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        return first, first + timedelta(days=6)
    if match := _ISO_MONTH.match(bucket):
        year, month = int(match.group(1)), int(match.group(2))
        first = date(year, month, 1)
        return first, date(year, month, calendar.monthrange(year, month)[1])
    raise BucketError(f"'{bucket}' is not a bucket; use {BUCKET_FORMS}")


def bucket_span(bucket: str, start_date: date, horizon_days: int) -> BucketSpan | None:
    """The part of the horizon a bucket covers, or None when it lies wholly outside."""
    return _span(bucket, start_date, horizon_days)


@lru_cache(maxsize=8192)
def _span(bucket: str, start_date: date, horizon_days: int) -> BucketSpan | None:
    first, last = bucket_period(bucket, start_date)
    first_day = (first - start_date).days
    last_day = (last - start_date).days
    period_days = last_day - first_day + 1
    first_day, last_day = max(first_day, 0), min(last_day, horizon_days - 1)
    if first_day > last_day:
        return None
    return BucketSpan(first_day, last_day, period_days)


def bucket_day_range(bucket: str, start_date: date, horizon_days: int) -> tuple[int, int] | None:
    """``(first_day, last_day)``, 0-based and inclusive, of a bucket within the horizon."""
    span = bucket_span(bucket, start_date, horizon_days)
    return None if span is None else (span.first_day, span.last_day)


def month_buckets(start_date: date, horizon_days: int) -> list[str]:
    """``M1 … Mn``: the relative months that together cover the whole horizon."""
    codes: list[str] = []
    n = 1
    while bucket_span(f"M{n}", start_date, horizon_days) is not None:
        codes.append(f"M{n}")
        n += 1
    return codes
