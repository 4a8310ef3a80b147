"""Reading a run's PSI, P&L and cost trace: filtered, and in periods (day, ISO week,
calendar month; scpln.engine.psi.periods says how flows and stocks add up).

Day 0 is the config's ``meta.attributes.start_date`` (else 2025-01-01).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from runs.columnar import parquet_columns, parquet_to_frame
from runs.models import Run
from runs.registry import get_registry
from scenarios.models import ConfigVersion
from scpln.engine.canonical import DEFAULT_START_DATE
from scpln.engine.psi.periods import DAY, PERIODS, to_periods

TABLES = ("psi", "pl", "trace")
BUCKETS = PERIODS


@dataclass(frozen=True)
class TableQuery:
    """What part of a table to read, and at which time grain."""

    node: str | None = None
    item: str | None = None
    day_from: int | None = None
    day_to: int | None = None
    bucket: str = "day"


def run_table(
    *, run: Run, table: str, query: TableQuery | None = None, start_date: date | None = None
) -> pd.DataFrame:
    """One of the run's result tables, filtered and bucketed per ``query``.

    Raises ``ValidationError`` naming the parameter when a filter concerns a
    column the table does not have (e.g. ``item`` on a P&L without items) or
    values contradict each other, and ``TraceUnavailable`` (a ``Conflict``) when
    the trace, built on its first read, cannot be. A run without a stored result
    gives an empty frame. ``start_date`` (day 0 of the calendar) spares a query when the
    caller already knows it.
    """
    query = query or TableQuery()
    if table not in TABLES:
        raise ValueError(f"unknown run table {table!r}")
    if query.bucket not in BUCKETS:
        raise ValidationError({"bucket": _("Expected one of: day, week, month.")})
    if query.day_from is not None and query.day_to is not None and query.day_from > query.day_to:
        raise ValidationError({"day_to": _("day_to must not be before day_from.")})
    data = _table_bytes(run, table)
    if not data:
        return pd.DataFrame()
    columns = parquet_columns(data)
    filters: list[tuple[str, str, Any]] = []
    for param, column, op, value in (
        ("node", "node", "==", query.node),
        ("item", "item", "==", query.item),
        ("day_from", DAY, ">=", query.day_from),
        ("day_to", DAY, "<=", query.day_to),
    ):
        if value is None:
            continue
        if column not in columns:
            raise ValidationError(
                {
                    param: _("The %(table)s table has no %(column)s column.")
                    % {"table": table, "column": column}
                }
            )
        filters.append((column, op, value))
    if query.bucket != "day" and DAY not in columns:
        raise ValidationError(
            {"bucket": _("The %(table)s table has no day column to bucket.") % {"table": table}}
        )
    frame = parquet_to_frame(data, filters=filters)
    if query.bucket == "day" or frame.empty:
        return frame.reset_index(drop=True)
    return to_periods(frame, query.bucket, start_date=start_date or run_start_date(run=run))


def run_table_keys(*, run: Run, table: str = "psi") -> list[tuple[str, str]]:
    """The distinct (node, item) pairs of one of the run's tables, in stored order.

    Reads only the two code columns, not the numbers, so a page can offer the
    choice of node and item without loading the whole result. Empty when the
    run has no stored result or the table has no node and item columns.
    """
    if table not in TABLES:
        raise ValueError(f"unknown run table {table!r}")
    data = _table_bytes(run, table)
    if not data or not {"node", "item"} <= set(parquet_columns(data)):
        return []
    frame = parquet_to_frame(data, columns=["node", "item"]).drop_duplicates()
    return [(str(node), str(item)) for node, item in frame.itertuples(index=False, name=None)]


def _table_bytes(run: Run, table: str) -> bytes | None:
    """The stored table, read once per run instance: a page that offers the node
    and item choice and then shows the table must not fetch megabytes twice.
    A stored result never changes, so the copy cannot go stale. The cost trace
    is built and stored on its first read (:func:`runs.services.traces.run_trace`,
    which raises ``TraceUnavailable`` when the run cannot be re-run)."""
    from runs.services.traces import run_trace  # the services import these selectors

    cache = run.__dict__.setdefault("_result_tables", {})
    if table not in cache:
        cache[table] = run_trace(run=run) if table == "trace" else get_registry().table(run, table)
    return cache[table]


def run_start_date(*, run: Run) -> date:
    """The calendar date of the run's day 0 (its config's ``start_date``, else the default)."""
    raw = (
        ConfigVersion.objects.filter(pk=run.config_version_id)
        .values_list("document__meta__attributes__start_date", flat=True)
        .first()
    )
    try:
        return date.fromisoformat(str(raw)) if raw else DEFAULT_START_DATE
    except ValueError:
        return DEFAULT_START_DATE
