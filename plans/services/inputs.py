"""Assembling what the planning engine reads for a plan version.

The same assembly serves the preflight (before a job is queued) and the job
itself, so a request that passes validation is planned on exactly the inputs
that were validated.

Deriving them costs seconds for a 10,000-SKU network (decoding and validating
the config, then the planning inputs), and they depend only on things that do
not change: a config version's document is frozen at import, an input set's
files at theirs. So the last few are kept in this process
(:data:`CONTEXTS`), keyed by what they are made of (:func:`_context_key`): a
plan's creation, its planning job, each recalculation and the grid's first
page of the same plan derive them once.
"""

from __future__ import annotations

import json
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from plans.models import PlanningInputSet
from scenarios.models import ConfigVersion, Scenario
from scpln.engine import ENGINE_VERSION, canonical, psi
from scpln.engine import planning as engine_planning
from scpln.engine.canonical import CanonicalConfig, ConfigError, Problem


@dataclass(frozen=True)
class PlanningContext:
    """A config with the scenario's overrides applied, and the planning inputs built on it."""

    config: CanonicalConfig
    overrides: canonical.ScenarioOverrides
    inputs: engine_planning.PlanningInputs
    _networks: dict[int | None, psi.Network] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def network(self, days: int | None) -> psi.Network:
        """The config compiled for a run of ``days`` days (None: its horizon), compiled once:
        half a second for a 10,000-SKU network, which each recalculation's run would pay again
        (15 MB kept; the simulation reads it and changes nothing in it)."""
        network = self._networks.get(days)
        if network is None:
            network = self._networks[days] = psi.compile_network(self.config, days=days)
        return network


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


# How many derived contexts this process keeps (a 10,000-SKU network's: some 150 MB).
CONTEXTS = 2
_contexts: dict[tuple[Any, ...], PlanningContext] = {}  # oldest first
_contexts_lock = threading.Lock()


def planning_context(
    *,
    config_version: ConfigVersion,
    scenario: Scenario,
    input_set: PlanningInputSet | None,
    fresh: bool = False,
) -> PlanningContext:
    """Everything the pipeline needs for one plan version, validated; the same object for
    the same key while it is among the last :data:`CONTEXTS` (callers never change it: its
    config is frozen dataclasses, its tables are read, and derived with copy-on-write).
    What does not validate raises every time (nothing is kept). ``fresh`` derives it again,
    neither reading nor replacing the kept one (what a fresh worker pays)."""
    if fresh:
        return _derived_context(config_version, scenario, input_set)
    key = _context_key(config_version, scenario, input_set)
    with _contexts_lock:
        context = _contexts.pop(key, None)
        if context is not None:
            _contexts[key] = context  # now the most recent
            return context
    context = _derived_context(config_version, scenario, input_set)
    with _contexts_lock:
        _contexts[key] = context
        while len(_contexts) > CONTEXTS:
            del _contexts[next(iter(_contexts))]
    return context


def _context_key(
    config_version: ConfigVersion, scenario: Scenario, input_set: PlanningInputSet | None
) -> tuple[Any, ...]:
    """What a context is made of. A config version or input set is named by its id, content
    hash and creation time (an id that comes back after a rolled-back or deleted row comes
    with another time); the scenario by its overrides as they are now (a scenario can be
    edited); the engine by its version."""
    files = (
        None
        if input_set is None
        else (input_set.pk, input_set.content_hash, input_set.created_at.isoformat())
    )
    return (
        ENGINE_VERSION,
        config_version.pk,
        config_version.content_hash,
        config_version.created_at.isoformat(),
        json.dumps(scenario.overrides(), sort_keys=True, default=str),
        files,
    )


def _derived_context(
    config_version: ConfigVersion, scenario: Scenario, input_set: PlanningInputSet | None
) -> PlanningContext:
    config, overrides = scenario_config(config_version=config_version, scenario=scenario)
    if input_set is not None:
        inputs = input_set_inputs(input_set)
    else:
        try:
            inputs = engine_planning.planning_inputs_from_config(config)
        except engine_planning.PlanningInputError as exc:
            raise ValidationError({"config_version": _messages(exc.problems)}) from None
    return PlanningContext(config=config, overrides=overrides, inputs=inputs)
