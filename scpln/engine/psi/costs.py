"""Money: the daily P&L and the cost trace, both computed from the same blocks.

Fixed charges (per arc, factory or item and day) apply on days the activity happened,
i.e. moved more than 1e-9 units, so rounding dust never triggers a fixed cost.

Every account is produced as *blocks*: for a run of days, a driver quantity and an
amount per entity (node-item, node, arc or factory). The P&L sums a block's amounts
per day; the trace lists its non-zero amounts one row each. Because both come from
the same arrays, the trace reconciles with the P&L exactly (up to the order of float
additions). Quantities are the float32 values of the PSI table, so anyone can recompute
a node-item account from the table and the rates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .levels import as_index
from .record import EPS, KernelResult

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .network import Network

REVENUE = "revenue"
COST_ACCOUNTS = (
    "cogs",
    "sga",
    "transport_fixed",
    "transport_variable",
    "transport_over_capacity",
    "production_fixed",
    "production_variable",
    "production_over_capacity",
    "storage_fixed",
    "storage_variable",
    "storage_over_capacity",
    "penalty_stockout",
    "penalty_backorder",
)
ACCOUNTS = (REVENUE, *COST_ACCOUNTS)
PL_COLUMNS = ("day", *ACCOUNTS, "total_cost", "profit")
TRACE_COLUMNS = ("day", "node", "item", "arc", "account", "quantity", "amount")
_CHUNK_DAYS = 32


@dataclass(frozen=True, eq=False)
class Block:
    """One account for days ``start … start+len-1`` and entities ``ids``.

    The amount is ``quantity × rate`` (a rate per entity) or, for charges that are not
    proportional (fixed fees), given as ``charged``.
    """

    account: str
    scope: str  # "node_item", "node", "arc" or "factory"
    ids: np.ndarray
    quantity: np.ndarray  # (days, len(ids))
    rate: np.ndarray | None = None
    charged: np.ndarray | None = None

    def amount(self) -> np.ndarray:
        if self.rate is not None:
            return self.quantity * self.rate
        assert self.charged is not None
        return self.charged

    def daily(self) -> np.ndarray:
        """Per-day totals; a matrix-vector product where the amount is proportional."""
        if self.rate is not None:
            return self.quantity @ self.rate
        return self.amount().sum(axis=1)


def daily_accounts(kr: KernelResult) -> dict[str, np.ndarray]:
    """Per day: revenue, every cost account, ``total_cost`` and ``profit`` (the P&L's
    columns but ``day``), as arrays: the KPIs read these, so they need no DataFrame."""
    pl = {account: np.zeros(kr.days) for account in ACCOUNTS}
    for start in range(0, kr.days, _CHUNK_DAYS):
        stop = min(start + _CHUNK_DAYS, kr.days)
        for block in _blocks(kr, start, stop):
            pl[block.account][start:stop] += block.daily()
    total = np.zeros(kr.days)
    for account in COST_ACCOUNTS:
        total += pl[account]
    pl["total_cost"] = total
    pl["profit"] = pl[REVENUE] - total
    return pl


def pl_frame(accounts: dict[str, np.ndarray]) -> pd.DataFrame:
    """The daily P&L table: one row per day, :data:`PL_COLUMNS`."""
    import pandas as pd

    days = len(accounts[REVENUE])
    return pd.DataFrame({"day": np.arange(days, dtype=np.int32), **accounts})


def cost_trace(kr: KernelResult) -> pd.DataFrame:
    """One row per (day, entity, account) with a non-zero amount, in day order."""
    import pandas as pd

    chunks, labels = _trace_chunks(kr)
    return pd.DataFrame(
        {
            name: (
                pd.Categorical.from_codes(values, categories=pd.Index(labels[name]))
                if name in labels
                else values
            )
            for name, values in _joined(chunks).items()
        }
    )


def cost_trace_table(kr: KernelResult) -> pa.Table:
    """:func:`cost_trace` as an Arrow table, built straight from the arrays: what a run
    stores. Its Parquet encoding decodes to :func:`cost_trace`'s frame, without the copies
    a DataFrame makes of 14 million rows' columns on the way (a 10,000-SKU year)."""
    import pyarrow as pa

    chunks, labels = _trace_chunks(kr)
    dictionaries = {name: pa.array(values, pa.string()) for name, values in labels.items()}

    def column(name: str) -> pa.ChunkedArray:
        pieces = [chunk[name] for chunk in chunks] or [np.empty(0, _dtype(name))]
        if name in dictionaries:
            return pa.chunked_array(
                [pa.DictionaryArray.from_arrays(p, dictionaries[name]) for p in pieces]
            )
        return pa.chunked_array(pieces)

    return pa.table({name: column(name) for name in TRACE_COLUMNS})


def _trace_chunks(
    kr: KernelResult,
) -> tuple[list[dict[str, np.ndarray]], dict[str, tuple[str, ...]]]:
    """The trace's columns in day order, one set of columns per chunk of days, and the labels
    of those given as codes (node, item, arc and account: int32 codes into their labels).

    Each chunk's parts are joined and dropped before the next chunk is made, so the process
    holds the trace about once, not its parts and then their join too (a 200,000-node-item
    year's trace is some 8 GB in memory). An Arrow table takes the chunks as they are."""
    net = kr.network
    chunks: list[dict[str, np.ndarray]] = []
    for start in range(0, kr.days, _CHUNK_DAYS):
        stop = min(start + _CHUNK_DAYS, kr.days)
        day_rows = np.zeros(stop - start, np.int64)
        chunk: list[dict[str, np.ndarray]] = []
        for block in _blocks(kr, start, stop):
            amount = block.amount()
            at = np.flatnonzero(amount)  # row-major: in day order
            rows, cols = np.divmod(at, amount.shape[1])
            node, item, arc = _labels(kr, block.scope, block.ids[cols])
            chunk.append(
                {
                    "day": start + rows,
                    "node": node,
                    "item": item,
                    "arc": arc,
                    "account": np.full(len(at), ACCOUNTS.index(block.account), np.int32),
                    "quantity": np.take(block.quantity, at),
                    "amount": np.take(amount, at),
                }
            )
            day_rows += np.bincount(rows, minlength=stop - start)
        # Rows go in day order, a day's rows part after part (the order a stable sort of the
        # parts' rows by day gives). A part is in day order already, so its rows of one day
        # are one slice of it and each column is those slices joined in that order: written
        # front to back, where scattering rows into place touched fresh memory at random
        # (most of a 50k-node-item run's recording time).
        bounds = [np.searchsorted(part["day"], np.arange(start, stop + 1)) for part in chunk]
        pieces: list[tuple[dict[str, np.ndarray], int, int]] = []
        for day in range(stop - start):
            for part, edges in zip(chunk, bounds, strict=True):
                lo, hi = int(edges[day]), int(edges[day + 1])
                if hi > lo:
                    pieces.append((part, lo, hi))
        if not pieces:
            continue
        days = np.arange(start, stop, dtype=np.int32)
        columns = {"day": np.repeat(days, day_rows)}
        for name in TRACE_COLUMNS[1:]:
            joined = [part[name][lo:hi] for part, lo, hi in pieces]
            columns[name] = np.concatenate(joined).astype(_dtype(name), copy=False)
        chunks.append(columns)
    labels = {
        "node": ("", *net.node_codes),
        "item": ("", *net.item_codes),
        "arc": ("", *(f"{a}->{b}" for a, b in net.arc_ends)),
        "account": ACCOUNTS,
    }
    return chunks, labels


def _dtype(name: str) -> type[np.generic]:
    return np.float64 if name in ("quantity", "amount") else np.int32


def _joined(chunks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The chunks' columns as one array each (a DataFrame's columns are contiguous)."""
    return {
        name: (
            np.concatenate([chunk[name] for chunk in chunks])
            if chunks
            else np.empty(0, _dtype(name))
        )
        for name in TRACE_COLUMNS
    }


def _labels(kr: KernelResult, scope: str, ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """Codes (offset by one; 0 is blank) of node, item and arc for trace rows."""
    net, blank = kr.network, np.zeros(len(ids), np.int32)
    if scope == "node_item":
        return net.ni_node[ids] + 1, net.ni_item[ids] + 1, blank
    if scope == "node":
        return ids + 1, blank, blank
    if scope == "factory":
        return net.production.factory[ids] + 1, blank, blank
    return _arc_from_nodes(net)[ids] + 1, blank, ids + 1


def _arc_from_nodes(net: Network) -> np.ndarray:
    """Each arc's from-node index, looked up once per network rather than once per trace row
    (a list search per row was most of a large run's arc rows)."""
    at = {code: i for i, code in enumerate(net.node_codes)}
    return np.array([at[start] for start, _end in net.arc_ends], np.int32)


def _blocks(kr: KernelResult, start: int, stop: int) -> Iterator[Block]:
    net, rates, h = kr.network, kr.network.costs, kr.history
    days = stop - start

    def columns(metric: str, ids: np.ndarray) -> np.ndarray:
        return h.take(metric, as_index(ids), slice(start, stop)).astype(np.float64)

    def per_unit(account: str, qty: np.ndarray, ids: np.ndarray, rate: np.ndarray) -> Block:
        return Block(account, "node_item", ids, qty, rate=rate)

    cust = net.demand.ni
    sold = columns("sales", cust)
    if len(kr.mixed_cols):
        sold[:, kr.mixed_cols] = kr.customer_sales_mixed[start:stop].astype(np.float64)
    yield per_unit(REVENUE, sold, cust, rates.sales_price[cust])
    yield per_unit("cogs", sold, cust, rates.unit_cost[cust])
    yield per_unit("sga", sold, cust, rates.sga[cust])
    for account, metric, rate in (
        ("penalty_stockout", "shortage", rates.stockout),
        ("penalty_backorder", "backlog", rates.backorder),
        ("storage_variable", "on_hand", rates.storage_variable),
    ):
        ids = np.flatnonzero(rate)
        yield per_unit(account, columns(metric, ids), ids, rate[ids])
    nodes = np.flatnonzero(rates.storage_fixed)
    ones = np.ones((days, len(nodes)))
    yield Block("storage_fixed", "node", nodes, ones, rate=rates.storage_fixed[nodes])
    if kr.node_on_hand is not None:
        over = np.maximum(kr.node_on_hand[start:stop] - rates.storage_capacity, 0.0)
        amount = _charge(over, rates.storage_over_fixed, rates.storage_over_variable)
        yield Block("storage_over_capacity", "node", np.arange(over.shape[1]), over, charged=amount)
    shipped = kr.arc_shipped[start:stop]
    arcs = np.arange(shipped.shape[1])
    used = (shipped > EPS) * 1.0
    yield Block("transport_fixed", "arc", arcs, used, rate=rates.arc_fixed)
    yield Block("transport_variable", "arc", arcs, shipped, rate=rates.arc_variable)
    over = np.where(rates.arc_hard, 0.0, np.maximum(shipped - rates.arc_capacity, 0.0))
    amount = _charge(over, rates.arc_over_fixed, rates.arc_over_variable)
    yield Block("transport_over_capacity", "arc", arcs, over, charged=amount)
    yield from _production_blocks(kr, start, stop)


def _production_blocks(kr: KernelResult, start: int, stop: int) -> Iterator[Block]:
    net, rates = kr.network, kr.network.costs
    prod = net.production.ni
    released = kr.history.take("orders", as_index(prod), slice(start, stop)).astype(np.float64)
    yield Block("production_variable", "node_item", prod, released, rate=rates.production_variable)
    made = (released > EPS) * 1.0
    yield Block("production_fixed", "node_item", prod, made, rate=rates.production_item_fixed)
    factories = np.arange(len(net.production.factory))
    busy = (kr.factory_released[start:stop] > EPS) * 1.0
    yield Block("production_fixed", "factory", factories, busy, rate=rates.production_fixed)
    over = kr.item_over[start:stop]
    amount = _charge(over, rates.production_item_over_fixed, rates.production_item_over_variable)
    yield Block("production_over_capacity", "node_item", prod, over, charged=amount)
    over = kr.factory_over[start:stop]
    amount = _charge(over, rates.production_over_fixed, rates.production_over_variable)
    yield Block("production_over_capacity", "factory", factories, over, charged=amount)


def _charge(over: np.ndarray, fixed: np.ndarray, variable: np.ndarray) -> np.ndarray:
    """A fixed fee on days with any excess, plus a rate per unit of excess."""
    return (over > EPS) * fixed + over * variable
