"""A run's cost trace, built on first request rather than while the run is recorded.

The trace is a run's largest table (14 million rows for a 10,000-SKU year): building,
encoding and storing it was most of the time a planning or recalculation job took to record
its run, for a table few runs are ever asked for. A run keeps everything its numbers depend
on (issue 10: :mod:`runs.services.reproduction`), so the first request re-runs the run from
those stored inputs, checks that the re-run gives the recorded KPIs on the same inputs and
engine, and stores the trace it returns; later requests read it from storage. A re-run that
does not reproduce the run (the engine changed since) builds nothing: the request is refused
(:class:`TraceUnavailable`, 409 in the API), never answered with another run's trace.
Runs recorded before this kept their stored trace and serve it as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import Conflict
from runs.columnar import frame_to_parquet
from runs.models import Run
from runs.registry import get_registry
from runs.services.reproduction import run_rerun
from scpln.engine.canonical import ConfigError

if TYPE_CHECKING:
    from scpln.engine.psi import SimulationResult


class TraceUnavailable(Conflict):
    """The run's trace was not stored and re-running the run does not reproduce it."""


def run_trace(*, run: Run) -> bytes | None:
    """The run's cost trace as Parquet bytes: the stored one, else built now from the run's
    inputs and stored (once, whoever asks at the same time); None when the run has no stored
    result. Raises :class:`TraceUnavailable` naming why a re-run is not the run."""
    registry = get_registry()
    data = registry.table(run, "trace")
    if data is not None or registry.result_meta(run) is None:
        return data
    table = _reproduced(run).trace_table()
    data = frame_to_parquet(table)
    if registry.stored_bytes(run) + len(data) > registry.largest_result():
        return data  # more than the database writes in one row: built for every reader
    if registry.store_trace(run, data=data, rows=table.num_rows):
        return data
    # Another request stored it first: serve that one, as every later request will.
    return registry.table(run, "trace")


def _reproduced(run: Run) -> SimulationResult:
    try:
        again = run_rerun(run=run)
    except (ConfigError, ValidationError) as exc:
        reason = _("its inputs no longer load (%(error)s)") % {"error": exc}
    else:
        if again.reproduced:
            return again.result
        if not again.same_engine:
            reason = _("it was recorded by engine %(recorded)s and this is engine %(current)s") % {
                "recorded": run.engine_version,
                "current": again.result.engine_version,
            }
        elif not again.same_inputs:
            reason = _("its stored inputs no longer give the recorded input hash")
        else:
            reason = _("re-running it does not give the recorded KPIs (%(kpis)s)") % {
                "kpis": ", ".join(list(again.kpi_differences)[:5])
            }
    raise TraceUnavailable(
        _("The cost trace of run %(run)s was not stored and cannot be rebuilt: %(reason)s.")
        % {"run": run.run_id, "reason": reason}
    )
