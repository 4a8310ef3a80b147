"""With ``SCPLN_RUN_TRACE=on_request``, a run's cost trace is built on its first request
from the run's stored inputs, stored once, and served from storage afterwards; a run that no
longer reproduces gets a 409."""

from __future__ import annotations

import io
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from django.db import connection, transaction
from pandas.testing import assert_frame_equal

from jobs.models import Job
from jobs.tests.helpers import run_claimed
from plans.services import plan_create
from plans.services.inputs import scenario_config
from runs import archive
from runs.columnar import parquet_to_frame
from runs.models import Run, RunResult
from runs.registry import get_registry
from runs.selectors import run_table
from runs.services.traces import TraceUnavailable, run_trace
from runs.tests.factories import record_simulation
from scenarios.models import ConfigVersion, Scenario
from scpln.engine import psi

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def trace_on_request(settings):
    """Runs here are recorded without their trace (test_trace_stored.py: the default)."""
    settings.SCPLN_RUN_TRACE = "on_request"


@pytest.fixture
def planned(network) -> Run:
    """The run a planning job recorded (plan-driven: receipts and release rule stored)."""
    scenario = Scenario.objects.create(name="Trace plan", demand_scale=1.1)
    version = plan_create(name="Trace", base_scenario=scenario, config_version=network)
    job = run_claimed(version.jobs.get(type="planning").pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    return Run.objects.get(plan_version=version)


def _recorded(
    network, *, stochastic: bool = False, name: str = "Trace direct"
) -> tuple[Run, psi.SimulationResult]:
    scenario = Scenario.objects.create(name=name, demand_scale=0.9)
    config, overrides = scenario_config(config_version=network, scenario=scenario)
    result = psi.simulate(config, seed=20261205 if stochastic else None, stochastic=stochastic)
    return record_simulation(network, scenario, overrides, result), result


def _stored(run: Run) -> RunResult:
    return RunResult.objects.get(run=run)


def test_the_lazily_built_trace_is_the_engines_trace_row_for_row_and_is_built_once(network):
    run, result = _recorded(network, stochastic=True)
    assert _stored(run).trace is None and _stored(run).trace_rows is None

    trace = run_table(run=Run.objects.get(pk=run.pk), table="trace")

    assert len(trace) > 0
    assert_frame_equal(trace, result.trace, check_categorical=True)
    stored = _stored(run)
    assert stored.trace is not None and stored.trace_rows == len(trace)
    assert_frame_equal(parquet_to_frame(bytes(stored.trace)), result.trace)
    # A re-run could not reproduce the run any more; the second read does not re-run it.
    Run.objects.filter(pk=run.pk).update(engine_version="0.0.0-other")
    again = run_table(run=Run.objects.get(pk=run.pk), table="trace")
    assert_frame_equal(again, result.trace, check_categorical=True)


def test_a_plan_driven_runs_trace_over_the_api_json_and_csv(planned, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("trace-reader"))
    config, plan, _receipts = _inputs(planned)
    engine = psi.simulate(config, days=planned.horizon_days, plan=plan).trace

    page = client.get(f"/runs/{planned.run_id}/trace", {"page_size": 500})
    assert page.status_code == 200, page.content[:300]
    body = page.json()
    assert body["count"] == len(engine) == _stored(planned).trace_rows
    assert body["columns"] == list(engine.columns)
    first = engine.iloc[0]
    assert body["results"][0]["account"] == first["account"]
    assert body["results"][0]["amount"] == first["amount"]
    csv = client.get(f"/runs/{planned.run_id}/trace", {"format": "csv"})
    assert csv.status_code == 200
    downloaded = pd.read_csv(io.BytesIO(csv.content), keep_default_na=False)
    expected = engine.astype({c: str for c in ("node", "item", "arc", "account")})
    assert_frame_equal(downloaded, expected, check_dtype=False)


def _inputs(run: Run):
    from runs.services.reproduction import run_inputs

    return run_inputs(run)


def test_a_run_that_no_longer_reproduces_gets_409_naming_why_and_nothing_is_stored(
    network, client, django_user_model
):
    run, _result = _recorded(network)
    Run.objects.filter(pk=run.pk).update(engine_version="0.0.0-other")
    client.force_login(django_user_model.objects.create_user("trace-409"))

    for params in ({}, {"format": "csv"}):
        response = client.get(f"/runs/{run.run_id}/trace", params)
        assert response.status_code == 409
        assert response["Content-Type"].startswith("application/json")
        detail = response.json()["detail"]
        assert "0.0.0-other" in detail and str(run.run_id) in detail
    assert _stored(run).trace is None

    # Same engine, other KPIs (here: the recorded ones edited): refused too.
    Run.objects.filter(pk=run.pk).update(
        engine_version=psi.SimulationResult.engine_version,
        summary={**run.summary, "fill_rate": 0.123},
    )
    with pytest.raises(TraceUnavailable, match="fill_rate"):
        run_trace(run=Run.objects.get(pk=run.pk))
    assert _stored(run).trace is None


def test_a_trace_is_stored_once_whoever_stores_it_first(network):
    run, _result = _recorded(network)
    registry = get_registry()

    assert registry.store_trace(run, data=b"first", rows=1) is True
    assert registry.store_trace(run, data=b"second", rows=2) is False
    assert run_trace(run=run) == b"first" and _stored(run).trace_rows == 1


def test_the_memory_registry_builds_and_keeps_the_trace_too(network, memory_registry):
    run, result = _recorded(network)

    assert memory_registry.result_meta(run)["trace_rows"] is None
    assert_frame_equal(run_table(run=run, table="trace"), result.trace, check_categorical=True)
    assert memory_registry.store_trace(run, data=b"late", rows=1) is False
    assert memory_registry.result_meta(run)["trace_rows"] == len(result.trace)


def test_an_export_builds_the_trace_or_says_why_it_is_missing(network, tmp_path):
    kept, result = _recorded(network)
    stale, _other = _recorded(network, name="Trace stale")
    Run.objects.filter(pk=stale.pk).update(engine_version="0.0.0-other")

    export = archive.run_export(directory=tmp_path, run_ids=[kept.run_id, stale.run_id])

    assert export is not None
    lines = {
        line["run_id"]: line
        for line in map(json.loads, (export.path / "runs.jsonl").read_text().splitlines())
    }
    built = lines[str(kept.run_id)]
    assert "missing" not in built
    exported = parquet_to_frame((export.path / built["files"]["trace"]).read_bytes())
    assert_frame_equal(exported, result.trace, check_categorical=True)
    missing = lines[str(stale.run_id)]
    assert "trace" not in missing["files"] and set(missing["files"]) == {"psi", "pl"}
    assert "0.0.0-other" in missing["missing"]["trace"]


def test_other_inputs_or_a_config_that_no_longer_loads_are_refused_too(network):
    run, _result = _recorded(network)
    Run.objects.filter(pk=run.pk).update(input_hash="f" * 64)
    with pytest.raises(TraceUnavailable, match="input hash"):
        run_trace(run=Run.objects.get(pk=run.pk))

    ConfigVersion.objects.filter(pk=network.pk).update(document={"not": "a config"})
    with pytest.raises(TraceUnavailable, match="no longer load"):
        run_trace(run=Run.objects.get(pk=run.pk))
    assert _stored(run).trace is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_stores_store_the_trace_once(network):
    run, _result = _recorded(network)
    start = threading.Barrier(2)

    def store(n: int) -> bool:
        start.wait()
        try:
            with transaction.atomic():
                won = get_registry().store_trace(run, data=b"%d" % n, rows=n + 1)
                time.sleep(0.2)  # hold the write while the other tries its own
            return won
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:  # a thread's error is raised here
        won = list(pool.map(store, range(2)))

    assert sorted(won) == [False, True]
    winner = won.index(True)
    assert run_trace(run=run) == b"%d" % winner and _stored(run).trace_rows == winner + 1
