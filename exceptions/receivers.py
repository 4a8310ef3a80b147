"""Receivers of the plans' and runs' signals: each hands over to one service.

Both signals are sent inside the transaction that stores the plan or the run, so the
exceptions commit or roll back with them.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from exceptions.services import exceptions_record_plan, exceptions_record_run
from plans.signals import plan_version_finalised
from runs.signals import run_recorded


@receiver(run_recorded, dispatch_uid="exceptions.record_run")
def record_run(sender: Any, *, run: Any, result: Any = None, **kwargs: Any) -> None:
    raw = getattr(result, "raw", None)
    if raw is not None:  # a result without the engine's arrays (a stub) has none to find
        exceptions_record_run(run=run, raw=raw)


@receiver(plan_version_finalised, dispatch_uid="exceptions.record_plan")
def record_plan(
    sender: Any,
    *,
    plan_version: Any,
    final: Any,
    inputs: Any,
    reconciliation: Any = None,
    **kwargs: Any,
) -> None:
    exceptions_record_plan(
        plan_version=plan_version, final=final, inputs=inputs, reconciliation=reconciliation
    )
