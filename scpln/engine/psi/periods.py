"""A daily result table (PSI, P&L, cost trace) in periods: ISO weeks or calendar months.

Periods are those of the calendar that the config's start date anchors (day
0): ``week`` is the ISO week (Monday–Sunday, ``YYYY-Www``), ``month`` the
calendar month (``YYYY-MM``). Within a period, per group of the table's key
columns (node, item, account, ...):

- flows (demand, sales, shortage, receipts, production, consumption, orders,
  every money column) are **summed**;
- stocks (:data:`STOCK_COLUMNS`: on-hand, backlog, in-transit, inventory
  position, ...) are taken **at the period end**: the value on the last day of
  the period that the result covers, i.e. the closing balance, so that
  closing(p) = closing(p−1) + inflows(p) − outflows(p) holds between periods
  as it does between days.

``day_first``/``day_last`` say which days a period row actually covers: a
period cut by the horizon or by a day filter covers fewer days.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

PERIODS = ("day", "week", "month")
DAY = "day"
STOCK_COLUMNS = frozenset(
    {
        "on_hand",
        "backlog",
        "in_transit",
        "inventory_position",
        "on_order",
        "pipeline",
        "wip",
        "open_orders",
        "position",
    }
)


def key_columns(frame: pd.DataFrame) -> list[str]:
    """The columns that identify a row within a day (node, item, account, ...)."""
    return [
        column
        for column in frame.columns
        if column not in (DAY, "date") and not pd.api.types.is_numeric_dtype(frame[column])
    ]


def to_periods(frame: pd.DataFrame, period: str, *, start_date: date) -> pd.DataFrame:
    """Aggregate a daily long-format frame into ISO weeks (``week``) or calendar months."""
    keys = key_columns(frame)
    metrics = [
        column for column in frame.columns if column not in (DAY, "date") and column not in keys
    ]
    days = frame[DAY].astype("int64")
    dates = pd.Timestamp(start_date) + pd.to_timedelta(days, unit="D")
    if period == "week":
        iso = dates.dt.isocalendar()
        labels = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    else:
        labels = dates.dt.strftime("%Y-%m")
    work = frame.assign(period=labels.to_numpy(), **{DAY: days}).sort_values(DAY, kind="stable")
    aggregations: dict[str, tuple[str, str]] = {
        "day_first": (DAY, "min"),
        "day_last": (DAY, "max"),
    }
    for column in metrics:
        aggregations[column] = (column, "last" if column in STOCK_COLUMNS else "sum")
    grouped = work.groupby(["period", *keys], sort=False, dropna=False, observed=True)
    out = grouped.agg(**aggregations).reset_index()
    out = out.sort_values(["day_first", *keys], kind="stable").reset_index(drop=True)
    return out[["period", "day_first", "day_last", *keys, *metrics]]
