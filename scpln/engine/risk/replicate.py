"""One replication: a stochastic run reduced to what a replication set keeps.

A set keeps, per replication, the headline KPIs (:data:`KPI_NAMES`), the cycle service
level of every store node-item with customer demand (to count how often each misses its
target), and weekly network totals (:data:`SERIES_NAMES`) for quantile bands — never the
full PSI table, so a set of thousands of replications stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from scpln.engine.psi import Constraints, Network, PlanSchedule, simulate_network
from scpln.engine.psi.record import EPS, KernelResult

from .seeds import replication_seed

KPI_NAMES = ("fill_rate", "cycle_service_level", "avg_on_hand", "profit_total")
# Weekly network totals: customer sales and shortage summed over the week, on-hand at its
# last day. Weeks are blocks of 7 days from the first simulated day (the last may be short).
SERIES_NAMES = ("sales", "shortage", "on_hand")
WEEK_DAYS = 7


@dataclass(frozen=True, eq=False)
class Replication:
    """What a set keeps of replication ``index``, run with seed ``seed``."""

    index: int
    seed: int
    kpis: dict[str, float]
    service: np.ndarray  # cycle service level per store customer (customer_targets order)
    series: dict[str, np.ndarray]  # weekly totals, one array per SERIES_NAMES entry
    # holding (storage accounts) and shortage (stockout and backorder penalties) cost,
    # what the stock-level optimiser reports; not stored with a set
    costs: dict[str, float] = field(default_factory=dict)
    # per node-item, the share of days that ended with a shortage or an open backlog (for a
    # warehouse: orders of the lanes it supplies left unshipped), what the optimiser reads
    # to find a supplier that holds its stores back; not stored with a set
    stockout_share: np.ndarray = field(default_factory=lambda: np.zeros(0))


def run_replication(
    network: Network,
    *,
    seed: int,
    index: int,
    days: int | None = None,
    plan: PlanSchedule | None = None,
    constraints: Constraints | None = None,
) -> Replication:
    """Run replication ``index`` of the set seeded ``seed`` and reduce it.

    Two networks of the same shape (two plan versions of one config) run with the same
    ``seed`` and ``index`` draw the same demand: common random numbers, so their
    difference has far less noise than two independent runs.
    """
    run_seed = replication_seed(seed, index)
    result = simulate_network(
        network, seed=run_seed, days=days, stochastic=True, plan=plan, constraints=constraints
    )
    raw = result.raw
    return Replication(
        index=index,
        seed=run_seed,
        kpis={name: float(result.kpis[name]) for name in KPI_NAMES},
        service=store_cycle_service(raw),
        series=weekly_series(raw),
        costs=replication_costs(result.kpis["costs_by_account"]),
        stockout_share=stockout_share(raw),
    )


HOLDING_ACCOUNTS = ("storage_fixed", "storage_variable", "storage_over_capacity")
SHORTAGE_ACCOUNTS = ("penalty_stockout", "penalty_backorder")
COST_NAMES = ("holding_cost", "shortage_cost", "holding_shortage_cost")


def replication_costs(by_account: dict[str, float]) -> dict[str, float]:
    """Holding, shortage and their sum (:data:`COST_NAMES`) from a run's cost accounts."""
    holding = float(sum(by_account.get(a, 0.0) for a in HOLDING_ACCOUNTS))
    shortage = float(sum(by_account.get(a, 0.0) for a in SHORTAGE_ACCOUNTS))
    return {
        "holding_cost": holding,
        "shortage_cost": shortage,
        "holding_shortage_cost": holding + shortage,
    }


def store_customers(network: Network) -> np.ndarray:
    """Demand columns of store node-items, in the network's node-item order."""
    ni = network.demand.ni
    is_store = np.array([network.node_types[int(n)] == "store" for n in network.ni_node[ni]], bool)
    return np.flatnonzero(is_store)


def customer_targets(network: Network) -> tuple[list[tuple[str, str]], np.ndarray]:
    """(node, item) of every store customer and its target cycle service level.

    The target is the node's ``service_level``, which the compiler keeps as
    ``z = Φ⁻¹(service_level)``.
    """
    cols = store_customers(network)
    ni = network.demand.ni[cols]
    labels = [
        (network.node_codes[int(network.ni_node[k])], network.item_codes[int(network.ni_item[k])])
        for k in ni
    ]
    unit = NormalDist()
    targets = np.array([unit.cdf(float(network.z[k])) for k in ni], np.float64)
    return labels, targets


def stockout_share(raw: KernelResult) -> np.ndarray:
    """Per node-item, the share of the run's days that ended with a shortage or a backlog."""
    bad = (raw.history["shortage"] > EPS) | (raw.history["backlog"] > EPS)
    return bad.mean(axis=0, dtype=np.float64) if raw.days else np.zeros(bad.shape[1])


def store_cycle_service(raw: KernelResult) -> np.ndarray:
    """Each store customer's cycle service level in this run (``docs/engine.md``, KPIs).

    A cycle is in stock when none of its days ended with a shortage or a backlog. Under
    daily review a cycle is a day; with review period R and lead time L cycle k is days
    kR + L … kR + L + R − 1 (days before L form a first, short cycle, and the horizon's
    end closes the last one), as the kernel counts them for ``cycle_service_level``.
    """
    net = raw.network
    ni = net.demand.ni[store_customers(net)]
    bad = (raw.history["shortage"][:, ni] > EPS) | (raw.history["backlog"][:, ni] > EPS)
    review = np.maximum(net.review_period[ni], 1)
    out = 1.0 - bad.mean(axis=0, dtype=np.float64) if len(ni) else np.zeros(0)
    day = np.arange(bad.shape[0])
    for c in np.flatnonzero(review > 1):
        # Cycles end on the days t ≡ L − 1 (mod R), as the kernel closes them.
        cycle = (day - int(net.lead_time[ni[c]])) // int(review[c])
        cycle -= cycle[0] if len(cycle) else 0
        failed = np.bincount(cycle, weights=bad[:, c]) > 0
        out[c] = 1.0 - failed.mean() if len(failed) else 1.0
    return out


def weekly_series(raw: KernelResult) -> dict[str, np.ndarray]:
    """Weekly network totals of customer sales, customer shortage and end-of-week on-hand."""
    days = raw.days
    starts = np.arange(0, days, WEEK_DAYS)
    ends = np.minimum(starts + WEEK_DAYS, days) - 1
    on_hand = raw.on_hand_by_type.sum(axis=1)
    return {
        "sales": np.add.reduceat(raw.customer_day["sales"], starts) if days else np.zeros(0),
        "shortage": np.add.reduceat(raw.customer_day["shortage"], starts) if days else np.zeros(0),
        "on_hand": on_hand[ends],
    }
