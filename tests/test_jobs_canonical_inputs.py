"""The inputs a planning job plans on, built from a canonical config (with the
scenario's overrides) or from an imported aggregate-planning input set, are
complete and consistent."""

from __future__ import annotations

import pytest

from plans.services import planning_input_set_import
from plans.services.inputs import planning_context
from scenarios.models import Scenario
from scenarios.services import config_import
from scpln.engine.planning import load_planning_inputs
from scpln.engine.tests.test_planning_inputs import assert_complete_and_consistent

pytestmark = [pytest.mark.django_db, pytest.mark.reference]

CONFIGS = ["mono_node_sample_2Mths", "multi_node_sample_3Mths", "multi_node_sample_6Mths"]


@pytest.fixture
def base(db) -> Scenario:
    return Scenario.objects.create(name="Base")


@pytest.mark.parametrize("name", CONFIGS)
def test_inputs_from_an_imported_reference_config(reference_dir, base, name):
    version, _ = config_import(document=(reference_dir / "canonical" / f"{name}.json").read_bytes())
    context = planning_context(config_version=version, scenario=base, input_set=None)

    assert_complete_and_consistent(context.inputs)
    assert context.inputs.origin == "config"
    # Every unit of demand is planned, or reported as demand no supply path reaches.
    inputs = context.inputs
    assert inputs.demand["demand"].sum() + inputs.unreachable["demand"].sum() == pytest.approx(
        sum(row.mean for row in context.config.demands)
    )
    calendar = context.inputs.calendar
    assert (calendar.end - calendar.start).days + 1 == version.horizon_days


def test_scenario_overrides_are_applied_before_planning(reference_dir, base):
    version, _ = config_import(
        document=(reference_dir / "canonical" / "multi_node_sample_3Mths.json").read_bytes()
    )
    busier = Scenario.objects.create(name="Demand +25%", demand_scale=1.25)
    plain = planning_context(config_version=version, scenario=base, input_set=None)
    scaled = planning_context(config_version=version, scenario=busier, input_set=None)

    assert_complete_and_consistent(scaled.inputs)
    assert scaled.inputs.demand["demand"].sum() == pytest.approx(
        1.25 * plain.inputs.demand["demand"].sum()
    )


def test_inputs_from_the_imported_reference_input_set_match_the_files(reference_dir, base):
    version, _ = config_import(
        document=(reference_dir / "canonical" / "mono_node_sample_2Mths.json").read_bytes()
    )
    input_set = planning_input_set_import(directory=reference_dir / "planning", name="reference")
    context = planning_context(config_version=version, scenario=base, input_set=input_set)
    direct = load_planning_inputs(reference_dir / "planning")

    assert_complete_and_consistent(context.inputs)
    assert context.inputs.origin == "files"
    assert context.inputs.skus == direct.skus == ["SKU1", "SKU2", "SKU3"]
    assert context.inputs.demand["demand"].sum() == pytest.approx(direct.demand["demand"].sum())
    assert context.inputs.calendar.week_codes == direct.calendar.week_codes
