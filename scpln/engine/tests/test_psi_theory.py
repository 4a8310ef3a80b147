"""The simulator against textbook base-stock theory, not against itself.

A store with base-stock level S, daily review and lead time L, fed by an unlimited
supplier, with backorders. Under the documented convention (order at the start of day
t, received on day t+L before that day's demand) the inventory position after ordering
is always S, so the net stock at the end of day t is ``S − D(L+1)``, the demand of the
L+1 days t−L … t, and the stock before day t's demand is ``S − D(L)``. Hence

- average on-hand (end of day)  = E[(S − D(L+1))⁺]
- average backlog (end of day)  = E[(D(L+1) − S)⁺]
- cycle service level           = P(D(L+1) ≤ S)           (no backlog at day end)
- fill rate                     = 1 − (E[(D(L+1) − S)⁺] − E[(D(L) − S)⁺]) / μ

The run is 10 independent stores × 10,000 days (100,000 store-days) after a warm-up,
cut into 100 batches of 1,000 days; each estimate must be within 4 standard errors
(from the batch means) of the formula. Normal demand has μ/σ = 5, where clipping at
zero changes nothing measurable (P(X < 0) ≈ 3·10⁻⁷).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from statistics import NormalDist

import numpy as np
import pytest

from scpln.engine.psi import NetworkBuilder, simulate_network
from scpln.engine.psi.fused import KERNEL_ENV, THRESHOLD_ENV


@pytest.fixture(autouse=True, params=["numpy", "compiled"])
def day_loop(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every theory test on both day loops; ``compiled`` takes the compiled loop wherever it
    models the network (lead-time distributions stay on numpy)."""
    if request.param == "numpy":
        monkeypatch.setenv(KERNEL_ENV, "numpy")
    else:
        monkeypatch.setenv(KERNEL_ENV, "auto")
        monkeypatch.setenv(THRESHOLD_ENV, "0")


STORES = 10
DAYS = 10_000
BATCH = 1_000
WARM_UP = 50


@dataclass(frozen=True)
class Theory:
    on_hand: float
    backlog: float
    csl: float
    fill_rate: float


def normal_theory(mu: float, sigma: float, lead: int, level: float) -> Theory:
    def loss(n: int) -> float:  # E[(D(n) − S)⁺] for D(n) ~ N(nμ, nσ²)
        if n == 0:
            return max(-level, 0.0)
        sd = sigma * math.sqrt(n)
        k = (level - n * mu) / sd
        unit = NormalDist()
        return sd * (unit.pdf(k) - k * (1.0 - unit.cdf(k)))

    n = lead + 1
    backlog = loss(n)
    csl = NormalDist(n * mu, sigma * math.sqrt(n)).cdf(level)
    return Theory(level - n * mu + backlog, backlog, csl, 1.0 - (backlog - loss(lead)) / mu)


def poisson_theory(lam: float, lead: int, level: int) -> Theory:
    def pmf(n: int) -> np.ndarray:
        mean = n * lam
        d = np.arange(0, level + 1)
        if mean == 0:
            return (d == 0).astype(float)
        log = d * math.log(mean) - mean - np.array([math.lgamma(x + 1) for x in d])
        return np.exp(log)

    def loss(n: int) -> float:  # E[(D(n) − S)⁺] = nλ − S + E[(S − D(n))⁺]
        p = pmf(n)
        return n * lam - level + float(((level - np.arange(level + 1)) * p).sum())

    n = lead + 1
    backlog = loss(n)
    on_hand = level - n * lam + backlog
    return Theory(on_hand, backlog, float(pmf(n).sum()), 1.0 - (backlog - loss(lead)) / lam)


def run_store(
    model: str, mean: float, sd: float, lead: int, level: float, seed: int, **policy: float
):
    """10 stores with base stock ``level`` (or the ``policy`` given, opening at ``level``)."""
    b = NetworkBuilder(horizon_days=DAYS + WARM_UP)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    for s in range(STORES):
        store = f"S{s:02d}"
        b.node(store, "store")
        b.arc("SUP", store, lead_time=lead)
        b.stock(store, "A", initial=level, **(policy or {"order_up_to": level}))
        b.demand(store, "A", first_day=0, last_day=DAYS + WARM_UP, mean=mean, sd=sd, model=model)
    return simulate_network(b.build(), stochastic=True, seed=seed)


def batch_estimates(result) -> dict[str, np.ndarray]:
    """Per-batch estimates (stores × batches) of the four quantities."""
    psi = result.psi
    stores = psi[psi["node"] != "SUP"]
    shape = (DAYS + WARM_UP, STORES)

    def metric(name: str) -> np.ndarray:
        values = stores[name].to_numpy(np.float64).reshape(shape)[WARM_UP:]
        return values.reshape(DAYS // BATCH, BATCH, STORES)

    demand, shortage = metric("demand"), metric("shortage")
    backlog = metric("backlog")
    return {
        "on_hand": metric("on_hand").mean(axis=1).ravel(),
        "backlog": backlog.mean(axis=1).ravel(),
        "csl": (backlog <= 1e-9).mean(axis=1).ravel(),
        "fill_rate": (1.0 - shortage.sum(axis=1) / demand.sum(axis=1)).ravel(),
    }


def assert_matches(result, theory: Theory) -> None:
    for name, batches in batch_estimates(result).items():
        expected = getattr(theory, name)
        standard_error = batches.std(ddof=1) / math.sqrt(len(batches))
        tolerance = 4.0 * standard_error + 1e-9
        assert abs(batches.mean() - expected) <= tolerance, (
            f"{name}: simulated {batches.mean():.5f}, theory {expected:.5f}, 4·SE {tolerance:.5f}"
        )


@pytest.mark.parametrize(("lead", "level"), [(0, 7), (3, 22)])
def test_poisson_base_stock_matches_theory(lead: int, level: int) -> None:
    theory = poisson_theory(5.0, lead, level)
    assert 0.8 < theory.fill_rate < 0.99  # a level where service is neither trivial nor zero
    assert_matches(run_store("poisson", 5.0, 0.0, lead, level, seed=11 + lead), theory)


@pytest.mark.parametrize(("lead", "reorder", "lot"), [(0, 3, 6), (2, 12, 20)])
def test_poisson_r_q_policy_matches_its_exact_fill_rate(lead: int, reorder: int, lot: int) -> None:
    # (R, Q) with integer demand: after ordering the inventory position is uniform on
    # R+1 … R+Q (Hadley & Whitin), independent of the demand that follows, so every figure
    # is the base-stock formula averaged over S = R+1 … R+Q — the fill rate exactly
    # 1 − (E[(D(L+1) − S)⁺] − E[(D(L) − S)⁺]) / λ averaged over those S.
    levels = [poisson_theory(5.0, lead, level) for level in range(reorder + 1, reorder + lot + 1)]
    theory = Theory(*(float(np.mean([getattr(t, f.name) for t in levels])) for f in fields(Theory)))
    assert 0.8 < theory.fill_rate < 0.99
    result = run_store(
        "poisson",
        5.0,
        0.0,
        lead,
        reorder + lot,
        seed=31 + lead,
        reorder_point=float(reorder),
        order_quantity=float(lot),
    )
    assert_matches(result, theory)
    orders = result.psi[result.psi["node"] != "SUP"]["orders"]
    placed = orders[orders > 0].to_numpy()
    assert np.allclose(placed % lot, 0.0)  # whole lots only


@pytest.mark.parametrize(("lead", "level"), [(0, 120.0), (4, 540.0)])
def test_normal_base_stock_matches_theory(lead: int, level: float) -> None:
    theory = normal_theory(100.0, 20.0, lead, level)
    assert 0.95 < theory.fill_rate < 0.999
    assert_matches(run_store("normal", 100.0, 20.0, lead, level, seed=5 + lead), theory)


def test_kpis_agree_with_the_psi_table() -> None:
    result = run_store("poisson", 5.0, 0.0, 2, 18, seed=3)
    psi, kpis = result.psi, result.kpis
    stores = psi[psi["node"] != "SUP"]
    days = DAYS + WARM_UP
    assert kpis["fill_rate"] == pytest.approx(1 - stores.shortage.sum() / stores.demand.sum())
    assert kpis["avg_on_hand"] == pytest.approx(stores.on_hand.sum() / days, rel=1e-6)
    assert kpis["avg_backlog"] == pytest.approx(stores.backlog.sum() / days, rel=1e-6)
    in_stock = (stores.backlog <= 1e-9) & (stores.shortage <= 1e-9)
    assert kpis["cycle_service_level"] == pytest.approx(in_stock.mean())


def test_cycle_service_level_counts_review_cycles() -> None:
    # Defect 5: with review period R the KPI counted days, not cycles. Under (R, S) with
    # backorders, cycle k (days kR + L … kR + L + R − 1, served by the order of day kR)
    # ends without a stockout iff the demand of the L + R days from that review is at most
    # S, so the cycle service level is P(D(L + R) ≤ S); a day count says far more.
    lam, lead, review, level = 5.0, 2, 5, 40
    b = NetworkBuilder(horizon_days=DAYS)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    for s in range(STORES):
        store = f"S{s:02d}"
        b.node(store, "store", review_period=review)
        b.arc("SUP", store, lead_time=lead)
        b.stock(store, "A", initial=level, order_up_to=level)
        b.demand(store, "A", first_day=0, last_day=DAYS, mean=lam, model="poisson")
    kpis = simulate_network(b.build(), stochastic=True, seed=21).kpis
    cycle = poisson_theory(lam, lead + review - 1, level).csl  # P(D(L + R) ≤ S)
    assert 0.8 < cycle < 0.9
    cycles = STORES * DAYS / review
    # Successive windows share L days, so allow for some correlation beyond 4 binomial SEs.
    tolerance = 6.0 * math.sqrt(cycle * (1 - cycle) / cycles)
    assert kpis["cycle_service_level"] == pytest.approx(cycle, abs=tolerance)


def test_lead_time_variability_matches_the_outstanding_order_count() -> None:
    # Deterministic demand d a day, base stock S, lead times drawn per shipment: the order
    # of k days ago (d units) is still on its way at the end of today with probability
    # P(L > k), independently, so the count N of orders out is a sum of Bernoullis
    # (Poisson-binomial) and the net stock is S − d·(1 + N) at the end of the day and
    # S − d·N before today's demand. Every figure follows from N's exact distribution.
    d, level = 10.0, 40.0
    lead = {1: 0.5, 3: 0.3, 6: 0.2}
    beyond = [sum(p for days, p in lead.items() if days > k) for k in range(max(lead))]
    count = np.array([1.0])
    for p in beyond:  # convolve the Bernoullis
        count = np.convolve(count, [1.0 - p, p])
    n = np.arange(len(count))
    end = level - d * (1 + n)
    theory = Theory(
        on_hand=float(count @ np.maximum(end, 0.0)),
        backlog=float(count @ np.maximum(-end, 0.0)),
        csl=float(count[end >= 0].sum()),
        fill_rate=float(count @ np.clip(level - d * n, 0.0, d)) / d,
    )
    assert 0.7 < theory.fill_rate < 0.99
    b = NetworkBuilder(horizon_days=DAYS + WARM_UP)
    b.node("SUP", "supplier", unlimited=True)
    b.stock("SUP", "A")
    for s in range(STORES):
        store = f"S{s:02d}"
        b.node(store, "store")
        b.arc("SUP", store, lead_time=1, lead_time_distribution=lead)
        b.stock(store, "A", initial=level, order_up_to=level)
        b.demand(store, "A", first_day=0, last_day=DAYS + WARM_UP, mean=d, model="deterministic")
    assert_matches(simulate_network(b.build(), stochastic=True, seed=41), theory)
    # A deterministic run takes the arcs' lead_time_days.
    steady = simulate_network(b.build()).kpis
    assert steady["fill_rate"] == 1.0
