"""The shared time model: which days a bucket covers and how its totals become daily."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from scpln.engine.canonical import (
    BucketError,
    bucket_day_range,
    bucket_period,
    bucket_span,
    load_config,
    month_buckets,
)

JAN_1 = date(2025, 1, 1)


@pytest.mark.parametrize(
    ("bucket", "horizon", "days"),
    [
        ("M1", 59, (0, 30)),
        ("M2", 59, (31, 58)),
        ("M3", 90, (59, 89)),
        ("M6", 181, (151, 180)),
        ("2025-02", 59, (31, 58)),
        ("D1", 59, (0, 0)),
        ("D59", 59, (58, 58)),
        ("2025-01-31", 59, (30, 30)),
        ("W1", 59, (0, 6)),
        ("W2", 59, (7, 13)),
        ("2025-W02", 59, (5, 11)),  # ISO week 2 of 2025 runs Mon 6 Jan – Sun 12 Jan
    ],
)
def test_bucket_covers_its_days_from_2025_01_01(bucket: str, horizon: int, days: tuple) -> None:
    assert bucket_day_range(bucket, JAN_1, horizon) == days


def test_first_monthly_bucket_starts_on_day_zero() -> None:
    span = bucket_span("M1", JAN_1, 59)

    assert span is not None
    assert (span.first_day, span.last_day, span.period_days, span.days) == (0, 30, 31, 31)
    assert span.daily_mean(310) == 10
    assert span.daily_std(31**0.5 * 2) == pytest.approx(2)


def test_months_spread_over_their_own_length() -> None:
    january, february = bucket_span("M1", JAN_1, 59), bucket_span("M2", JAN_1, 59)

    assert january is not None and february is not None
    assert february.daily_mean(280) == 10
    # every day of the horizon is covered exactly once, so the bucket totals are kept
    covered = list(range(january.first_day, january.last_day + 1))
    covered += range(february.first_day, february.last_day + 1)
    assert covered == list(range(59))


def test_bucket_partly_beyond_horizon_keeps_its_daily_rate() -> None:
    span = bucket_span("M2", JAN_1, 45)

    assert span is not None
    assert (span.first_day, span.last_day, span.days, span.period_days) == (31, 44, 14, 28)
    assert span.daily_mean(280) == 10  # only 14 days of February are simulated


def test_iso_week_straddling_the_start_is_clipped() -> None:
    span = bucket_span("2025-W01", JAN_1, 59)

    assert span is not None
    assert (span.first_day, span.last_day, span.period_days) == (0, 4, 7)


def test_bucket_outside_horizon_has_no_days() -> None:
    assert bucket_day_range("M3", JAN_1, 59) is None
    assert bucket_day_range("2024-12", JAN_1, 59) is None


def test_relative_months_follow_a_mid_month_start() -> None:
    start = date(2025, 1, 15)

    assert bucket_period("M1", start) == (date(2025, 1, 15), date(2025, 2, 14))
    assert bucket_period("M2", start) == (date(2025, 2, 15), date(2025, 3, 14))
    assert bucket_day_range("2025-01", start, 60) == (0, 16)


def test_leap_february() -> None:
    assert bucket_period("M2", date(2024, 1, 1)) == (date(2024, 2, 1), date(2024, 2, 29))


@pytest.mark.parametrize("bucket", ["M0", "m1", "M1x", "2025-13", "2025-02-30", "2025-W54", ""])
def test_unparseable_bucket_raises(bucket: str) -> None:
    with pytest.raises(BucketError):
        bucket_period(bucket, JAN_1)


def test_month_buckets_cover_the_horizon() -> None:
    assert month_buckets(JAN_1, 59) == ["M1", "M2"]
    assert month_buckets(JAN_1, 60) == ["M1", "M2", "M3"]
    assert month_buckets(JAN_1, 365) == [f"M{n}" for n in range(1, 13)]


@pytest.mark.reference
def test_reference_horizons_end_exactly_at_their_last_monthly_bucket(reference_dir: Path) -> None:
    for path in sorted((reference_dir / "canonical").glob("*.json")):
        config = load_config(json.loads(path.read_text()))
        buckets = sorted({row.bucket for row in config.demands}, key=lambda code: int(code[1:]))

        assert month_buckets(config.start_date, config.horizon_days) == buckets, path.name
        last = bucket_span(buckets[-1], config.start_date, config.horizon_days)
        assert last is not None and last.last_day == config.horizon_days - 1
        assert last.days == last.period_days  # the last month is whole, not cut short
