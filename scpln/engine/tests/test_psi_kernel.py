"""Kernel mechanics that only show on some networks: helper threads, mixed roles."""

from __future__ import annotations

import gc
import threading

import numpy as np
import pandas as pd
import pytest

from scpln.engine.canonical import load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.psi import NetworkBuilder, buffers, compile_network, simulate_network


@pytest.fixture(scope="module")
def network():
    document = generate_config(skus=5, stores=4, dcs=2, factories=1, days=90, seed=6)
    return compile_network(load_config(document))


def test_prefaulting_the_history_on_a_helper_thread_changes_no_number(
    network, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = simulate_network(network, stochastic=True, seed=3)
    monkeypatch.setattr(buffers, "_SMALL", 0)  # every array mapped ...
    monkeypatch.setattr(buffers, "_PREFAULT_FROM", 0)  # ... and touched ahead by the helper
    helped = simulate_network(network, stochastic=True, seed=3)
    pd.testing.assert_frame_equal(plain.psi, helped.psi)
    assert plain.kpis == helped.kpis


def test_a_cancelled_run_stops_its_helper_thread(network, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(buffers, "_SMALL", 0)
    monkeypatch.setattr(buffers, "_PREFAULT_FROM", 0)

    def cancel(done: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        simulate_network(network, progress=cancel)
    # gone when the run returns: a native thread alive at interpreter exit can abort it
    assert not [t for t in threading.enumerate() if t.name == "psi-prefault"]


def test_a_finished_run_leaves_no_helper_thread(network, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(buffers, "_SMALL", 0)
    monkeypatch.setattr(buffers, "_PREFAULT_FROM", 0)
    simulate_network(network)
    assert not [t for t in threading.enumerate() if t.name == "psi-prefault"]


def test_a_node_that_sells_and_supplies_books_revenue_on_customer_sales_only() -> None:
    b = NetworkBuilder(horizon_days=3)
    b.item("A", sales_price=10.0)
    b.node("DC", "warehouse")
    b.node("S", "store")
    b.arc("DC", "S", lead_time=0)
    b.stock("DC", "A", initial=100.0)
    b.stock("S", "A", order_up_to=5.0)
    b.demand("DC", "A", first_day=0, last_day=2, mean=2.0, model="deterministic")
    r = simulate_network(b.build())
    psi = r.psi
    dc = psi[psi["node"] == "DC"]
    # day 0: 5 shipped to the store plus 2 sold to customers
    assert dc["sales"].tolist() == [7.0, 2.0, 2.0]
    assert r.pl["revenue"].tolist() == [20.0, 20.0, 20.0]
    assert r.kpis["sales_total"] == 6.0
    assert np.allclose(r.raw.customer_sales_mixed.ravel(), [2.0, 2.0, 2.0])


def test_a_warm_workers_kept_tables_give_the_same_numbers_as_fresh_ones(
    network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buffers, "_SMALL", 0)  # every history array is a buffer of its own
    fresh = simulate_network(network, stochastic=True, seed=4)
    monkeypatch.setenv(buffers.KEEP_ARENAS_ENV, str(1 << 30))
    first = simulate_network(network, stochastic=True, seed=3)
    tables = sum(table.nbytes for table in first.raw.history.stored.values())
    assert buffers.kept_bytes() == 0  # the first run's tables are still in use
    del first
    gc.collect()
    kept = buffers.kept_bytes()
    assert kept >= tables  # its tables are kept, already faulted in ...
    again = simulate_network(network, stochastic=True, seed=4)
    assert buffers.kept_bytes() == kept - tables  # ... and taken by the next run,
    pd.testing.assert_frame_equal(again.psi, fresh.psi)  # which overwrites every number
    assert again.kpis == fresh.kpis
    del again
    gc.collect()
    monkeypatch.setenv(buffers.KEEP_ARENAS_ENV, "0")  # at 0 runs neither take nor keep tables
    simulate_network(network, stochastic=True, seed=5)
    assert buffers.kept_bytes() == kept
