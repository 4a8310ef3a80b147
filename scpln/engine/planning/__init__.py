"""The planning pipeline: aggregate → allocate → mrp → reconcile → plan_final.

Pure, in-process, vectorized; see ``docs/planning.md`` for every stage's inputs, outputs,
parameters and conventions.
"""

from .aggregate import AggregatePlan, run_aggregate
from .allocate import Allocation, run_allocate
from .calendar import PlanningCalendar, derive_calendar
from .from_config import planning_inputs_from_config
from .generator import generate_planning_inputs
from .inputs import PlanningInputError, PlanningInputs, validate_planning_inputs
from .loading import load_planning_inputs
from .mrp import MrpPlan, run_mrp
from .parameters import (
    AnchorPolicy,
    Carryover,
    LeadTimeUnit,
    PlanParameters,
    ReleaseRule,
    Rounding,
    default_parameters,
    execution_parameters,
    parse_parameters,
    plan_execution,
    run_constraints,
    run_days,
    validate_parameters,
)
from .pipeline import STAGES, PlanParametersError, PlanResult, Stage, StageEvent, run_pipeline
from .plan_final import FinalPlan, run_plan_final
from .receipts import run_receipts
from .reconcile import Reconciliation, run_reconcile

__all__ = [
    "STAGES",
    "AggregatePlan",
    "Allocation",
    "AnchorPolicy",
    "Carryover",
    "FinalPlan",
    "LeadTimeUnit",
    "MrpPlan",
    "PlanParameters",
    "PlanParametersError",
    "PlanResult",
    "PlanningCalendar",
    "PlanningInputError",
    "PlanningInputs",
    "Reconciliation",
    "ReleaseRule",
    "Rounding",
    "Stage",
    "StageEvent",
    "default_parameters",
    "derive_calendar",
    "execution_parameters",
    "generate_planning_inputs",
    "load_planning_inputs",
    "parse_parameters",
    "plan_execution",
    "planning_inputs_from_config",
    "run_aggregate",
    "run_allocate",
    "run_constraints",
    "run_days",
    "run_mrp",
    "run_pipeline",
    "run_plan_final",
    "run_receipts",
    "run_reconcile",
    "validate_parameters",
    "validate_planning_inputs",
]
