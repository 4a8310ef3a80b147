"""The inputs a plan version is planned on are derived once for what they are made of (a
plan's creation, its planning job, its recalculations) and never served stale or changed."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from jobs import runner
from jobs.models import Job
from plans.models import PlanArtifact
from plans.services import plan_create
from plans.services.artifacts import artifact_frame
from plans.services.inputs import CONTEXTS, planning_context
from plans.tests.conftest import run_planning_job
from plans.workbench.services import workbench_edit, workbench_recalculate
from runs.models import Run
from scenarios.models import ConfigVersion, Scenario
from scenarios.services import config_import
from scpln.engine.canonical.generator import NetworkShape, generate_config
from scpln.engine.psi import compile_network
from scpln.engine.psi.api import network_digest

pytestmark = pytest.mark.django_db


def test_a_config_scenario_and_input_set_are_derived_once(network, base_scenario):
    first = planning_context(config_version=network, scenario=base_scenario, input_set=None)
    again = planning_context(
        config_version=ConfigVersion.objects.get(pk=network.pk),
        scenario=Scenario.objects.get(pk=base_scenario.pk),
        input_set=None,
    )

    assert again is first


def test_an_edited_scenario_is_planned_with_its_new_overrides(network, base_scenario):
    before = planning_context(config_version=network, scenario=base_scenario, input_set=None)
    base_scenario.demand_scale = 2.0
    base_scenario.save()
    after = planning_context(config_version=network, scenario=base_scenario, input_set=None)

    assert after.overrides.demand_scale == 2.0
    assert after.inputs.demand["demand"].sum() == pytest.approx(
        2 * before.inputs.demand["demand"].sum()
    )


def test_another_config_version_gets_its_own_inputs(network, base_scenario):
    other, _ = config_import(
        document=generate_config(
            **NetworkShape(skus=3, stores=1, dcs=1, factories=1, materials=0, days=60, seed=5)
        ),
        name="other network",
    )
    mine = planning_context(config_version=network, scenario=base_scenario, input_set=None)
    theirs = planning_context(config_version=other, scenario=base_scenario, input_set=None)

    assert theirs.inputs.skus != mine.inputs.skus
    assert theirs.config.horizon_days == other.horizon_days == 60


def test_only_the_last_few_contexts_are_kept(network):
    scenarios = [
        Scenario.objects.create(name=f"demand x{1 + i / 10}", demand_scale=1 + i / 10)
        for i in range(CONTEXTS + 1)
    ]
    oldest = planning_context(config_version=network, scenario=scenarios[0], input_set=None)
    newest = [
        planning_context(config_version=network, scenario=s, input_set=None) for s in scenarios[1:]
    ]

    assert (
        planning_context(config_version=network, scenario=scenarios[-1], input_set=None)
        is (newest[-1])
    )
    derived_again = planning_context(config_version=network, scenario=scenarios[0], input_set=None)
    assert derived_again is not oldest
    assert_same_context(derived_again, oldest)


def test_planning_and_recalculating_leave_the_kept_inputs_as_derived(network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    assert run_planning_job(version).status == Job.Status.SUCCEEDED
    sku_week = artifact_frame(PlanArtifact.objects.get(plan_version=version, name="sku_week"))
    sku, week = str(sku_week["sku"].iloc[0]), str(sku_week["week"].iloc[2])
    draft = workbench_edit(
        version=version,
        revision=0,
        edits=[
            {"key": f"sku:{sku}", "measure": measure, "period": week, "value": value}
            for measure, value in (("demand", 70), ("production", 90), ("target_stock", 500))
        ],
    ).version
    kept = planning_context(config_version=network, scenario=base_scenario, input_set=None)
    finished = runner.run(workbench_recalculate(version=draft).pk)
    assert finished is not None and finished.status == Job.Status.SUCCEEDED, finished

    # Still the one kept, and still what the config gives.
    assert planning_context(config_version=network, scenario=base_scenario, input_set=None) is kept
    fresh = planning_context(
        config_version=network, scenario=base_scenario, input_set=None, fresh=True
    )
    assert fresh is not kept
    assert_same_context(kept, fresh)
    # The network its runs simulated (compiled once, kept with it) is still what the config
    # compiles to: nothing a run did changed it.
    run_days = Run.objects.get(job=finished).horizon_days
    assert list(kept._networks) == [run_days]
    assert kept.network(run_days) is kept.network(run_days)
    assert network_digest(kept.network(run_days)) == network_digest(
        compile_network(fresh.config, days=run_days)
    )


def assert_same_context(got, expected) -> None:
    assert got.config == expected.config
    assert got.overrides == expected.overrides
    _assert_same(got.inputs, expected.inputs, "inputs")


def _assert_same(got, expected, path: str) -> None:
    """Equal all the way down: tables cell by cell, dataclasses field by field."""
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected, obj=path)
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected, obj=path)
    elif dataclasses.is_dataclass(expected):
        for field in dataclasses.fields(expected):
            name = f"{path}.{field.name}"
            _assert_same(getattr(got, field.name), getattr(expected, field.name), name)
    elif isinstance(expected, dict):
        assert got.keys() == expected.keys(), path
        for key, value in expected.items():
            _assert_same(got[key], value, f"{path}[{key!r}]")
    else:
        assert got == expected, path
