"""Stock levels that reach each store's target service level: an analytic first guess from
lead-time demand, refined by simulation with common random numbers.

For a store node-item with daily demand of mean μ and variance σ² (averaged over the run's
days), lead time L and review period R, an order-up-to level S gives the cycle service
level P(D(L+R) ≤ S) (``docs/engine.md``, KPIs). The **first guess** is the smallest S with
that probability at the target α:

- Poisson demand: the α-quantile of Poisson(μ(L+R));
- normal demand: μ(L+R) + Φ⁻¹(α)·σ·√(L+R);
- deterministic demand: μ(L+R).

A **warehouse** node-item that supplies stores gets its level from its *echelon* lead-time
demand — the demand of the stores it serves, means and variances added — over its own
L + R, at its node's service level (the two-echelon normal approximation; Poisson when
every store below it is Poisson). The **refinement** then runs replications of the whole
network with those levels and raises each store level whose simulated cycle service level
falls short of its target by a Newton step on the normal scale, scaled by the lead-time
demand's spread over the year (its variance plus the seasonal swing of its daily mean,
which the first guess, sized for the average day, leaves out); a store whose service did
not move after its last raise gets twice its previous multiple of the step (a level
inside one stair of a deterministic demand's step-shaped service curve). A warehouse
serving a short store and in stock on fewer days than that store's target is raised too,
by the same step on its echelon demand from its in-stock share of days to the target: a
store waiting for an empty warehouse is cheaper to fix there. Nothing that is not short
is raised. Every round reuses the same replication seeds (common random numbers), so a
change between rounds is the effect of the levels, not of new demand draws. It stops
when every store's mean reaches its target within its 95 % confidence interval, or after
``rounds`` rounds.

Where a node-item's policy is **(s, S)** (a reorder point below its order-up-to level, no
lot size), the level found is its reorder point ``s`` — a cycle's lowest stock comes just
before the order placed at ``s`` arrives, so ``P(D(L+R) ≤ s)`` is its cycle service level
— and ``S = s + Q``: ``Q`` the economic order quantity ``√(2Kμ/h)`` when its supply arc
has a fixed cost ``K`` per shipping day and the node-item a storage cost ``h`` per
unit-day, else the gap ``S − s`` the policy already had; at least its minimum order
quantity. Refinement raises ``s`` and ``S`` together.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np
from scipy import stats

from scpln.engine.psi import Network, PlanSchedule
from scpln.engine.psi.network import MODEL_DETERMINISTIC, MODEL_POISSON

from .replicate import (
    COST_NAMES,
    KPI_NAMES,
    customer_targets,
    run_replication,
    store_customers,
)
from .summary import KpiSummary, summarise

Progress = Callable[[float], None]


@dataclass(frozen=True, eq=False)
class LeadTimeDemand:
    """Per node-item to size: its node-item index, daily mean and variance, protection
    period L + R, the demand model code, the target cycle service level, and ``swing``, the
    standard deviation of the daily mean over the run's days (seasonality: 0 when the mean
    is the same every day)."""

    ni: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    period: np.ndarray
    model: np.ndarray
    target: np.ndarray
    swing: np.ndarray


def spread(demand: LeadTimeDemand) -> np.ndarray:
    """The scale of a Newton step: the lead-time demand's spread over the year,
    ``√(σ²(L+R) + (swing·(L+R))²)``.

    The first guess sizes for the average day; in a season whose daily mean is above the
    average the shortfall grows with the whole protection period (a season lasts longer
    than L + R), hence ``swing·(L+R)``. Without it deterministic seasonal demand (σ = 0)
    would only ever move by the smallest step.
    """
    return np.sqrt(demand.var * demand.period + (demand.swing * demand.period) ** 2)


def smallest_step(demand: LeadTimeDemand) -> np.ndarray:
    """One unit of Poisson demand, else 5 % of the lead-time demand's spread (1 % of its
    mean when that is 0)."""
    scale = spread(demand)
    least = np.maximum(0.05 * scale, 0.01 * demand.mean * demand.period)
    return np.where(demand.model == MODEL_POISSON, 1.0, np.maximum(least, 1e-6))


def newton_step(demand: LeadTimeDemand, service: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The rise that takes a service level ``service`` to ``target`` if lead-time demand
    were normal with :func:`spread`: ``spread·(Φ⁻¹(target) − Φ⁻¹(service))``, in whole
    smallest steps and at least one."""
    unit = NormalDist()
    clipped = np.clip(service, 1e-3, 1 - 1e-3)
    gap = np.array(
        [unit.inv_cdf(t) - unit.inv_cdf(p) for t, p in zip(target, clipped, strict=True)]
    )
    floor = smallest_step(demand)
    return np.maximum(np.ceil(gap * spread(demand) / floor) * floor, floor)


def s_s_policies(network: Network) -> np.ndarray:
    """Which node-items have an (s, S) policy: a reorder point below the order-up-to
    level and no (R, Q) lot."""
    s, up_to = network.reorder_point, network.order_up_to
    with np.errstate(invalid="ignore"):
        return np.isnan(network.order_quantity) & np.isfinite(s) & np.isfinite(up_to) & (s < up_to)


def order_gap(network: Network, ni: np.ndarray, daily_mean: np.ndarray) -> np.ndarray:
    """``Q = S − s`` of each node-item ``ni`` (0 where the policy is not (s, S)).

    The economic order quantity ``√(2Kμ/h)`` where the supply arc has a fixed cost ``K``
    per shipping day and the node-item a storage cost ``h`` per unit-day (μ its daily
    demand), else the policy's own gap; at least the minimum order quantity.
    """
    ni = np.asarray(ni, np.int64)
    gap = np.zeros(len(ni))
    s_s = s_s_policies(network)[ni]
    if not s_s.any():
        return gap
    arc = network.arc[ni]
    fixed = np.where(arc >= 0, network.costs.arc_fixed[np.maximum(arc, 0)], 0.0)
    holding = network.costs.storage_variable[ni]
    own = network.order_up_to[ni] - network.reorder_point[ni]
    with np.errstate(divide="ignore", invalid="ignore"):
        eoq = np.sqrt(2.0 * fixed * daily_mean / holding)
    priced = (fixed > 0) & (holding > 0) & (daily_mean > 0)
    chosen = np.where(priced, eoq, own)
    moq = np.nan_to_num(network.moq[ni])
    return np.where(s_s, np.maximum(chosen, moq), 0.0)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A network over ``n`` replications: per store customer (``customer_targets`` order)
    the mean cycle service level and its 95 % half-width; per node-item the mean share of
    days that ended with a shortage or a backlog (``stockout``); per KPI its summary, and
    the holding, shortage and holding + shortage cost (``COST_NAMES``) alike."""

    service: np.ndarray
    half_width: np.ndarray
    kpis: dict[str, KpiSummary]
    stockout: np.ndarray


@dataclass(frozen=True, eq=False)
class Optimisation:
    """Levels per node-item (NaN where not sized): the reorder point ``s`` — the order-up-to
    level ``S`` of a base stock — and the gap ``S − s`` (0 for a base stock); the network
    before and after them, both evaluated on the same replication seeds."""

    first_guess: np.ndarray
    levels: np.ndarray
    gap: np.ndarray
    stores: LeadTimeDemand
    warehouses: LeadTimeDemand
    before: Evaluation
    after: Evaluation
    rounds: int
    reached: bool


def store_demand(network: Network, days: int) -> LeadTimeDemand:
    """Lead-time demand of every store customer over ``days`` days."""
    cols = store_customers(network)
    ni = network.demand.ni[cols]
    segment = network.segments.of_days(days)
    mean = network.demand.mean[segment][:, cols].mean(axis=0)
    var = (network.demand.sd[segment][:, cols] ** 2).mean(axis=0)
    model = network.demand.model[segment[0], cols] if days else np.zeros(len(cols), np.int64)
    swing = network.demand.mean[segment][:, cols].std(axis=0) if days else np.zeros(len(cols))
    period = network.lead_time[ni] + np.maximum(network.review_period[ni], 1)
    _labels, target = customer_targets(network)
    return LeadTimeDemand(ni, mean, var, period.astype(np.float64), model, target, swing)


def warehouse_demand(network: Network, stores: LeadTimeDemand) -> LeadTimeDemand:
    """Echelon lead-time demand of every warehouse node-item that supplies a store."""
    source = network.src[stores.ni]
    is_wh = np.array(
        [s >= 0 and network.node_types[int(network.ni_node[s])] == "warehouse" for s in source]
    )
    wh = np.unique(source[is_wh])
    mean = np.array([stores.mean[source == w].sum() for w in wh])
    var = np.array([stores.var[source == w].sum() for w in wh])
    # Seasons of one item tend to coincide: the swings add (an upper bound).
    swing = np.array([stores.swing[source == w].sum() for w in wh])
    poisson = np.array([(stores.model[source == w] == MODEL_POISSON).all() for w in wh], bool)
    model = np.where(poisson, MODEL_POISSON, 1).astype(np.int64)
    period = network.lead_time[wh] + np.maximum(network.review_period[wh], 1)
    unit = NormalDist()
    target = np.array([unit.cdf(float(network.z[w])) for w in wh])
    return LeadTimeDemand(
        wh.astype(np.int64), mean, var, period.astype(np.float64), model, target, swing
    )


def first_guess(demand: LeadTimeDemand) -> np.ndarray:
    """The smallest level whose lead-time demand is at most it with the target probability."""
    mu = demand.mean * demand.period
    normal = mu + stats.norm.ppf(demand.target) * np.sqrt(demand.var * demand.period)
    poisson = stats.poisson.ppf(demand.target, np.maximum(mu, 1e-12))
    level = np.where(demand.model == MODEL_POISSON, poisson, normal)
    level = np.where(demand.model == MODEL_DETERMINISTIC, mu, level)
    return np.maximum(level, 0.0)


def with_levels(
    network: Network, ni: np.ndarray, levels: np.ndarray, gap: np.ndarray | None = None
) -> Network:
    """``network`` with levels at node-items ``ni``: ``s = level`` and ``S = level + gap``
    (opening stock at ``S``).

    With no gap (0) it is a base stock, ``reorder_point = order_up_to = S`` with no lot
    size: order up to S whenever the inventory position is at or below it.
    """
    ni = np.asarray(ni, np.int64)
    gap = np.zeros(len(ni)) if gap is None else np.asarray(gap, np.float64)
    up_to, reorder = network.order_up_to.copy(), network.reorder_point.copy()
    lot, initial = network.order_quantity.copy(), network.initial.copy()
    up_to[ni] = levels + gap
    reorder[ni] = levels
    lot[ni] = np.nan
    initial[ni] = levels + gap
    return replace(
        network, order_up_to=up_to, reorder_point=reorder, order_quantity=lot, initial=initial
    )


def optimise_levels(
    network: Network,
    *,
    seed: int,
    n: int = 30,
    rounds: int = 6,
    days: int | None = None,
    plan: PlanSchedule | None = None,
    progress: Progress | None = None,
    target: float | None = None,
) -> Optimisation:
    """Store and warehouse levels that reach every store's target (see the module doc).

    ``target`` replaces every store's own service level as the target (a scenario's
    override); the simulation itself is unchanged by it.
    """
    days = days if days is not None else network.horizon_days
    stores = store_demand(network, days)
    if target is not None:
        stores = replace(stores, target=np.full(len(stores.ni), float(target)))
    warehouses = warehouse_demand(network, stores)
    guess = np.full(network.size, np.nan)
    guess[stores.ni] = first_guess(stores)
    guess[warehouses.ni] = first_guess(warehouses)
    sized = np.flatnonzero(~np.isnan(guess))
    order = np.full(network.size, np.nan)  # S − s
    order[stores.ni] = order_gap(network, stores.ni, stores.mean)
    order[warehouses.ni] = order_gap(network, warehouses.ni, warehouses.mean)
    source = network.src[stores.ni]

    def evaluate_levels(levels: np.ndarray) -> Evaluation:
        candidate = with_levels(network, sized, levels[sized], order[sized])
        return evaluate(candidate, seed=seed, n=n, days=days, plan=plan)

    before = evaluate(network, seed=seed, n=n, days=days, plan=plan)
    levels = guess.copy()
    done = 0
    # Per store, the multiple of its Newton step: doubled each round its service did not
    # move after a raise (service is a step function of the level under deterministic
    # demand, and a small Newton step can fall inside one stair), back to 1 once it moves.
    boost = np.ones(len(stores.ni))
    raised = np.zeros(len(stores.ni), bool)
    previous: np.ndarray | None = None
    while True:
        after = evaluate_levels(levels)
        short = after.service + after.half_width < stores.target
        if not short.any() or done >= rounds:
            break
        if previous is not None:
            stuck = raised & (after.service <= previous)
            boost = np.where(stuck, 2.0 * boost, 1.0)
        step = boost * newton_step(stores, after.service, stores.target)
        levels[stores.ni[short]] += step[short]
        raised, previous = short, after.service
        levels[warehouses.ni] += warehouse_step(warehouses, source, short, stores.target, after)
        done += 1
        if progress is not None:
            progress(done / (rounds + 1))
    return Optimisation(
        first_guess=guess,
        levels=levels,
        gap=order,
        stores=stores,
        warehouses=warehouses,
        before=before,
        after=after,
        rounds=done,
        reached=not short.any(),
    )


def warehouse_step(
    warehouses: LeadTimeDemand,
    source: np.ndarray,
    short: np.ndarray,
    target: np.ndarray,
    after: Evaluation,
) -> np.ndarray:
    """The rise of each warehouse level: a Newton step on its echelon demand from its
    in-stock share of days to the highest target of its short stores, where it serves a
    short store and was in stock less often than that target asks; 0 elsewhere.

    A store whose warehouse is out of stock waits beyond its own lead time, which its own
    level only covers at a high price; a warehouse in stock as often as its stores'
    target is not what holds them back, and is left alone (least cost).
    """
    wanted = np.zeros(len(warehouses.ni))
    for k, w in enumerate(warehouses.ni):
        below = short & (source == w)
        if below.any():
            wanted[k] = target[below].max()
    in_stock = 1.0 - after.stockout[warehouses.ni]
    raise_ = in_stock < wanted
    step = newton_step(warehouses, in_stock, np.maximum(wanted, 1e-3))
    return np.where(raise_, step, 0.0)


def evaluate(
    network: Network, *, seed: int, n: int, days: int, plan: PlanSchedule | None = None
) -> Evaluation:
    """``n`` replications of ``network`` (seeds ``(seed, 0 … n−1)``) and their summaries."""
    reps = [run_replication(network, seed=seed, index=i, days=days, plan=plan) for i in range(n)]
    rows = np.stack([r.service for r in reps])
    half = np.zeros(rows.shape[1])
    if n > 1:
        half = stats.t.ppf(0.975, n - 1) * rows.std(axis=0, ddof=1) / math.sqrt(n)
    kpis = {name: summarise(np.array([r.kpis[name] for r in reps])) for name in KPI_NAMES}
    for name in COST_NAMES:
        kpis[name] = summarise(np.array([r.costs[name] for r in reps]))
    stockout = np.stack([r.stockout_share for r in reps]).mean(axis=0)
    return Evaluation(rows.mean(axis=0), half, kpis, stockout)
