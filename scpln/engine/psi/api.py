"""The public entry points: :func:`simulate` a config, or :func:`simulate_network` arrays."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from scpln.engine import ENGINE_VERSION
from scpln.engine.canonical import CanonicalConfig

from .compile import compile_network
from .constraints import Constraints, unsourced_components
from .costs import cost_trace, cost_trace_table, daily_accounts, pl_frame
from .frames import PSI_SCHEMA_VERSION, psi_frame
from .fused import compiled_loaded, numba_available
from .kernel import run_compiled_loop, run_kernel
from .kpis import compute_kpis
from .network import MODE_NONE, Network
from .plan import PLAN_DIGEST, PlanSchedule
from .record import KernelResult

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Progress = Callable[[float], None]
_KERNEL_SHARE = 0.9  # of the progress bar; frames, costs and KPIs take the rest


@dataclass(eq=False)
class SimulationResult:
    """A run's output. The tables (``psi``, ``pl``, ``trace``) are built from ``raw`` on
    first access: the PSI table alone is hundreds of megabytes of fresh memory on a large
    network, and KPIs, hashes and warnings need none of them.

    ``input_hash`` identifies everything the numbers depend on: the compiled network
    (every array the simulation reads, so config fields it ignores do not count), days,
    mode, the seed of a stochastic run, the plan and the output schema. With the same
    ``engine_version`` the same hash gives the same numbers.
    """

    kpis: dict[str, Any]
    input_hash: str
    seed: int | None
    days: int
    stochastic: bool
    warnings: list[str]
    raw: KernelResult = field(repr=False)
    accounts: dict[str, np.ndarray] = field(repr=False)
    schema_version: str = PSI_SCHEMA_VERSION
    engine_version: str = ENGINE_VERSION

    @cached_property
    def psi(self) -> pd.DataFrame:
        """The PSI table: ``day, node, item`` and every metric, a row per day × node-item."""
        return psi_frame(self.raw)

    @cached_property
    def pl(self) -> pd.DataFrame:
        """The daily P&L: ``day``, revenue, every cost account, total cost, profit."""
        return pl_frame(self.accounts)

    @cached_property
    def trace(self) -> pd.DataFrame:
        """Cost trace: ``day, node, item, arc, account, quantity, amount`` (non-zero rows)."""
        return cost_trace(self.raw)

    def trace_table(self) -> pa.Table:
        """:attr:`trace` as an Arrow table, built afresh (not kept): how a run stores it."""
        return cost_trace_table(self.raw)


def load_compiled_loop() -> bool:
    """Load the compiled day loop into this process, so that ``SCPLN_PSI_KERNEL=auto``
    compiles every run it can from then on (``fused.use_compiled``): a worker calls it once
    at start-up (config/celery.py), in a thread, rather than its first large run leaving
    the loop on numpy. It simulates a one-store week compiled: 0.5–2 s with Numba's cache
    warm, tens of seconds of compiling when cold. False where Numba is not installed."""
    if not numba_available():
        return False
    from scpln.engine.canonical import load_config
    from scpln.engine.canonical.generator import generate_config

    tiny = generate_config(skus=1, stores=1, dcs=1, factories=1, days=7, seed=1)
    run_compiled_loop(compile_network(load_config(tiny)), 7)
    return compiled_loaded()


def simulate(
    config: CanonicalConfig,
    *,
    seed: int | None = None,
    days: int | None = None,
    stochastic: bool = False,
    plan: PlanSchedule | pd.DataFrame | None = None,
    constraints: Constraints | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate a validated canonical config day by day (see ``docs/engine.md``).

    ``days`` defaults to the config's planning horizon. Deterministic runs use demand
    means; ``stochastic=True`` draws demand from a generator seeded with ``seed`` (a
    fresh seed, returned in the result, when None). ``plan`` switches the factories to
    plan-driven production. ``constraints`` turns the material, capacity and lead-time
    limits off (default: those the plan was made under, else all on).
    ``progress(fraction)`` is called as the run advances; an exception it raises stops
    the run and propagates (cooperative cancellation).
    """
    network = compile_network(config, days=days)
    return simulate_network(
        network,
        seed=seed,
        days=days,
        stochastic=stochastic,
        plan=plan,
        constraints=constraints,
        progress=progress,
    )


def simulate_network(
    network: Network,
    *,
    seed: int | None = None,
    days: int | None = None,
    stochastic: bool = False,
    plan: PlanSchedule | pd.DataFrame | None = None,
    constraints: Constraints | None = None,
    progress: Progress | None = None,
    compiled_from: int | None = None,
) -> SimulationResult:
    """:func:`simulate` for a network already in array form (tests, benchmarks, the CLI).

    ``compiled_from``: under ``SCPLN_PSI_KERNEL=auto``, the run takes the compiled day loop
    from this many node-item-days (None: only as the environment says). A one-off process
    that does not yet pay for loading Numba passes it; ``SCPLN_PSI_COMPILED_FROM``, when
    set, wins (see ``fused.use_compiled``)."""
    days = days if days is not None else network.horizon_days
    if stochastic and seed is None:
        seed = secrets.randbits(63)
    rng = np.random.default_rng(seed) if stochastic else None
    if plan is not None and not isinstance(plan, PlanSchedule):  # a plan frame
        plan = PlanSchedule.from_frame(plan, start_date=network.start_date)
    if constraints is None:
        constraints = plan.constraints if plan is not None else Constraints()
    if plan is not None and plan.constraints != constraints:
        plan = replace(plan, constraints=constraints)
    unconstrained = network
    network = constraints.apply(network)
    schedule = plan.schedule(network, days) if plan is not None else None
    kernel_progress = None
    if progress is not None:
        report = progress

        def kernel_progress(done: float) -> None:
            report(done * _KERNEL_SHARE)

    raw = run_kernel(
        network,
        days=days,
        rng=rng,
        schedule=schedule,
        progress=kernel_progress,
        compiled_from=compiled_from,
    )
    accounts = daily_accounts(raw)
    kpis = compute_kpis(raw, accounts)
    if progress is not None:
        progress(1.0)
    return SimulationResult(
        kpis=kpis,
        input_hash=_input_hash(network, days, stochastic, seed, plan),
        seed=seed,
        days=days,
        stochastic=stochastic,
        warnings=supply_warnings(network) + assumed_warnings(unconstrained, raw),
        raw=raw,
        accounts=accounts,
    )


def input_hash(
    config: CanonicalConfig,
    *,
    days: int | None,
    stochastic: bool,
    seed: int | None,
    plan: PlanSchedule | None,
    plan_scheme: str = PLAN_DIGEST,
) -> str:
    """The ``input_hash`` :func:`simulate` gives these inputs, with the plan's digest written as
    ``plan_scheme`` (``PLAN_DIGEST_SCHEMES``): how a run recorded under an earlier scheme is
    compared with its re-run."""
    network = compile_network(config, days=days)
    constraints = plan.constraints if plan is not None else Constraints()
    return _input_hash(
        constraints.apply(network),
        days if days is not None else network.horizon_days,
        stochastic,
        seed,
        plan,
        plan_scheme=plan_scheme,
    )


def supply_warnings(net: Network) -> list[str]:
    """Node-items that sell, ship or feed production but that nothing can replenish."""
    feeds = np.zeros(net.size, bool)
    feeds[net.src[net.src >= 0]] = True
    feeds[net.demand.ni] = True
    feeds[net.production.edge_comp] = True
    stuck = np.flatnonzero((net.mode == MODE_NONE) & feeds)
    return [
        f"{net.node_codes[net.ni_node[k]]}/{net.item_codes[net.ni_item[k]]}: no upstream node "
        "stocks or makes it, so only its opening stock can be used"
        for k in stuck
    ]


def config_supply_warnings(config: CanonicalConfig) -> list[str]:
    """:func:`supply_warnings` of a config as the simulator compiles it: every location and
    factory component that something needs and nothing replenishes (the checks on the
    document see only demand no chain reaches; these are the network's own)."""
    return supply_warnings(compile_network(config))


def assumed_warnings(net: Network, raw: KernelResult) -> list[str]:
    """What a material-unconstrained run supplied at components nothing supplies."""
    free = unsourced_components(net)
    free = free[raw.network.mode[free] != net.mode[free]]
    supplied = raw.history.take("production", free).sum(axis=0, dtype=np.float64)
    return [
        f"{net.node_codes[net.ni_node[k]]}/{net.item_codes[net.ni_item[k]]}: nothing supplies "
        f"it; assumed available (material-unconstrained run): {units:.6g} units supplied"
        for k, units in zip(free.tolist(), supplied.tolist(), strict=True)
        if units > 0
    ]


def network_digest(net: Network) -> str:
    """sha256 of every array and label of a network, arcs and BOM edges in a canonical order.

    The arrays keep the config's row order of arcs and BOM lines (which changes nothing the
    kernel computes), but row order carries no meaning in a config, so the digest takes arcs
    by (from, to) and BOM edges by (product, component): reordering those rows keeps the hash.
    """
    digest = hashlib.sha256()
    canonical = _canonical_order(net)
    for f in fields(canonical):
        _feed(digest, getattr(canonical, f.name))
    return digest.hexdigest()


def _canonical_order(net: Network) -> Network:
    arcs = np.array(sorted(range(len(net.arc_ends)), key=net.arc_ends.__getitem__), np.int64)
    rank = np.full(len(arcs) + 1, -1, np.int64)  # the last entry maps "no arc" (-1) to -1
    rank[arcs] = np.arange(len(arcs))
    costs = net.costs
    per_arc = {
        f.name: getattr(costs, f.name)[arcs] for f in fields(costs) if f.name.startswith("arc_")
    }
    spec = net.production
    edges = np.lexsort((spec.edge_comp, spec.edge_prod))
    return replace(
        net,
        arc_ends=tuple(net.arc_ends[a] for a in arcs),
        arc=rank[net.arc],
        costs=replace(costs, **per_arc),
        production=replace(
            spec,
            edge_prod=spec.edge_prod[edges],
            edge_comp=spec.edge_comp[edges],
            edge_qty=spec.edge_qty[edges],
        ),
    )


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        digest.update(str(value.dtype).encode())
        digest.update(np.ascontiguousarray(value))  # its bytes, read in place: no copy
    elif hasattr(value, "__dataclass_fields__"):
        for f in fields(value):
            _feed(digest, getattr(value, f.name))
    else:
        digest.update(repr(value).encode())


def _input_hash(
    network: Network,
    days: int,
    stochastic: bool,
    seed: int | None,
    plan: PlanSchedule | None,
    plan_scheme: str = PLAN_DIGEST,
) -> str:
    document = {
        "network": network_digest(network),
        "days": days,
        "stochastic": stochastic,
        "seed": seed if stochastic else None,
        "plan": plan.digest(plan_scheme) if plan is not None else None,
        "schema": PSI_SCHEMA_VERSION,
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
