"""Plan parameters: one declaration in the engine; the form, the API and create_plan agree."""

from __future__ import annotations

import argparse
import io

import pytest
from django.core.management import CommandError, call_command

from plans.api.serializers import PlanParametersSerializer
from plans.forms import PlanParametersForm
from plans.models import PlanVersion
from plans.parameters import add_arguments
from scpln.engine.planning.parameters import parameter_specs

pytestmark = pytest.mark.django_db


def _command_options() -> set[str]:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return {action.dest for action in parser._actions if action.dest != "help"}


def test_every_interface_offers_exactly_the_engines_parameters():
    declared = set(parameter_specs())
    assert set(PlanParametersForm().fields) == declared
    assert set(PlanParametersSerializer().fields) == declared
    assert _command_options() == declared


@pytest.mark.parametrize(
    ("name", "bad", "good"),
    [
        ("carryover_split", 1.5, 0.5),
        ("recon_window_days", -7, 21),
        ("anchor_policy", "det_near", "blend"),
        ("tolerance_abs", -1.0, 0.01),
        ("release_rule", "weekly", "daily"),
        ("material_constrained", "maybe", "false"),
    ],
)
def test_each_interface_refuses_the_same_bad_value_naming_the_parameter(name, bad, good):
    form = PlanParametersForm({name: bad})
    assert not form.is_valid() and name in form.errors
    assert PlanParametersForm({name: good}).is_valid()

    serializer = PlanParametersSerializer(data={name: bad})
    assert not serializer.is_valid() and name in serializer.errors
    assert PlanParametersSerializer(data={name: good}).is_valid()


def test_create_plan_takes_every_parameter_the_api_takes(network, base_scenario):
    out = io.StringIO()
    call_command(
        "create_plan",
        "--scenario",
        "Base",
        "--config",
        str(network.pk),
        "--carryover-split",
        "0.25",
        "--tolerance-abs",
        "0.01",
        "--anchor-policy",
        "blend",
        "--capacity-constrained",
        "off",
        stdout=out,
    )
    version = PlanVersion.objects.get()
    assert version.parameters["carryover_split"] == 0.25
    assert version.parameters["tolerance_abs"] == 0.01
    assert version.parameters["anchor_policy"] == "blend"
    assert version.parameters["capacity_constrained"] is False


def test_create_plan_refuses_a_bad_parameter_naming_it(network, base_scenario):
    with pytest.raises(CommandError, match="carryover_split"):
        call_command(
            "create_plan",
            "--scenario",
            "Base",
            "--config",
            str(network.pk),
            "--carryover-split",
            "1.5",
            stdout=io.StringIO(),
        )
    assert not PlanVersion.objects.exists()
