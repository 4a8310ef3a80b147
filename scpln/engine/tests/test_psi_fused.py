"""The compiled day loop gives bit-identical results to the numpy one, and takes over
only where it models everything the network uses."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scpln.engine.canonical import load_config
from scpln.engine.canonical.generator import generate_config
from scpln.engine.psi import (
    Constraints,
    Network,
    NetworkBuilder,
    SimulationResult,
    compile_network,
    record,
    simulate_network,
)
from scpln.engine.psi.api import load_compiled_loop
from scpln.engine.psi.fused import (
    KERNEL_ENV,
    THRESHOLD_ENV,
    compiled_from,
    compiled_loaded,
    kernel_choice,
    stores_fusable,
    unsupported,
    use_compiled,
)
from scpln.engine.psi.fused_loop import (
    _block_sum,
    pairwise_combine,
    pairwise_leaves,
    pairwise_sum,
    run_days,
)

REFERENCES = ("mono_node_sample_2Mths", "multi_node_sample_3Mths", "multi_node_sample_6Mths")


def _run(
    net: Network, kernel: str, monkeypatch: pytest.MonkeyPatch, **kw: object
) -> SimulationResult:
    monkeypatch.setenv(KERNEL_ENV, kernel)
    return simulate_network(net, **kw)  # type: ignore[arg-type]


def _assert_identical(a: SimulationResult, b: SimulationResult) -> None:
    """Every recorded array, the PSI table, the P&L and the KPIs, to the bit."""
    for f in fields(a.raw):
        x, y = getattr(a.raw, f.name), getattr(b.raw, f.name)
        if isinstance(x, Mapping):
            assert x.keys() == y.keys()
            for key in x:
                np.testing.assert_array_equal(x[key], y[key], err_msg=f"{f.name}[{key}]")
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
    pd.testing.assert_frame_equal(a.psi, b.psi, check_exact=True)
    pd.testing.assert_frame_equal(a.pl, b.pl, check_exact=True)
    assert a.kpis == b.kpis


def _both(net: Network, monkeypatch: pytest.MonkeyPatch, **kw: object) -> SimulationResult:
    plain = _run(net, "numpy", monkeypatch, **kw)
    fused = _run(net, "compiled", monkeypatch, **kw)
    _assert_identical(plain, fused)
    return fused


@pytest.mark.reference
@pytest.mark.parametrize("name", REFERENCES)
@pytest.mark.parametrize("stochastic", [False, True])
def test_reference_configs_give_identical_results_on_both_loops(
    reference_dir: Path, name: str, stochastic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = compile_network(load_config(reference_dir / "canonical" / f"{name}.json"))
    assert unsupported(net, schedule=None) is None
    result = _both(net, monkeypatch, stochastic=stochastic, seed=11)
    assert result.kpis["demand_total"] > 0


@pytest.mark.parametrize("stochastic", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_generated_networks_give_identical_results_on_both_loops(
    seed: int, stochastic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # stores losing sales, normal and Poisson demand, BOMs, unlimited suppliers
    document = generate_config(skus=12, stores=9, dcs=3, factories=2, days=120, seed=seed)
    net = compile_network(load_config(document))
    result = _both(net, monkeypatch, stochastic=stochastic, seed=seed)
    assert result.kpis["lost_sales_total"] > 0 or result.kpis["shortage_total"] >= 0


def _features() -> NetworkBuilder:
    """Every policy and limit the compiled loop models, on one small network."""
    b = NetworkBuilder(horizon_days=80)
    for code in ("A", "B", "C", "M"):
        b.item(code, sales_price=9.0, unit_cost=4.0, sga=0.5)
    b.node("SUP", "supplier", unlimited=True)
    b.node("F", "factory", storage_capacity=50.0, storage_over_variable=0.1)
    b.node("DC", "warehouse", review_period=3, backorder_cost=0.2)
    b.node("S1", "store", lost_sales=True, stockout_cost=1.0)
    b.node("S2", "store", review_period=2, backorder_cost=0.3)
    b.node("S3", "store", storage_capacity=20.0, storage_over_fixed=1.0)
    b.arc("SUP", "F", lead_time=2, capacity=30.0, hard_capacity=True)
    b.arc("F", "DC", lead_time=3, capacity=25.0, hard_capacity=True, cost_fixed=1.0)
    b.arc("DC", "S1", lead_time=1, cost_variable=0.1, moq={"A": 5.0}, multiple={"A": 4.0})
    b.arc("DC", "S2", lead_time=2, capacity=6.0, over_variable=0.5)
    b.arc("DC", "S3", lead_time=0)
    b.arc("F", "S3", lead_time=1)
    b.factory("F", capacity=18.0, hard_capacity=True, over_variable=0.2)
    b.produce("F", "A", lead_time=1, capacity=9.0, hard_capacity=True)
    b.produce("F", "B", lead_time=0, capacity=6.0, over_variable=0.3)
    b.bom("A", "M", quantity=2.0, scrap=0.05)
    b.bom("B", "M", quantity=1.0)
    b.stock("SUP", "M")
    b.stock("F", "M", initial=20.0, reorder_point=15.0, order_up_to=60.0)
    b.stock("F", "A", initial=10.0)
    b.stock("F", "B", initial=5.0, reorder_point=8.0, order_quantity=7.0)
    b.stock("F", "C", initial=400.0)
    b.stock("DC", "A", initial=15.0, reorder_point=20.0, order_up_to=45.0, multiple=5.0)
    b.stock("DC", "B", initial=10.0, safety_stock=4.0)
    b.stock("DC", "C", initial=30.0, reorder_point=12.0, order_quantity=9.0)
    b.stock("S1", "A", initial=4.0, reorder_point=3.0, order_up_to=9.0)
    b.stock("S1", "B", initial=3.0, reorder_point=2.0, order_quantity=4.0, moq=6.0)
    b.stock("S2", "A", initial=6.0, reorder_point=5.0, order_up_to=12.0)
    b.stock("S2", "C", initial=2.0)
    b.stock("S3", "B", initial=1.0, reorder_point=2.0, order_up_to=5.0)
    b.demand("S1", "A", first_day=0, last_day=39, mean=3.0, sd=1.0)
    b.demand("S1", "A", first_day=40, last_day=79, mean=5.0, sd=2.0, model="poisson")
    b.demand("S1", "B", first_day=0, last_day=79, mean=1.5, model="poisson")
    b.demand("S2", "A", first_day=10, last_day=69, mean=2.5, sd=0.8)
    b.demand("S2", "C", first_day=0, last_day=79, mean=1.0, model="deterministic")
    b.demand("S3", "B", first_day=0, last_day=79, mean=1.2, sd=0.5)
    b.demand("DC", "C", first_day=0, last_day=79, mean=0.7, model="poisson")
    b.demand("F", "C", first_day=5, last_day=60, mean=2.0, model="deterministic")
    return b


@pytest.mark.parametrize("stochastic", [False, True])
def test_every_modelled_feature_gives_identical_results_on_both_loops(
    stochastic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = _features().build()
    assert unsupported(net, schedule=None) is None
    result = _both(net, monkeypatch, stochastic=stochastic, seed=5)
    # the limits bind, so rationing, capacity cuts and component shortages were exercised
    assert result.kpis["shortage_total"] > 0
    assert result.kpis["lost_sales_total"] > 0
    assert result.pl["transport_over_capacity"].sum() > 0


def _many_stores(*, mixed_types: bool) -> Network:
    """A warehouse and 150 stores of two items: 300 store node-items, so the store pass
    sums its level over several blocks. Stores lose sales or backorder, review every day
    or every 2 or 3 days, some order lots of Q or round to MOQs and multiples, some close
    on Sundays and some lanes draw their lead time; ``mixed_types``: a second warehouse
    among the stores (on-hand by type per node-item)."""
    b = NetworkBuilder(horizon_days=50)
    for code in ("A", "B"):
        b.item(code, sales_price=6.0, unit_cost=2.0)
    b.node("SUP", "supplier", unlimited=True)
    b.node("DC", "warehouse", backorder_cost=0.1)
    b.arc("SUP", "DC", lead_time=2)
    for code in ("A", "B"):
        b.stock("SUP", code)
        b.stock("DC", code, initial=400.0, reorder_point=300.0, order_up_to=900.0)
    stores = [f"S{j:03d}" for j in range(150)]
    if mixed_types:
        b.node("W2", "warehouse")
        stores.insert(70, "W2")
    for j, code in enumerate(stores):
        if code != "W2":
            b.node(code, "store", lost_sales=j % 3 == 0, review_period=1 + j % 3)
        if j % 7 == 0:
            b.calendar(code, [day % 7 != 6 for day in range(50)])
        spread = {1: 0.5, 2: 0.3, 4: 0.2} if j % 5 == 0 else None
        rounding = {"moq": {"B": 5.0}, "multiple": {"B": 2.0}} if j % 4 == 3 else {}
        b.arc("DC", code, lead_time=1 + j % 2, lead_time_distribution=spread, **rounding)
        for i, item in enumerate(("A", "B")):
            if j % 4 == 1:  # (R, Q) with an MOQ
                b.stock(code, item, initial=3.0, reorder_point=2.0, order_quantity=3.0, moq=4.0)
            else:
                b.stock(code, item, initial=3.0 + j % 4, reorder_point=2.0 + i, order_up_to=8.0)
            model = "poisson" if (j + i) % 2 else "normal"
            b.demand(
                code, item, first_day=0, last_day=49, mean=1.0 + (j % 5) / 2, sd=1.0, model=model
            )
    return b.build()


@pytest.mark.parametrize("mixed_types", [False, True])
@pytest.mark.parametrize("stochastic", [False, True])
@pytest.mark.parametrize("reported", [False, True])
def test_a_level_of_many_stores_is_identical_on_both_loops(
    mixed_types: bool, stochastic: bool, reported: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``reported``: progress is reported, so the compiled loop runs in chunks of days (one
    call per day here) and the stores' state crosses from one call to the next."""
    net = _many_stores(mixed_types=mixed_types)
    assert net.working is not None and net.lead_times is not None
    # the backlog is stored at some node-items: the store pass records its own columns
    assert record.recorded_columns(net)["backlog"] is not None
    fused: list[bool] = []

    def noted(*args: np.ndarray) -> bool:
        fused.append(stores_fusable(*args))
        return fused[-1]

    monkeypatch.setattr("scpln.engine.psi.fused.stores_fusable", noted)
    done: list[float] = []
    progress = done.append if reported else None
    result = _both(net, monkeypatch, stochastic=stochastic, seed=3, progress=progress)
    assert fused == [True]  # the store pass ran
    assert bool(done) is reported
    assert result.kpis["lost_sales_total"] > 0 and result.kpis["shortage_total"] > 0


def test_a_material_unconstrained_run_is_identical_on_both_loops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    b = _features()
    b.node("F2", "factory")
    b.produce("F2", "C", lead_time=1)
    b.bom("C", "X", quantity=1.0)  # nothing supplies X
    b.arc("F2", "DC", lead_time=1)
    b.stock("F2", "C", reorder_point=5.0, order_up_to=20.0)
    net = b.build()
    _both(net, monkeypatch, constraints=Constraints(material=False), stochastic=True, seed=2)


@pytest.mark.parametrize("stochastic", [False, True])
def test_calendars_supplier_caps_and_lead_time_distributions_are_identical_on_both_loops(
    stochastic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = _features()
    b.calendar("DC", [day % 7 < 5 for day in range(60)])  # days off; works again from day 60
    b.calendar("F", [day % 5 != 3 for day in range(80)])
    b.calendar("SUP", [day % 9 != 0 for day in range(80)])
    b.supply_window("SUP", first_day=0, last_day=79, capacity=8.0)
    b.supply_window("SUP", first_day=20, last_day=49, capacity=3.0, item="M")
    b.arc("SUP", "DC", lead_time=3, lead_time_distribution={2: 0.3, 3: 0.5, 6: 0.2})
    b.stock("SUP", "C")
    b.stock("DC", "C", initial=30.0, reorder_point=12.0, order_quantity=9.0)
    net = b.build()
    assert net.working is not None and net.supply is not None and net.lead_times is not None
    assert unsupported(net, schedule=None) is None
    result = _both(net, monkeypatch, stochastic=stochastic, seed=9)
    assert result.kpis["shortage_total"] > 0


@pytest.mark.parametrize("stochastic", [False, True])
def test_plan_driven_production_is_identical_on_both_loops(
    stochastic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # weekly receipts of A (lead time 1: released the day before) and B, with a week
    # beyond the factory's hard capacity so shortfalls carry over
    plan = pd.DataFrame(
        {"item": ["A", "A", "B", "A"], "day": [7, 14, 7, 28], "quantity": [40.0, 90.0, 20.0, 0.0]}
    )
    result = _both(_features().build(), monkeypatch, plan=plan, stochastic=stochastic, seed=4)
    assert result.raw.history["orders"].sum() > 0


def test_multi_sourcing_and_early_plan_releases_fall_back_to_the_numpy_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    net = _sourced()
    assert unsupported(net, schedule=None) == "multi-sourcing rules"
    monkeypatch.setenv(KERNEL_ENV, "auto")
    monkeypatch.setenv(THRESHOLD_ENV, "0")
    assert not use_compiled(net, days=80, schedule=None)
    plain = _run(net, "numpy", monkeypatch, stochastic=True, seed=1)
    _assert_identical(plain, _run(net, "auto", monkeypatch, stochastic=True, seed=1))
    # ... and forcing the compiled loop on it is refused rather than approximated
    monkeypatch.setenv(KERNEL_ENV, "compiled")
    with pytest.raises(ValueError, match="multi-sourcing rules"):
        simulate_network(net)
    # a lead-time-unconstrained plan makes releases due before day 0 on day 0
    plan = pd.DataFrame({"item": ["A"], "day": [0], "quantity": [40.0]})
    unconstrained = Constraints(lead_time=False)
    with pytest.raises(ValueError, match="before the run"):
        simulate_network(_features().build(), plan=plan, constraints=unconstrained)
    monkeypatch.setenv(KERNEL_ENV, "auto")
    result = simulate_network(_features().build(), plan=plan, constraints=unconstrained)
    assert result.raw.history["orders"][0].sum() > 0


def _sourced() -> Network:
    b = _features()
    b.arc("SUP", "DC", lead_time=4)
    b.stock("SUP", "C")
    b.source("DC", "C", "F", priority=1, share=0.5)
    b.source("DC", "C", "SUP", priority=1, share=0.5)
    return b.build()


def _unconstrained_material() -> Network:
    b = _features()
    b.node("F2", "factory")
    b.produce("F2", "C", lead_time=1)
    b.bom("C", "X", quantity=1.0)  # nothing supplies X: supplied at will
    b.arc("F2", "DC", lead_time=1)
    b.stock("F2", "C", reorder_point=5.0, order_up_to=20.0)
    return Constraints(material=False).apply(b.build())


@pytest.mark.parametrize("kernel", ["numpy", "compiled"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: _features().build(),
        _unconstrained_material,
        lambda: compile_network(
            load_config(generate_config(skus=12, stores=9, dcs=3, factories=2, days=90, seed=3))
        ),
        _sourced,
    ],
    ids=["features", "material-unconstrained", "generated", "multi-sourcing"],
)
@pytest.mark.parametrize("stochastic", [False, True])
def test_recording_metrics_only_where_they_can_move_changes_no_number(
    kernel: str, make: Callable[[], Network], stochastic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = make()
    if kernel == "compiled" and unsupported(net, schedule=None):
        kernel = "numpy"
    monkeypatch.setattr(record, "_SPARSE_SHARE", -1.0)  # every metric at every node-item
    whole = _run(net, kernel, monkeypatch, stochastic=stochastic, seed=6)
    monkeypatch.setattr(record, "_SPARSE_SHARE", 1.0)  # sparse wherever a metric can be
    sparse = _run(net, kernel, monkeypatch, stochastic=stochastic, seed=6)
    assert all(whole.raw.history.columns[m] is None for m in record.METRICS)
    narrow = [m for m in record.METRICS if sparse.raw.history.columns[m] is not None]
    # a deterministic run's customer demand is made from the network, not stored
    assert {"production", "consumption"} | (set() if stochastic else {"demand"}) <= set(narrow)
    assert all(sparse.raw.history.stored[m].shape[1] < net.size for m in narrow)
    ids = np.random.default_rng(1).permutation(net.size)[: net.size // 2 + 1]
    for m in narrow:  # read column by column (P&L, exceptions) without building the table
        np.testing.assert_array_equal(
            sparse.raw.history.take(m, ids, slice(3, 40)),
            whole.raw.history[m][3:40, ids],
            err_msg=m,
        )
    assert sparse.kpis == whole.kpis  # P&L and KPIs read the narrow tables as they are
    pd.testing.assert_frame_equal(sparse.pl, whole.pl, check_exact=True)
    pd.testing.assert_frame_equal(sparse.psi, whole.psi, check_exact=True)  # built whole


def test_the_kernel_switch_rejects_an_unknown_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KERNEL_ENV, "fortran")
    with pytest.raises(ValueError, match=KERNEL_ENV):
        kernel_choice()
    monkeypatch.setenv(KERNEL_ENV, "numpy")
    assert not use_compiled(_features().build(), days=80, schedule=None)
    monkeypatch.setenv(THRESHOLD_ENV, "many")
    with pytest.raises(ValueError, match=THRESHOLD_ENV):
        compiled_from()


def test_auto_compiles_large_runs_and_small_ones_once_the_loop_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    net = _features().build()  # 15 node-items
    monkeypatch.setenv(KERNEL_ENV, "auto")
    monkeypatch.setenv(THRESHOLD_ENV, "1_000")
    assert use_compiled(net, days=80, schedule=None)  # 1,200 node-item-days
    _run(net, "compiled", monkeypatch)  # this process now has the loop loaded ...
    monkeypatch.setenv(KERNEL_ENV, "auto")
    monkeypatch.setenv(THRESHOLD_ENV, "1_000_000")
    assert use_compiled(net, days=80, schedule=None)  # ... so it keeps it


def test_a_loop_still_being_imported_is_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    # a worker's loader thread imports the compiled loop while a job may already ask
    # whether it is loaded: the module is in ``sys.modules`` before ``run_days`` is in it
    monkeypatch.setitem(sys.modules, "scpln.engine.psi.fused_loop", types.ModuleType("partial"))
    monkeypatch.setenv(KERNEL_ENV, "auto")
    assert not compiled_loaded()
    assert not use_compiled(_features().build(), days=80, schedule=None)


@pytest.mark.parametrize("stochastic", [False, True])
def test_the_loop_loaded_at_start_up_runs_other_networks_without_compiling_again(
    stochastic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what a worker loads as it starts (a one-store week) must be the machine code its runs
    # use: a network of more segments and node-items passes the loop the same array types
    assert load_compiled_loop()
    loaded = len(run_days.signatures)
    document = generate_config(skus=5, stores=40, dcs=2, factories=1, days=90, seed=4)
    net = compile_network(load_config(document))
    monkeypatch.setenv(KERNEL_ENV, "auto")
    assert use_compiled(net, days=90, schedule=None)
    simulate_network(net, stochastic=stochastic, seed=4)
    assert len(run_days.signatures) == loaded


@pytest.mark.parametrize("stochastic", [False, True])
def test_echelon_base_stock_levels_are_identical_on_both_loops(
    stochastic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # base stocks from the service level at the store and its warehouse, and a demand step:
    # the warehouse reads the store's demand stream early (its levels come from numpy)
    b = NetworkBuilder(horizon_days=60)
    b.item("X", sales_price=5.0)
    b.node("SUP", "supplier", unlimited=True)
    b.node("DC", "warehouse", service_level=0.9)
    b.node("S", "store", service_level=0.97, review_period=2)
    b.arc("SUP", "DC", lead_time=3)
    b.arc("DC", "S", lead_time=2)
    b.stock("SUP", "X")
    b.stock("DC", "X", initial=20.0)
    b.stock("S", "X", initial=5.0)
    b.demand("S", "X", first_day=0, last_day=29, mean=3.0, sd=1.0)
    b.demand("S", "X", first_day=30, last_day=59, mean=6.0, sd=2.0)
    net = b.build()
    assert len(net.echelon.ni) > 0
    result = _both(net, monkeypatch, stochastic=stochastic, seed=8)
    assert result.kpis["sales_total"] > 0


def test_the_compiled_sum_adds_up_in_numpys_pairwise_order() -> None:
    # the day totals and arc shipments depend on it; a plain running sum differs in the
    # last bits from about 9 values on
    rng = np.random.default_rng(0)
    for n in [*range(40), 127, 128, 129, 198, 250, 255, 256, 1000, 8193, 100_003]:
        values = rng.random(n + 3) * 1e3
        assert 0.0 + pairwise_sum(values, 3, n) == values[3:].sum(), n
    values = rng.random(5000) * 1e3
    starts = np.array([0, 1, 9, 400, 4000])
    ends = [*starts[1:], len(values)]
    by_runs = np.add.reduceat(values, starts)
    for start, end, total in zip(starts, ends, by_runs, strict=True):
        assert values[start] + pairwise_sum(values, start + 1, end - start - 1) == total
    running = 0.0
    for v in values:
        running += v
    assert running != values.sum()  # the order matters for these values


def test_block_sums_add_up_to_numpys_pairwise_sum() -> None:
    # the store pass sums each block as it is produced and adds the block sums up
    rng = np.random.default_rng(1)
    for n in [1, 7, 128, 129, 256, 257, 1000, 4097, 100_003]:
        values = rng.random(n) * 1e3
        sizes = pairwise_leaves(n)
        assert sizes.sum() == n and (sizes <= 128).all()
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        sums = np.array([_block_sum(values, lo, m) for lo, m in zip(starts, sizes, strict=True)])
        assert 0.0 + pairwise_combine(sums, n) == values.sum(), n
