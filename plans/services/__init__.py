"""Writes to plans: creation, generation (the planning job), run aggregation, input sets."""

from plans.services.aggregation import plan_aggregation_create, plan_aggregation_validate
from plans.services.creation import (
    PlanRequest,
    plan_create,
    plan_validate_request,
    plan_version_execute_again,
    scenario_validate_runnable,
)
from plans.services.input_sets import planning_input_set_import
from plans.services.lifecycle import (
    plan_version_note_add,
    plan_version_transition,
    plan_version_transitions,
)

__all__ = [
    "PlanRequest",
    "plan_aggregation_create",
    "plan_aggregation_validate",
    "plan_create",
    "plan_validate_request",
    "plan_version_execute_again",
    "plan_version_note_add",
    "plan_version_transition",
    "plan_version_transitions",
    "planning_input_set_import",
    "scenario_validate_runnable",
]
