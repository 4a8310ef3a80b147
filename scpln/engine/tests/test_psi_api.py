"""What callers (the Django side, the CLI) rely on: schema, reproducibility, progress."""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from scpln.engine import ENGINE_VERSION
from scpln.engine.canonical import load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.psi import (
    PL_COLUMNS,
    PSI_COLUMNS,
    PSI_SCHEMA_VERSION,
    TRACE_COLUMNS,
    simulate,
)


@pytest.fixture(scope="module")
def config():
    return load_config(generate_config(skus=4, stores=3, dcs=2, factories=1, days=60, seed=4))


def test_outputs_follow_the_documented_schema(config) -> None:
    r = simulate(config)
    size = r.raw.network.size
    assert tuple(r.psi.columns) == PSI_COLUMNS
    assert len(r.psi) == 60 * size
    assert r.psi["day"].tolist() == np.repeat(np.arange(60), size).tolist()
    assert isinstance(r.psi["node"].dtype, pd.CategoricalDtype)
    assert all(r.psi[m].dtype == np.float32 for m in PSI_COLUMNS[3:])
    assert not r.psi.duplicated(["day", "node", "item"]).any()
    assert tuple(r.pl.columns) == PL_COLUMNS
    assert tuple(r.trace.columns) == TRACE_COLUMNS
    assert (r.schema_version, r.engine_version) == (PSI_SCHEMA_VERSION, ENGINE_VERSION)


def test_kpis_are_plain_json_under_their_documented_names(config) -> None:
    kpis = simulate(config).kpis
    assert json.loads(json.dumps(kpis)) == kpis
    for name in ("fill_rate", "cycle_service_level", "avg_on_hand", "avg_backlog", "profit_total"):
        assert isinstance(kpis[name], float)
    assert set(kpis["avg_on_hand_by_type"]) == {"store", "warehouse", "factory", "supplier"}
    assert kpis["profit_total"] == pytest.approx(kpis["revenue_total"] - kpis["cost_total"])


def test_same_input_and_seed_give_identical_results_and_hash(config) -> None:
    one = simulate(config, stochastic=True, seed=42)
    two = simulate(config, stochastic=True, seed=42)
    other = simulate(config, stochastic=True, seed=43)
    pd.testing.assert_frame_equal(one.psi, two.psi)
    pd.testing.assert_frame_equal(one.pl, two.pl)
    assert one.kpis == two.kpis
    assert one.input_hash == two.input_hash != other.input_hash
    assert not one.psi["demand"].equals(other.psi["demand"])


def test_reordering_arc_and_bom_rows_keeps_the_results_and_the_hash(config) -> None:
    # Defect 6: row order carries no meaning in a config, so it must not change the hash.
    document = config.to_dict()
    assert len(document["arcs"]) > 1 and len(document["bom"]) > 1
    shuffled = copy.deepcopy(document)
    shuffled["arcs"].reverse()
    shuffled["bom"].reverse()
    a, b = simulate(config), simulate(load_config(shuffled))
    pd.testing.assert_frame_equal(a.psi, b.psi)
    assert a.kpis["profit_total"] == pytest.approx(b.kpis["profit_total"], rel=1e-12)
    assert a.input_hash == b.input_hash
    # A real change still changes it.
    shuffled["arcs"][0]["lead_time_days"] += 1
    assert simulate(load_config(shuffled)).input_hash != a.input_hash


def test_deterministic_runs_ignore_the_seed_and_differ_from_stochastic_ones(config) -> None:
    a, b = simulate(config, seed=1), simulate(config, seed=2)
    assert a.input_hash == b.input_hash
    assert a.kpis == b.kpis
    assert simulate(config, stochastic=True, seed=1).input_hash != a.input_hash
    assert simulate(config, days=30).input_hash != a.input_hash


def test_a_stochastic_run_without_seed_reports_the_seed_that_reproduces_it(config) -> None:
    first = simulate(config, stochastic=True)
    assert isinstance(first.seed, int)
    again = simulate(config, stochastic=True, seed=first.seed)
    assert first.kpis == again.kpis


def test_concurrent_runs_do_not_interfere(config) -> None:
    seeds = [1, 2, 3, 1, 2, 3]
    alone = {s: simulate(config, stochastic=True, seed=s).kpis for s in set(seeds)}
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda s: simulate(config, stochastic=True, seed=s).kpis, seeds))
    assert together == [alone[s] for s in seeds]


def test_progress_is_reported_and_an_exception_from_it_cancels_the_run(config) -> None:
    seen: list[float] = []
    simulate(config, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 10

    class Cancelled(Exception):
        pass

    def cancel_at_half(done: float) -> None:
        if done >= 0.45:
            raise Cancelled

    with pytest.raises(Cancelled):
        simulate(config, progress=cancel_at_half)


def test_days_overrides_the_horizon_and_buckets_keep_their_calendar_days(config) -> None:
    r = simulate(config, days=100)
    assert r.days == 100
    assert r.psi["day"].max() == 99
    stores = r.psi[r.psi["node"].str.startswith("STORE")]
    by_day = stores.groupby("day")["demand"].sum()
    # The 60-day config's buckets are M1 … M3; March (days 59 … 89) is simulated whole
    # once the run is long enough, and nothing is demanded after it.
    assert by_day.loc[59:89].gt(0).all()
    assert by_day.loc[90:].sum() == 0.0
