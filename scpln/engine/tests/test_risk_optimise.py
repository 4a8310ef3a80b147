"""Service-level optimisation: the analytic first guess against textbook quantiles, and the
simulation refinement reaching every target on a network checked with fresh seeds."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from scpln.engine.canonical import load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.psi import NetworkBuilder, compile_network
from scpln.engine.risk.optimise import (
    evaluate,
    first_guess,
    optimise_levels,
    order_gap,
    store_demand,
    warehouse_demand,
    with_levels,
)


def _poisson_quantile(mean: float, alpha: float) -> int:
    """The smallest s with P(Poisson(mean) ≤ s) ≥ alpha, by summing the pmf."""
    total, s, term = 0.0, 0, math.exp(-mean)
    while True:
        total += term
        if total >= alpha:
            return s
        s += 1
        term *= mean / s


def _two_echelon(
    model: str, *, store_level: float = 30.0, dc_service: float = 0.97, **arc
) -> NetworkBuilder:
    b = NetworkBuilder(horizon_days=200)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("DC", "warehouse", service_level=dc_service)
    b.arc("SUP", "DC", lead_time=3)
    b.stock("DC", "A", initial=2000, order_up_to=2000)
    for s in range(3):
        store = f"S{s}"
        b.node(store, "store", service_level=0.9)
        b.arc("DC", store, lead_time=2, **arc)
        b.stock(store, "A", initial=store_level, order_up_to=store_level)
        sd = 20.0 if model == "normal" else 0.0
        mean = 100.0 if model == "normal" else 5.0
        b.demand(store, "A", first_day=0, last_day=200, mean=mean, sd=sd, model=model)
    return b


def test_first_guess_is_the_poisson_quantile_of_lead_time_demand() -> None:
    net = _two_echelon("poisson").build()
    stores = store_demand(net, 200)
    assert stores.period.tolist() == [3.0, 3.0, 3.0]  # L = 2 plus daily review
    expected = _poisson_quantile(5.0 * 3, 0.9)
    assert first_guess(stores).tolist() == [expected] * 3


def test_first_guess_is_the_normal_quantile_and_the_warehouse_uses_echelon_demand() -> None:
    net = _two_echelon("normal").build()
    stores = store_demand(net, 200)
    z90, z97 = NormalDist().inv_cdf(0.9), NormalDist().inv_cdf(0.97)
    assert first_guess(stores) == pytest.approx([300 + z90 * 20 * math.sqrt(3)] * 3)
    dc = warehouse_demand(net, stores)
    assert [net.node_codes[int(net.ni_node[k])] for k in dc.ni] == ["DC"]
    # Three stores' demand (variances add) over the DC's lead time 3 plus review 1.
    assert first_guess(dc) == pytest.approx([1200 + z97 * math.sqrt(3 * 400) * 2])


def test_refinement_raises_levels_the_formula_sets_too_low() -> None:
    # Lead times vary (2 or 6 days) but the formula uses the arc's 2: its levels fall short,
    # and the replications must find and close the gap.
    net = _two_echelon("poisson", lead_time_distribution={2: 0.5, 6: 0.5}).build()
    result = optimise_levels(net, seed=3, n=20)
    stores = result.stores.ni
    guess = evaluate(with_levels(net, stores, result.first_guess[stores]), seed=3, n=20, days=200)
    assert (guess.service < result.stores.target).all()
    assert result.rounds >= 1 and result.reached
    assert (result.levels[stores] > result.first_guess[stores]).all()
    # Checked on replications the optimiser never saw.
    sized = np.flatnonzero(~np.isnan(result.levels))
    fresh = evaluate(with_levels(net, sized, result.levels[sized]), seed=99, n=20, days=200)
    assert (fresh.service + 2 * fresh.half_width >= result.stores.target).all()


def test_a_store_held_back_by_its_warehouse_reaches_its_target_by_raising_the_warehouse() -> None:
    # The DC's own service level of 2 % sizes it below its mean echelon lead-time demand: it
    # is out of stock on many days, and the stores (90 %) wait for it beyond their lead time.
    net = _two_echelon("poisson", dc_service=0.02).build()
    result = optimise_levels(net, seed=4, n=20)
    stores, (dc,) = result.stores.ni, result.warehouses.ni
    sized = np.append(stores, dc)
    guess = evaluate(with_levels(net, sized, result.first_guess[sized]), seed=4, n=20, days=200)
    assert (guess.service + guess.half_width < result.stores.target).all()
    assert guess.stockout[dc] > 0.1  # the DC is what holds them back
    assert result.reached
    assert result.levels[dc] > result.first_guess[dc]
    # Checked on replications the optimiser never saw.
    fresh = evaluate(with_levels(net, sized, result.levels[sized]), seed=97, n=20, days=200)
    assert (fresh.service + 2 * fresh.half_width >= result.stores.target).all()


def test_optimised_generated_network_reaches_targets_with_less_stock() -> None:
    document = generate_config(skus=4, stores=3, dcs=1, factories=1, materials=2, days=120, seed=3)
    net = compile_network(load_config(document))
    result = optimise_levels(net, seed=1, n=20)
    assert result.reached
    assert len(result.stores.ni) == 12 and len(result.warehouses.ni) == 4
    sized = np.flatnonzero(~np.isnan(result.levels))
    fresh = evaluate(with_levels(net, sized, result.levels[sized]), seed=77, n=20, days=120)
    assert (fresh.service + 2 * fresh.half_width >= result.stores.target).all()
    # The generator sizes its policies generously; the targets need less stock.
    assert result.after.kpis["avg_on_hand"].mean < result.before.kpis["avg_on_hand"].mean


def _s_s_store(*, cost_fixed: float = 0.0, storage_cost: float = 0.0, moq: float = 0.0):
    """One store under an (s, S) policy (s 10, S 30) on Poisson demand of 4 a day, supplied
    in 2 days by an unlimited supplier."""
    b = NetworkBuilder(horizon_days=200)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("S0", "store", service_level=0.9)
    b.arc("SUP", "S0", lead_time=2, cost_fixed=cost_fixed)
    b.stock(
        "S0", "A", initial=30, reorder_point=10, order_up_to=30, storage_cost=storage_cost, moq=moq
    )
    b.demand("S0", "A", first_day=0, last_day=200, mean=4.0, model="poisson")
    return b.build()


def test_an_s_s_store_gets_its_reorder_point_from_lead_time_demand_and_keeps_its_gap() -> None:
    net = _s_s_store()
    result = optimise_levels(net, seed=5, n=20)
    (store,) = result.stores.ni
    # s: the 90 % quantile of Poisson lead-time demand over L + R = 3 days (summed pmf).
    assert result.first_guess[store] == _poisson_quantile(4.0 * 3, 0.9)
    # No ordering cost in the config: S − s stays the policy's own 20.
    assert result.gap[store] == 20.0
    assert result.reached and result.levels[store] >= result.first_guess[store]
    # The (s, S) levels reach the target on replications the optimiser never saw.
    sized = np.flatnonzero(~np.isnan(result.levels))
    fresh = evaluate(
        with_levels(net, sized, result.levels[sized], result.gap[sized]), seed=98, n=20, days=200
    )
    assert net.reorder_point[store] == 10  # the source network is unchanged
    assert (fresh.service + 2 * fresh.half_width >= result.stores.target).all()


@pytest.mark.parametrize(
    ("cost_fixed", "storage_cost", "moq", "expected"),
    [
        # EOQ √(2Kμ/h): K 50 a shipping day, μ 4 a day, h 0.1 a unit-day.
        (50.0, 0.1, 0.0, math.sqrt(2 * 50 * 4 / 0.1)),
        # ... but never below the minimum order quantity.
        (50.0, 0.1, 100.0, 100.0),
        # No holding cost: no EOQ, the policy's gap.
        (50.0, 0.0, 0.0, 20.0),
    ],
)
def test_an_s_s_gap_is_the_economic_order_quantity_when_ordering_is_priced(
    cost_fixed: float, storage_cost: float, moq: float, expected: float
) -> None:
    net = _s_s_store(cost_fixed=cost_fixed, storage_cost=storage_cost, moq=moq)
    stores = store_demand(net, 200)
    assert order_gap(net, stores.ni, stores.mean) == pytest.approx([expected])
    base_stock = with_levels(net, stores.ni, np.array([12.0]))
    assert order_gap(base_stock, stores.ni, stores.mean).tolist() == [0.0]  # s = S: no gap


def test_a_seasonal_deterministic_store_is_raised_to_cover_its_peak() -> None:
    # 5 a day for 100 days, then 9: the first guess covers the average day (7 · 3 = 21) and
    # runs short on every peak day; 1 % steps of the mean would take many rounds.
    b = NetworkBuilder(horizon_days=200)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    b.node("S0", "store", service_level=0.9)
    b.arc("SUP", "S0", lead_time=2)
    b.stock("S0", "A", initial=30, order_up_to=30)
    b.demand("S0", "A", first_day=0, last_day=99, mean=5.0, model="deterministic")
    b.demand("S0", "A", first_day=100, last_day=199, mean=9.0, model="deterministic")
    net = b.build()
    result = optimise_levels(net, seed=2, n=5)
    (store,) = result.stores.ni
    assert result.first_guess[store] == pytest.approx(21.0)
    assert result.reached and result.rounds <= 2
    assert result.levels[store] >= 9.0 * 3  # the peak's lead-time demand
