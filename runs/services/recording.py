"""Recording a simulation run in the RunRegistry."""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from runs import metrics
from runs.columnar import frames_to_parquet
from runs.models import HEADLINE_KPIS, Run, RunResult
from runs.registry import get_registry
from runs.signals import run_recorded

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from jobs.models import Job
    from plans.models import PlanVersion
    from scenarios.models import ConfigVersion, Scenario


class SimulationResultLike(Protocol):
    """What :func:`run_record` reads from the engine's ``SimulationResult``."""

    kpis: dict[str, Any]
    schema_version: str
    engine_version: str
    input_hash: str
    seed: int | None

    # read only: the engine builds its tables on first access
    @property
    def psi(self) -> pd.DataFrame: ...
    @property
    def pl(self) -> pd.DataFrame: ...
    def trace_table(self) -> pa.Table: ...


def run_record(
    *,
    config_version: ConfigVersion,
    scenario: Scenario | None,
    plan_version: PlanVersion | None,
    job: Job | None,
    result: SimulationResultLike,
    started_at: datetime,
    finished_at: datetime,
    seed: int | None,
    stochastic: bool,
    overrides: dict[str, Any] | None,
    receipts: pd.DataFrame | None = None,
    execution: dict[str, Any] | None = None,
    source: str = Run.Source.PLAN,
) -> Run:
    """Record one finished simulation: the run, its KPIs and its PSI, P&L, receipts and
    cost trace tables — the trace only with ``SCPLN_RUN_TRACE=stored`` (the default) and
    for a run of at most ``SCPLN_RUN_TRACE_STORED_UP_TO`` node-item-days; otherwise it is
    built from the run's inputs when first asked for (:mod:`runs.services.traces`).

    ``overrides`` (the scenario's overrides, in the engine's shape) and
    ``receipts`` (the plan receipts the factories followed, if any) with
    ``execution`` (the plan parameters that say how a run executes them: the
    release rule and the constraint switches) are the inputs the engine
    consumed besides the frozen config: they are stored with the run, so a
    re-run never reads the scenario or the plan again.

    The run and its result are written in one transaction, together with what
    the ``run_recorded`` signal's receivers write: retention
    (``RUNS_DB_MAX_ROWS``) and the run's exceptions (the ``exceptions`` app).
    Headline KPIs become columns, every KPI is kept in ``summary`` (NaN and
    infinities as null, numpy numbers as plain numbers). ``runs_total{source}``
    is counted once the transaction commits.

    Refuses (``ValidationError`` keyed by field) a plan version whose config
    version is not ``config_version``, a finish before the start, an
    unknown ``source``, and tables more than the database writes in one row
    (``registry.largest_result``; keyed by the largest). A trace that would take
    the row over it is left out: the run serves it on request, as with ``on_request``.
    """
    if plan_version is not None and plan_version.config_version_id != config_version.pk:
        raise ValidationError(
            {
                "config_version": _(
                    "Plan version %(pv)s uses config version %(expected)s, not %(given)s."
                )
                % {
                    "pv": plan_version.pk,
                    "expected": plan_version.config_version_id,
                    "given": config_version.pk,
                }
            }
        )
    if finished_at < started_at:
        raise ValidationError({"finished_at": _("The run cannot finish before it starts.")})
    if source not in Run.Source.values:
        raise ValidationError({"source": _("Unknown run source %(source)r.") % {"source": source}})
    summary = json_safe(dict(result.kpis or {}))
    headline = {name: _number(summary.get(name)) for name in HEADLINE_KPIS}
    if headline["fill_rate"] is not None:
        # Float noise (1.0000000000000002) must not trip the 0–1 check constraint.
        headline["fill_rate"] = min(1.0, max(0.0, headline["fill_rate"]))
    psi = result.psi
    run = Run(
        plan_version=plan_version,
        scenario=scenario,
        config_version=config_version,
        job=job,
        source=source,
        status=Run.Status.SUCCEEDED,
        started_at=started_at,
        finished_at=finished_at,
        duration_ms=round((finished_at - started_at).total_seconds() * 1000),
        summary=summary,
        engine_version=str(result.engine_version or "")[:32],
        seed=seed if seed is not None else getattr(result, "seed", None),
        stochastic=stochastic,
        horizon_days=_horizon_days(psi),
        input_hash=str(result.input_hash or "")[:64],
        inputs={
            "overrides": json_safe(overrides),
            "plan_driven": receipts is not None,
            "execution": json_safe(execution or {}),
        },
        **headline,
    )
    # The trace, the largest table, is built on its writing thread (while the other writes
    # the PSI table), as an Arrow table: it stores the same, without a DataFrame's copies.
    stores_trace = settings.SCPLN_RUN_TRACE == "stored" and _node_item_days(summary) <= (
        settings.SCPLN_RUN_TRACE_STORED_UP_TO
    )
    built: list[pa.Table] = []

    def trace_table() -> pa.Table:
        built.append(result.trace_table())
        return built[0]

    trace, psi_data, pl, stored_receipts = frames_to_parquet(
        [trace_table if stores_trace else None, psi, result.pl, receipts]
    )
    registry = get_registry()
    tables: dict[str, bytes | None] = {"psi": psi_data, "pl": pl, "receipts": stored_receipts}
    largest = registry.largest_result()
    _refuse_too_large(largest, tables)
    if stores_trace and _size(tables) + len(trace or b"") > largest:
        # More than the database writes in one row (a 200,000-node-item year with its trace):
        # the run serves its trace on request instead, as with SCPLN_RUN_TRACE=on_request.
        logger.warning(
            "the cost trace (%s MB) is not stored with the run: with it, its tables are more "
            "than the database writes in one row (%s MB); it is built on request",
            f"{len(trace or b'') / 10**6:,.0f}",
            f"{largest / 10**6:,.0f}",
        )
        stores_trace = False
    stored = RunResult(
        schema_version=str(result.schema_version or "")[:32],
        psi=psi_data,
        pl=pl,
        trace=trace if stores_trace else None,
        receipts=None if receipts is None else stored_receipts,
        psi_rows=_rows(psi),
        pl_rows=_rows(result.pl),
        trace_rows=built[0].num_rows if stores_trace else None,
    )
    with transaction.atomic():
        registry.add(run=run, result=stored)
        run_recorded.send(sender=Run, run=run, registry=registry, result=result)
        transaction.on_commit(lambda: metrics.runs_total.labels(source=source).inc())
    return run


def _node_item_days(kpis: dict[str, Any]) -> int:
    """The run's size as its KPIs give it (0 where they do not: a run without a network)."""
    return int(kpis.get("node_items") or 0) * int(kpis.get("days") or 0)


def _size(tables: dict[str, bytes | None]) -> int:
    return sum(len(data) for data in tables.values() if data is not None)


def _refuse_too_large(largest: int, tables: dict[str, bytes | None]) -> None:
    """Refuse a run whose PSI, P&L and receipts tables are together more than the database
    writes in one row, naming the largest, before anything is written (the database would
    fail the insert itself, with no word of which run or table)."""
    size = _size(tables)
    if size <= largest:
        return
    name = max(tables, key=lambda table: len(tables[table] or b""))
    raise ValidationError(
        {
            name: _(
                "This run's tables are %(size)s MB once encoded (its %(table)s table "
                "%(table_size)s MB), more than the database stores for one run "
                "(%(largest)s MB): simulate fewer node-items or days per run."
            )
            % {
                "size": f"{size / 10**6:,.0f}",
                "table": name.upper() if name in ("psi", "pl") else name,
                "table_size": f"{len(tables[name] or b'') / 10**6:,.0f}",
                "largest": f"{largest / 10**6:,.0f}",
            }
        }
    )


def _rows(frame: pd.DataFrame | None) -> int:
    return 0 if frame is None else len(frame)


def _horizon_days(psi: pd.DataFrame | None) -> int | None:
    if psi is None or psi.empty or "day" not in psi.columns:
        return None
    return int(psi["day"].max()) + 1


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def json_safe(value: Any) -> Any:
    """KPIs as plain JSON: numpy scalars unwrapped, NaN/±inf as null."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return [json_safe(item) for item in list(value)]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat()
    return value
