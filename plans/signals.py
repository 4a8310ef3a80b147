"""The plan-generation signal, for apps above ``plans`` that derive data from a plan.

``plan_version_finalised`` is sent by the planning job (``plans/services/generation.py``)
and the workbench's recalculation (``plans/workbench/recalculation.py``) inside the
transaction that stores the final plan, with ``plan_version`` (the PlanVersion),
``final`` (the engine's ``FinalPlan``), ``inputs`` (the ``PlanningInputs`` it was made
from) and ``reconciliation`` (the reconcile stage's ``Reconciliation``: its weekly
capacity table). The ``exceptions`` app records the plan's
exceptions from it, so they commit (or roll back) with the plan itself.
"""

from __future__ import annotations

from django.dispatch import Signal

plan_version_finalised = Signal()
