"""Stock balances, non-negativity and conservation of units on every kind of network.

For every node-item and day (``on_hand(−1)`` is the opening stock):

    on_hand(t) = on_hand(t−1) + receipts(t) + production(t) − sales(t) − consumption(t)

where ``sales`` is everything shipped out (to customers and to downstream nodes). Per
item, network-wide, units only enter by production (released at factories, or made on
request by unlimited suppliers) and only leave by consumption in production and by
sales to customers:

    Δ Σ (on_hand + in_transit) = released + external supply − consumption − customer sales
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scpln.engine.canonical import load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.psi import METRICS, NetworkBuilder, SimulationResult, simulate, simulate_network
from scpln.engine.psi.network import MODE_PRODUCE, MODE_UNLIMITED


def history(result: SimulationResult, metric: str) -> np.ndarray:
    return result.raw.history[metric].astype(np.float64)


def close(a: np.ndarray, b: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Equal up to float32 rounding of the recorded values."""
    return np.abs(a - b) <= 1e-5 * (1.0 + scale)


def check_invariants(result: SimulationResult) -> None:
    net, raw = result.raw.network, result.raw
    h = {m: history(result, m) for m in METRICS}
    for metric, values in h.items():
        assert values.min(initial=0.0) >= -1e-6, f"{metric} went negative"
    before = np.vstack([net.initial[None, :], h["on_hand"][:-1]])
    inflow = h["receipts"] + h["production"]
    outflow = h["sales"] + h["consumption"]
    balance = close(h["on_hand"], before + inflow - outflow, before + inflow + outflow)
    bad = np.argwhere(~balance)
    assert len(bad) == 0, f"on-hand balance broken at (day, node-item) {bad[:5].tolist()}"

    customer_sales = np.zeros_like(h["sales"])
    customer_sales[:, net.demand.ni] = h["sales"][:, net.demand.ni]
    if len(raw.mixed_cols):
        customer_sales[:, net.demand.ni[raw.mixed_cols]] = raw.customer_sales_mixed
    made = np.where(net.mode == MODE_PRODUCE, h["orders"], 0.0)
    made += np.where(net.mode == MODE_UNLIMITED, h["production"], 0.0)
    stock = h["on_hand"] + h["in_transit"]
    stock_before = np.vstack([net.initial[None, :], stock[:-1]])
    items = len(net.item_codes)

    def per_item(values: np.ndarray) -> np.ndarray:
        flat = (np.arange(len(values))[:, None] * items + net.ni_item[None, :]).ravel()
        return np.bincount(flat, values.ravel(), minlength=len(values) * items).reshape(-1, items)

    change = per_item(stock - stock_before)
    expected = per_item(made - h["consumption"] - customer_sales)
    scale = per_item(stock + stock_before)
    ok = close(change, expected, scale)
    assert ok.all(), f"units not conserved at (day, item) {np.argwhere(~ok)[:5].tolist()}"

    demand = h["demand"][:, net.demand.ni].sum()
    assert result.kpis["demand_total"] == pytest.approx(demand, rel=1e-6, abs=1e-6)
    check_trace_reconciles(result)


def check_trace_reconciles(result: SimulationResult) -> None:
    trace, pl = result.trace, result.pl
    totals = trace.pivot_table(
        index="day", columns="account", values="amount", aggfunc="sum", observed=False
    )
    for account in totals.columns:
        by_day = totals[account].reindex(pl["day"], fill_value=0.0).fillna(0.0).to_numpy()
        assert np.allclose(by_day, pl[account].to_numpy(), rtol=1e-12, atol=1e-9), account
    costs = trace.loc[trace["account"] != "revenue", "amount"].sum()
    assert costs == pytest.approx(pl["total_cost"].sum(), rel=1e-12)
    revenue = trace.loc[trace["account"] == "revenue", "amount"].sum()
    assert revenue - costs == pytest.approx(result.kpis["profit_total"], rel=1e-9, abs=1e-6)


REFERENCE_FILES = (
    "mono_node_sample_2Mths.json",
    "multi_node_sample_3Mths.json",
    "multi_node_sample_6Mths.json",
)


@pytest.mark.reference
@pytest.mark.parametrize("name", REFERENCE_FILES)
@pytest.mark.parametrize("stochastic", [False, True])
def test_reference_configs_keep_every_invariant(
    reference_dir: Path, name: str, stochastic: bool
) -> None:
    result = simulate(
        load_config(reference_dir / "canonical" / name), stochastic=stochastic, seed=1
    )
    assert len(result.psi) == result.days * result.raw.network.size
    check_invariants(result)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_networks_keep_every_invariant(seed: int) -> None:
    document = generate_config(skus=6, stores=4, dcs=2, factories=2, days=120, seed=seed)
    result = simulate(load_config(document), stochastic=seed != 2, seed=seed)
    assert result.kpis["sales_total"] > 0
    check_invariants(result)


@st.composite
def random_networks(draw: st.DrawFn) -> NetworkBuilder:
    """Supplier → factory (BOM) → 1–2 DCs → 1–3 stores, with random policies."""
    days = 40
    b = NetworkBuilder(horizon_days=days)
    lead = st.integers(0, 3)
    level = st.floats(0.0, 60.0)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "C")
    b.node("F", "factory")
    hard = draw(st.booleans())
    b.factory("F", capacity=draw(st.floats(1.0, 40.0)), hard_capacity=hard)
    b.produce("F", "A", lead_time=draw(lead))
    b.bom("A", "C", quantity=draw(st.floats(0.5, 3.0)), scrap=draw(st.floats(0.0, 0.3)))
    b.arc("SUP", "F", lead_time=draw(lead))
    b.stock("F", "C", initial=draw(level), order_up_to=draw(level))
    b.stock("F", "A", initial=draw(level), order_up_to=draw(level))
    dcs = [f"DC{i}" for i in range(draw(st.integers(1, 2)))]
    for dc in dcs:
        b.node(dc, "warehouse", review_period=draw(st.integers(1, 3)))
        b.arc(
            "F",
            dc,
            lead_time=draw(lead),
            capacity=draw(st.floats(5.0, 80.0)),
            hard_capacity=draw(st.booleans()),
        )
        b.stock(
            dc,
            "A",
            initial=draw(level),
            reorder_point=draw(level) / 2,
            order_up_to=draw(level),
            moq=draw(st.sampled_from([0.0, 5.0])),
        )
    for s in range(draw(st.integers(1, 3))):
        store = f"S{s}"
        b.node(store, "store", lost_sales=draw(st.booleans()))
        for dc in dcs:
            b.arc(
                dc, store, lead_time=draw(lead), multiple={"A": draw(st.sampled_from([0.0, 3.0]))}
            )
        b.stock(store, "A", initial=draw(level))  # service-level base stock
        model = draw(st.sampled_from(["normal", "poisson", "deterministic"]))
        b.demand(
            store,
            "A",
            first_day=0,
            last_day=days // 2,
            mean=draw(st.floats(0.0, 8.0)),
            sd=2.0,
            model=model,
        )
        b.demand(
            store,
            "A",
            first_day=days // 2 + 1,
            last_day=days - 1,
            mean=draw(st.floats(0.0, 8.0)),
            sd=1.0,
            model=model,
        )
    return b


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(b=random_networks(), seed=st.integers(0, 2**16))
def test_random_networks_keep_every_invariant(b: NetworkBuilder, seed: int) -> None:
    check_invariants(simulate_network(b.build(), stochastic=True, seed=seed))
