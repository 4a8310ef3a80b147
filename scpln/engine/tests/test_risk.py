"""Replication sets: seeding, reduction and aggregation, against independent calculations."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import stats

from scpln.engine.psi import NetworkBuilder, simulate_network
from scpln.engine.risk import (
    customer_targets,
    difference,
    histogram,
    miss_probability,
    quantile_bands,
    replication_seed,
    run_replication,
    summarise,
)
from scpln.engine.tests.test_psi_theory import poisson_theory


def store_network(
    *,
    days: int,
    lam: float = 5.0,
    level: float = 7.0,
    lead: int = 0,
    review: int = 1,
    service_level: float = 0.95,
    stores: int = 1,
):
    """Stores with base stock ``level`` fed by an unlimited supplier, Poisson demand."""
    b = NetworkBuilder(horizon_days=days)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    for s in range(stores):
        store = f"S{s:02d}"
        b.node(store, "store", review_period=review, service_level=service_level)
        b.arc("SUP", store, lead_time=lead)
        b.stock(store, "A", initial=level, order_up_to=level)
        b.demand(store, "A", first_day=0, last_day=days, mean=lam, model="poisson")
    return b.build()


def test_replication_seed_is_the_spawned_child_of_the_set_seed() -> None:
    children = np.random.SeedSequence(42).spawn(5)
    for index, child in enumerate(children):
        expected = int(child.generate_state(1, np.uint64)[0]) >> 1
        assert replication_seed(42, index) == expected
    assert len({replication_seed(42, i) for i in range(1000)}) == 1000
    assert replication_seed(43, 0) != replication_seed(42, 0)
    with pytest.raises(ValueError, match="non-negative"):
        replication_seed(42, -1)


def test_replications_do_not_depend_on_order_or_chunking() -> None:
    net = store_network(days=60, stores=3)
    forward = [run_replication(net, seed=7, index=i) for i in range(6)]
    # Another "worker" runs the same indices in reverse, in two chunks.
    backward = [run_replication(net, seed=7, index=i) for i in (5, 4, 3)] + [
        run_replication(net, seed=7, index=i) for i in (2, 1, 0)
    ]
    by_index = {r.index: r for r in backward}
    for rep in forward:
        other = by_index[rep.index]
        assert rep.kpis == other.kpis
        assert np.array_equal(rep.service, other.service)
        for name, values in rep.series.items():
            assert np.array_equal(values, other.series[name])
    assert len({r.kpis["fill_rate"] for r in forward}) > 1  # replications differ


def test_a_replication_is_the_ordinary_stochastic_run_with_its_seed() -> None:
    net = store_network(days=30, stores=2, lead=2)
    rep = run_replication(net, seed=3, index=4)
    run = simulate_network(net, stochastic=True, seed=replication_seed(3, 4))
    assert rep.seed == run.seed
    assert rep.kpis["fill_rate"] == run.kpis["fill_rate"]
    assert rep.kpis["profit_total"] == run.kpis["profit_total"]
    stores = run.psi[run.psi["node"] != "SUP"].copy()
    stores["week"] = stores["day"].rank(method="dense").astype(int).sub(1) // 7
    weekly = stores.groupby("week")[["sales", "shortage"]].sum()
    assert np.allclose(rep.series["sales"], weekly["sales"].to_numpy())
    assert np.allclose(rep.series["shortage"], weekly["shortage"].to_numpy())
    every = run.psi.copy()
    every["day_no"] = every["day"].rank(method="dense").astype(int).sub(1)
    on_hand = every.groupby("day_no")["on_hand"].sum().to_numpy()
    assert np.allclose(rep.series["on_hand"], on_hand[[6, 13, 20, 27, 29]])


@pytest.mark.parametrize(("review", "lead", "level"), [(1, 0, 7.0), (5, 2, 40.0), (4, 7, 60.0)])
def test_store_cycle_service_agrees_with_the_runs_cycle_service_level(
    review: int, lead: int, level: float
) -> None:
    net = store_network(days=200, level=level, lead=lead, review=review)
    rep = run_replication(net, seed=1, index=0)
    assert len(rep.service) == 1
    assert rep.service[0] == pytest.approx(rep.kpis["cycle_service_level"])
    assert 0.0 < rep.service[0] < 1.0


def test_summary_matches_textbook_formulas() -> None:
    values = np.array([0.91, 0.95, 0.88, 0.97, 0.93])
    s = summarise(values)
    assert s.n == 5
    assert s.mean == pytest.approx(statistics.mean(values))
    assert s.sd == pytest.approx(statistics.stdev(values))
    half = 2.776445105 * statistics.stdev(values) / math.sqrt(5)  # t(0.975, 4), from a table
    assert (s.ci_low, s.ci_high) == pytest.approx((s.mean - half, s.mean + half))
    # Linear interpolation between order statistics: position q·(n − 1) of the sorted values.
    ordered = sorted(values)  # 0.88 0.91 0.93 0.95 0.97
    assert s.quantiles["p50"] == pytest.approx(0.93)
    assert s.quantiles["p05"] == pytest.approx(ordered[0] + 0.2 * (ordered[1] - ordered[0]))
    assert s.quantiles["p95"] == pytest.approx(ordered[3] + 0.8 * (ordered[4] - ordered[3]))
    one = summarise(np.array([0.5]))
    assert (one.sd, one.ci_low, one.ci_high) == (None, None, None)
    with pytest.raises(ValueError, match="no replications"):
        summarise(np.array([]))


def test_histogram_counts_every_replication_once() -> None:
    values = np.array([0.0, 0.1, 0.1, 0.5, 0.99, 1.0])
    h = histogram(values, bins=4)
    assert h.edges == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert h.counts == [3, 0, 1, 2]  # the last bin includes its upper edge


def test_quantile_bands_per_week() -> None:
    series = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]])
    bands = quantile_bands(series)
    assert bands.p50 == pytest.approx([3.0, 30.0])
    assert bands.p05 == pytest.approx([1.2, 12.0])
    assert bands.p95 == pytest.approx([4.8, 48.0])


def test_confidence_interval_covers_the_exact_fill_rate_in_about_95_percent_of_seeds() -> None:
    # One store, Poisson(5) demand, base stock 7, lead time 0, backorders: every day is the
    # same independent draw, so the exact fill rate is 1 − E[(D − S)⁺]/λ and the exact
    # cycle service level P(D ≤ S) (test_psi_theory). Sets of 10 replications of 100 days,
    # for 100 set seeds: each 95 % interval must miss about 5 times in 100 (a binomial
    # count; 99.9 % of such counts lie between 0 and 13, so outside that the interval is wrong).
    theory = poisson_theory(5.0, 0, 7)
    net = store_network(days=100)
    misses = {"fill_rate": 0, "cycle_service_level": 0}
    exact = {"fill_rate": theory.fill_rate, "cycle_service_level": theory.csl}
    for seed in range(100):
        reps = [run_replication(net, seed=seed, index=i) for i in range(10)]
        for name in misses:
            s = summarise(np.array([r.kpis[name] for r in reps]))
            assert s.ci_low is not None and s.ci_high is not None
            if not s.ci_low <= exact[name] <= s.ci_high:
                misses[name] += 1
    lowest, highest = stats.binom.ppf([0.0005, 0.9995], 100, 0.05)
    for name, count in misses.items():
        assert lowest <= count <= highest, f"{name}: the 95 % interval missed {count} of 100"


def test_probability_of_missing_the_target_matches_the_binomial() -> None:
    # Under daily review each day is in stock with p = P(D ≤ S), independently (lead time
    # 0), so a run's cycle service level over H days is Binomial(H, p)/H and it misses a
    # target τ with probability P(Bin(H, p) < τH).
    days, target = 100, 0.87
    p = poisson_theory(5.0, 0, 7).csl
    exact = stats.binom.cdf(math.ceil(target * days) - 1, days, p)
    assert 0.2 < exact < 0.8
    net = store_network(days=days, service_level=target)
    labels, targets = customer_targets(net)
    assert labels == [("S00", "A")]
    assert targets == pytest.approx([target])
    reps = 400
    service = np.array([run_replication(net, seed=5, index=i).service for i in range(reps)])
    (miss,) = miss_probability(service, targets)
    assert abs(miss - exact) <= 4 * math.sqrt(exact * (1 - exact) / reps)


def test_miss_probability_refuses_misshapen_input() -> None:
    with pytest.raises(ValueError, match="replications × customers"):
        miss_probability(np.zeros((3, 2)), np.array([0.9]))


def test_paired_difference_is_the_interval_of_the_differences() -> None:
    base = np.array([0.90, 0.92, 0.88, 0.95, 0.91])
    other = base + np.array([0.02, 0.01, 0.03, 0.015, 0.02])
    d = difference(base, other, paired=True)
    gaps = list(other - base)
    half = 2.776445105 * statistics.stdev(gaps) / math.sqrt(5)  # t(0.975, 4)
    assert d.paired and d.n == 5
    assert d.mean == pytest.approx(statistics.mean(gaps))
    assert (d.ci_low, d.ci_high) == pytest.approx((d.mean - half, d.mean + half))


def test_unpaired_difference_is_welchs_interval() -> None:
    rng = np.random.default_rng(4)
    base, other = rng.normal(10, 2, 12), rng.normal(11, 3, 9)
    d = difference(base, other, paired=False)
    welch = stats.ttest_ind(other, base, equal_var=False).confidence_interval(0.95)
    assert not d.paired
    assert (d.ci_low, d.ci_high) == pytest.approx((welch.low, welch.high))


def test_common_random_numbers_tell_a_small_improvement_apart() -> None:
    # Base stock 8 instead of 7 raises the fill rate by a little; 15 replications of each,
    # paired by index (the same demand), show it at 95 % confidence with an interval less
    # than half as wide as the same values give taken as independent samples.
    low, high = store_network(days=60, level=7.0), store_network(days=60, level=8.0)
    a = np.array([run_replication(low, seed=8, index=i).kpis["fill_rate"] for i in range(15)])
    b = np.array([run_replication(high, seed=8, index=i).kpis["fill_rate"] for i in range(15)])
    paired = difference(a, b, paired=True)
    unpaired = difference(a, b, paired=False)
    assert paired.ci_low is not None and paired.ci_low > 0
    assert unpaired.ci_low is not None and unpaired.ci_high is not None
    assert paired.ci_high is not None
    assert (unpaired.ci_high - unpaired.ci_low) > 2 * (paired.ci_high - paired.ci_low)


def test_holding_and_shortage_cost_are_the_cost_traces_storage_and_penalty_rows() -> None:
    from scpln.engine.risk.replicate import replication_costs
    from scpln.engine.tests.test_psi_costs import priced_line

    result = priced_line()  # storage at DC and S, a stock-out with penalties at S
    costs = replication_costs(result.kpis["costs_by_account"])
    # Independently, from the day-by-day cost trace the P&L is built from.
    amount = result.trace.groupby("account")["amount"].sum()
    holding = sum(v for a, v in amount.items() if str(a).startswith("storage"))
    shortage = sum(v for a, v in amount.items() if str(a).startswith("penalty"))
    assert holding > 0 and shortage > 0
    assert costs["holding_cost"] == pytest.approx(holding)
    assert costs["shortage_cost"] == pytest.approx(shortage)
    assert costs["holding_shortage_cost"] == pytest.approx(holding + shortage)
