"""By default (``SCPLN_RUN_TRACE=stored``) a run's cost trace is stored as the run is
recorded, so reading it never depends on the engine still reproducing the run."""

from __future__ import annotations

import pytest
from django.conf import settings
from pandas.testing import assert_frame_equal

from plans.services.inputs import scenario_config
from runs.columnar import parquet_to_frame
from runs.models import RunResult
from runs.services.traces import run_trace
from runs.tests.factories import record_simulation
from scenarios.models import Scenario
from scpln.engine import psi

pytestmark = pytest.mark.django_db


def test_a_run_recorded_by_default_stores_its_trace_and_reading_it_re_runs_nothing(
    network, monkeypatch
):
    assert settings.SCPLN_RUN_TRACE == "stored"
    scenario = Scenario.objects.create(name="Trace stored", demand_scale=0.9)
    config, overrides = scenario_config(config_version=network, scenario=scenario)
    result = psi.simulate(config)
    run = record_simulation(network, scenario, overrides, result)
    stored = RunResult.objects.get(run=run)
    assert stored.trace is not None
    assert stored.trace_rows == len(result.trace) > 0

    def no_rerun(**_kwargs):
        raise AssertionError("a stored trace is read, not rebuilt")

    monkeypatch.setattr("runs.services.traces.run_rerun", no_rerun)
    _assert_serves_the_trace(run, result)


def test_a_run_over_the_size_limit_is_recorded_without_building_its_trace(
    network, settings, monkeypatch
):
    """SCPLN_RUN_TRACE_STORED_UP_TO: a larger run never builds its trace while it is
    recorded; its first reader gets the same trace, built from the run's inputs."""
    scenario = Scenario.objects.create(name="Trace too large", demand_scale=0.9)
    config, overrides = scenario_config(config_version=network, scenario=scenario)
    result = psi.simulate(config)
    size = result.kpis["node_items"] * result.kpis["days"]

    settings.SCPLN_RUN_TRACE_STORED_UP_TO = size  # at the limit: stored
    at_limit = record_simulation(network, scenario, overrides, result)
    assert RunResult.objects.get(run=at_limit).trace_rows == len(result.trace)

    settings.SCPLN_RUN_TRACE_STORED_UP_TO = size - 1
    with monkeypatch.context() as patched:
        patched.setattr(
            type(result), "trace_table", lambda _self: pytest.fail("trace built at recording")
        )
        run = record_simulation(network, scenario, overrides, result)
    stored = RunResult.objects.get(run=run)
    assert stored.trace is None and stored.trace_rows is None
    _assert_serves_the_trace(run, result)


def _assert_serves_the_trace(run, result) -> None:
    data = run_trace(run=run)
    assert data is not None
    assert_frame_equal(
        parquet_to_frame(data).reset_index(drop=True),
        result.trace.reset_index(drop=True),
        check_dtype=False,
        check_categorical=False,
    )
