"""Exceptions: what is wrong with a plan or a run, where, since when, and why.

Computed once, on plain data (a run's :class:`~scpln.engine.psi.record.KernelResult`, a
plan's :class:`~scpln.engine.planning.FinalPlan` and inputs), so the apps only store and
serve the rows. Every kind, its quantity, value and severity are defined in
``docs/planner-guide.md`` (*Exceptions*).
"""

from .plan import plan_exceptions
from .records import (
    KINDS,
    SEVERITIES,
    ExceptionRecord,
    Kind,
    Severity,
    Thresholds,
)
from .run import divergence_exceptions, run_exceptions
from .summary import RootCause, root_cause

__all__ = [
    "KINDS",
    "SEVERITIES",
    "ExceptionRecord",
    "Kind",
    "RootCause",
    "Severity",
    "Thresholds",
    "divergence_exceptions",
    "plan_exceptions",
    "root_cause",
    "run_exceptions",
]
