"""A run's tables go into one database row, and a database writes rows of limited size
(SQLite a billion bytes; PostgreSQL one GB per message): a 200,000-node-item year's result
with its cost trace is over it. Such a run is still recorded, its trace then built on
request for every reader; a run whose other tables alone are over it is refused by name
before anything is written — never a failed insert with the database's own words."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from pandas.testing import assert_frame_equal

from plans.services.inputs import scenario_config
from runs.columnar import frame_to_parquet, parquet_to_frame
from runs.models import Run, RunResult
from runs.registry import get_registry
from runs.services.traces import run_trace
from runs.tests.factories import record_simulation
from scenarios.models import Scenario
from scpln.engine import psi
from scpln.engine.canonical import ScenarioOverrides

pytestmark = pytest.mark.django_db


@pytest.fixture
def row_limit() -> Iterator[Callable[[int], None]]:
    """Lower SQLite's own limit (SQLITE_LIMIT_LENGTH, which bounds a row as one value) on the
    test's connection: the database then refuses a larger row as it refuses a 1 GB one."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's 1 GB cannot be lowered for one connection")
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)
    yield lambda limit: raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, before)


def _simulated(network) -> tuple[Scenario, ScenarioOverrides, psi.SimulationResult]:
    scenario = Scenario.objects.create(name="Large tables", demand_scale=1.0)
    config, overrides = scenario_config(config_version=network, scenario=scenario)
    return scenario, overrides, psi.simulate(config)


def _bytes(frame) -> int:
    return len(frame_to_parquet(frame))


def test_a_run_over_the_row_limit_with_its_trace_is_kept_and_its_trace_built_on_request(
    network, row_limit, settings
):
    settings.SCPLN_RUN_TRACE = "stored"
    scenario, overrides, result = _simulated(network)
    tables = _bytes(result.psi) + _bytes(result.pl)
    trace = _bytes(result.trace_table())
    row_limit(tables + trace // 2)  # the run's row fits without its trace, not with it

    run = record_simulation(network, scenario, overrides, result)

    stored = RunResult.objects.get(run=run)
    assert stored.trace is None and stored.trace_rows is None
    assert stored.psi_rows == len(result.psi)
    assert get_registry().stored_bytes(run) == len(stored.psi) + len(stored.pl)
    data = run_trace(run=Run.objects.get(pk=run.pk))
    assert data is not None
    assert_frame_equal(parquet_to_frame(data), result.trace)
    assert RunResult.objects.get(run=run).trace is None  # still too large: built each time

    row_limit(10**9)
    assert run_trace(run=Run.objects.get(pk=run.pk)) == data
    assert RunResult.objects.get(run=run).trace_rows == len(result.trace)  # now it fits


def test_a_run_whose_tables_are_over_the_row_limit_is_refused_by_name_and_nothing_written(
    network, row_limit
):
    scenario, overrides, result = _simulated(network)
    row_limit(_bytes(result.psi) + _bytes(result.pl) - 1)

    with pytest.raises(ValidationError) as refused:
        record_simulation(network, scenario, overrides, result)

    assert set(refused.value.message_dict) == {"psi"}  # the largest of them
    assert "more than the database stores for one run" in refused.value.messages[0]
    assert not Run.objects.exists()


def test_the_stored_bytes_are_the_run_tables_lengths(network, settings):
    settings.SCPLN_RUN_TRACE = "stored"
    scenario, overrides, result = _simulated(network)

    run = record_simulation(network, scenario, overrides, result)

    stored = RunResult.objects.get(run=run)
    assert get_registry().stored_bytes(run) == sum(
        len(data) for data in (stored.psi, stored.pl, stored.trace) if data is not None
    )
    assert get_registry().largest_result() >= 10**9 - 1
