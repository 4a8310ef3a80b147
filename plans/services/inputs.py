"""Assembling what the planning engine reads for a plan version.

The same assembly serves the preflight (before a job is queued) and the job
itself, so a request that passes validation is planned on exactly the inputs
that were validated.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from plans.models import PlanningInputSet
from scenarios.models import ConfigVersion, Scenario
from scpln.engine import canonical
from scpln.engine import planning as engine_planning
from scpln.engine.canonical import CanonicalConfig, ConfigError, Problem


@dataclass(frozen=True)
class PlanningContext:
    """A config with the scenario's overrides applied, and the planning inputs built on it."""

    config: CanonicalConfig
    overrides: canonical.ScenarioOverrides
    inputs: engine_planning.PlanningInputs


def _messages(problems: list[Problem] | tuple[Problem, ...]) -> list[str]:
    return [str(problem) for problem in problems]


def scenario_config(
    *, config_version: ConfigVersion, scenario: Scenario
) -> tuple[CanonicalConfig, canonical.ScenarioOverrides]:
    """The config version's network with the scenario's overrides applied.

    Raises ValidationError keyed ``config_version`` when the stored document
    no longer validates (the engine's rules may have grown stricter since the
    import) and ``base_scenario`` when the overrides do not fit this config.
    """
    config, report = canonical.read_checked_config(config_version.document)
    if report.problems or config is None:
        raise ValidationError({"config_version": _messages(report.problems)})
    try:
        overrides = canonical.ScenarioOverrides.from_dict(scenario.overrides())
    except ConfigError as exc:
        raise ValidationError({"base_scenario": _messages(exc.problems)}) from None
    problems = canonical.validate_overrides(overrides, config)
    if problems:
        raise ValidationError({"base_scenario": _messages(problems)})
    return canonical.apply_overrides(config, overrides), overrides


def input_set_inputs(input_set: PlanningInputSet) -> engine_planning.PlanningInputs:
    """Read a stored input set back through the engine's file loader."""
    with tempfile.TemporaryDirectory(prefix="scpln-inputs-") as folder:
        for name, text in input_set.files.items():
            (Path(folder) / Path(name).name).write_text(text, encoding="utf-8")
        try:
            return engine_planning.load_planning_inputs(folder)
        except engine_planning.PlanningInputError as exc:
            raise ValidationError({"input_set": _messages(exc.problems)}) from None


def planning_context(
    *,
    config_version: ConfigVersion,
    scenario: Scenario,
    input_set: PlanningInputSet | None,
) -> PlanningContext:
    """Everything the pipeline needs for one plan version, validated."""
    config, overrides = scenario_config(config_version=config_version, scenario=scenario)
    if input_set is not None:
        inputs = input_set_inputs(input_set)
    else:
        try:
            inputs = engine_planning.planning_inputs_from_config(config)
        except engine_planning.PlanningInputError as exc:
            raise ValidationError({"config_version": _messages(exc.problems)}) from None
    return PlanningContext(config=config, overrides=overrides, inputs=inputs)
