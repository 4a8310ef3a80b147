"""Declare a network by codes, get the arrays the kernel runs on.

:func:`scpln.engine.psi.compile.compile_network` translates a canonical config into
these declarations; tests and benchmarks use the builder directly, so the theory and
policy tests exercise exactly the code path a real config takes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field, fields
from datetime import date
from statistics import NormalDist
from typing import TypedDict

import numpy as np

from scpln.engine.canonical.table import distinct

from .assemble import assemble
from .network import DEMAND_MODEL_NAMES, DEMAND_MODELS, Network

INF = math.inf


@dataclass(frozen=True, eq=False)
class _PairRows:
    """Rows keyed by node and item, column-wise: both as codes into their labels."""

    node: np.ndarray  # int64, into ``node_labels``
    node_labels: tuple[str, ...]
    item: np.ndarray  # int64, into ``item_labels``
    item_labels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.node)

    def node_codes(self, labels: Sequence[str]) -> np.ndarray:
        """Each row's node as an index into ``labels`` (-1 where it is not among them)."""
        return _recode(self.node, self.node_labels, labels)

    def item_codes(self, labels: Sequence[str]) -> np.ndarray:
        """Each row's item as an index into ``labels`` (-1 where it is not among them)."""
        return _recode(self.item, self.item_labels, labels)


class _PairColumns(TypedDict):
    """:class:`_PairRows`' own fields, as keyword arguments of a table of rows."""

    node: np.ndarray
    node_labels: tuple[str, ...]
    item: np.ndarray
    item_labels: tuple[str, ...]


def _joined_pairs(parts: Sequence[_PairRows]) -> _PairColumns:
    """The node and item columns of ``parts`` one after another, as codes over the union
    of their labels (the keyword arguments of the joined rows)."""
    nodes = tuple(dict.fromkeys(code for part in parts for code in part.node_labels))
    items = tuple(dict.fromkeys(code for part in parts for code in part.item_labels))
    return {
        "node": np.concatenate([p.node_codes(nodes) for p in parts]).astype(np.int64),
        "node_labels": nodes,
        "item": np.concatenate([p.item_codes(items) for p in parts]).astype(np.int64),
        "item_labels": items,
    }


def _pair_codes(rows: Sequence[tuple]) -> _PairColumns:
    """Rows declared one by one, each starting with its node and item: the node and item
    columns as codes into their labels (the keyword arguments of the rows' table)."""
    nodes = tuple(dict.fromkeys(r[0] for r in rows))
    items = tuple(dict.fromkeys(r[1] for r in rows))
    node_ix = {c: i for i, c in enumerate(nodes)}
    item_ix = {c: i for i, c in enumerate(items)}
    return {
        "node": np.array([node_ix[r[0]] for r in rows], np.int64),
        "node_labels": nodes,
        "item": np.array([item_ix[r[1]] for r in rows], np.int64),
        "item_labels": items,
    }


@dataclass(frozen=True, eq=False)
class DemandRows(_PairRows):
    """Customer demand rows column-wise (a generated network has millions of them):
    node, item and model as codes into their labels, days and daily mean and sd."""

    model: np.ndarray  # int64, into ``DEMAND_MODEL_NAMES``
    first_day: np.ndarray  # int64
    last_day: np.ndarray  # int64
    mean: np.ndarray  # float64
    sd: np.ndarray  # float64

    @staticmethod
    def concat(parts: Sequence[DemandRows]) -> DemandRows:
        """The rows of ``parts`` one after another, codes over the union of their labels."""

        def joined(name: str, dtype: type) -> np.ndarray:
            return np.concatenate([np.asarray(getattr(p, name), dtype) for p in parts])

        return DemandRows(
            **_joined_pairs(parts),
            model=joined("model", np.int64),
            first_day=joined("first_day", np.int64),
            last_day=joined("last_day", np.int64),
            mean=joined("mean", np.float64),
            sd=joined("sd", np.float64),
        )


@dataclass(frozen=True, eq=False)
class StockRows(_PairRows):
    """Inventory policies column-wise (a 200k network has 200,000 of them): per row its
    node and item as codes, and its :class:`StockDecl` fields in ``values`` (float64,
    one column per field in ``STOCK_FIELDS`` order, NaN where a level or rate is not
    given). When a node-item has several rows, the last one holds."""

    values: np.ndarray  # (rows, len(STOCK_FIELDS)) float64

    @staticmethod
    def concat(parts: Sequence[StockRows]) -> StockRows:
        """The rows of ``parts`` one after another, codes over the union of their labels."""
        values = np.concatenate([p.values for p in parts]).reshape(-1, len(STOCK_FIELDS))
        return StockRows(**_joined_pairs(parts), values=values)

    def fields_of(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Each field of ``rows`` (row positions; -1: no policy, the :class:`StockDecl`
        defaults) as a column."""
        no_stock = np.array([astuple(StockDecl())], np.float64)
        table = np.concatenate([self.values, no_stock])[rows]  # -1: the last row
        return {name: table[:, j].copy() for j, name in enumerate(STOCK_FIELDS)}


def _declared_stock(rows: Sequence[tuple[str, str, tuple[float | None, ...]]]) -> StockRows:
    """Policies declared one by one (node, item, :class:`StockDecl` fields) as a table."""
    values = np.array([r[2] for r in rows], np.float64).reshape(-1, len(STOCK_FIELDS))
    return StockRows(**_pair_codes(rows), values=values)


def _recode(codes: np.ndarray, labels: tuple[str, ...], into: Sequence[str]) -> np.ndarray:
    if labels == tuple(into):  # already coded so (compiled rows: sorted codes)
        return np.asarray(codes, np.int64)
    where = {code: i for i, code in enumerate(into)}
    lookup = np.array([where.get(code, -1) for code in labels], np.int64)
    return lookup[codes] if len(codes) else np.zeros(0, np.int64)


def _unknown_nodes(rows: _PairRows, codes: np.ndarray) -> set[str]:
    """The nodes ``rows`` name that ``codes`` (their :meth:`~_PairRows.node_codes`) did not
    find."""
    if not (codes < 0).any():
        return set()
    return {rows.node_labels[i] for i in np.unique(rows.node[codes < 0]).tolist()}


@dataclass
class ItemDecl:
    sales_price: float = 0.0
    unit_cost: float = 0.0
    sga: float = 0.0


@dataclass
class NodeDecl:
    node_type: str
    unlimited: bool = False
    lost_sales: bool = False
    review_period: int = 1
    z: float = 0.0
    stockout_cost: float = 0.0
    backorder_cost: float = 0.0
    storage_fixed: float = 0.0
    storage_capacity: float = INF
    storage_over_fixed: float = 0.0
    storage_over_variable: float = 0.0
    working: tuple[bool, ...] | None = None  # per day from day 0; None: works every day


@dataclass
class ArcDecl:
    from_node: str
    to_node: str
    lead_time: int = 0
    capacity: float = INF
    hard_capacity: bool = False
    cost_fixed: float = 0.0
    cost_variable: float = 0.0
    over_fixed: float = 0.0
    over_variable: float = 0.0
    moq: Mapping[str, float] = field(default_factory=dict)
    multiple: Mapping[str, float] = field(default_factory=dict)
    # stochastic runs: lead time (days) → probability; empty: always ``lead_time``
    lead_time_distribution: Mapping[int, float] = field(default_factory=dict)


@dataclass
class StockDecl:
    initial: float = 0.0
    reorder_point: float | None = None
    order_up_to: float | None = None
    safety_stock: float | None = None
    moq: float = 0.0
    multiple: float = 0.0
    storage_cost: float = 0.0
    stockout_cost: float | None = None
    backorder_cost: float | None = None
    order_quantity: float | None = None  # (R, Q): with reorder_point, order multiples of Q


STOCK_FIELDS = tuple(f.name for f in fields(StockDecl))


@dataclass
class FactoryDecl:
    capacity: float = INF
    hard_capacity: bool = False
    cost_fixed: float = 0.0
    cost_variable: float = 0.0
    over_fixed: float = 0.0
    over_variable: float = 0.0


@dataclass
class ProduceDecl:
    lead_time: int = 0
    capacity: float = INF
    hard_capacity: bool = False
    cost_fixed: float = 0.0
    cost_variable: float | None = None
    over_fixed: float = 0.0
    over_variable: float = 0.0


@dataclass
class Window:
    """Something that holds on days ``first_day … last_day`` (inclusive)."""

    first_day: int
    last_day: int
    key: tuple[str, ...]
    values: tuple[float, ...]


class NetworkBuilder:
    """Collects nodes, items, arcs, stock, demand and production, then :meth:`build`s.

    All quantities are per day (demand means, capacities) or per unit / unit-day
    (costs); day numbers are 0-based like the canonical time model.
    """

    def __init__(self, *, horizon_days: int, start_date: date | None = None) -> None:
        if horizon_days <= 0:
            raise ValueError("horizon_days must be positive")
        self.horizon_days = horizon_days
        self.start_date = start_date
        self.items: dict[str, ItemDecl] = {}
        self.nodes: dict[str, NodeDecl] = {}
        self.arcs: list[ArcDecl] = []
        self._stock_rows: list[tuple[str, str, tuple[float | None, ...]]] = []
        self._stock_tables: list[StockRows] = []
        self.factories: dict[str, FactoryDecl] = {}
        self.produces: dict[tuple[str, str], ProduceDecl] = {}
        self.boms: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._demand_rows: list[tuple[str, str, int, int, float, float, str]] = []
        self._demand_tables: list[DemandRows] = []
        self.capacities: list[Window] = []
        self.rules: list[tuple[str, str, str, int, float]] = []
        self.supply_windows: list[Window] = []

    def item(
        self, code: str, *, sales_price: float = 0.0, unit_cost: float = 0.0, sga: float = 0.0
    ) -> None:
        self.items[code] = ItemDecl(sales_price, unit_cost, sga)

    def node(
        self,
        code: str,
        node_type: str,
        *,
        unlimited: bool = False,
        lost_sales: bool = False,
        review_period: int = 1,
        service_level: float = 0.95,
        stockout_cost: float = 0.0,
        backorder_cost: float = 0.0,
        storage_fixed: float = 0.0,
        storage_capacity: float = INF,
        storage_over_fixed: float = 0.0,
        storage_over_variable: float = 0.0,
    ) -> None:
        """A location. ``review_period`` ≤ 1 reviews daily; ``service_level`` in (0, 1)."""
        if not 0.0 < service_level < 1.0:
            raise ValueError(f"{code}: service_level must lie strictly between 0 and 1")
        self.nodes[code] = NodeDecl(
            node_type,
            unlimited,
            lost_sales,
            max(1, int(review_period)),
            NormalDist().inv_cdf(service_level),
            stockout_cost,
            backorder_cost,
            storage_fixed,
            storage_capacity,
            storage_over_fixed,
            storage_over_variable,
        )

    def calendar(self, node: str, working: Sequence[bool]) -> None:
        """``node`` produces, ships and receives only on the days ``working`` marks (from
        day 0; days past its end are worked). Customers still buy every day."""
        self.nodes[node].working = tuple(bool(w) for w in working)

    def source(
        self, node: str, item: str, from_node: str, *, priority: int = 1, share: float = 1.0
    ) -> None:
        """``node`` orders ``item`` from ``from_node`` (one of several sources): by
        ``priority`` (1 first), split by ``share`` within a priority, falling back to the
        next priority for what a source cannot ship (see ``docs/engine.md``)."""
        self.rules.append((node, item, from_node, int(priority), float(share)))

    def arc(self, from_node: str, to_node: str, **kwargs: object) -> None:
        """A lane goods take from ``from_node`` to ``to_node`` (see :class:`ArcDecl`)."""
        self.arcs.append(ArcDecl(from_node, to_node, **kwargs))  # type: ignore[arg-type]

    def stock(self, node: str, item: str, **kwargs: object) -> None:
        """``node`` keeps ``item`` in stock under a policy (see :class:`StockDecl`); a
        later policy for the same node-item replaces it."""
        self._use_item(item)
        decl = StockDecl(**kwargs)  # type: ignore[arg-type]
        self._stock_rows.append((node, item, astuple(decl)))

    def stock_table(self, rows: StockRows) -> None:
        """Many :meth:`stock` policies at once (a 200k network has 200,000): they never
        pass through Python one by one."""
        for item in distinct(rows.item, len(rows.item_labels)).tolist():
            self._use_item(rows.item_labels[item])
        self._flush_stock_rows()
        self._stock_tables.append(rows)

    def stock_rows(self) -> StockRows:
        """Every policy declared so far, in order of declaration, as one table."""
        self._flush_stock_rows()
        tables = self._stock_tables or [_declared_stock([])]
        return tables[0] if len(tables) == 1 else StockRows.concat(tables)

    def _flush_stock_rows(self) -> None:
        """The :meth:`stock` policies declared since the last table, as a table after it
        (so that a later policy still replaces an earlier one across both ways)."""
        if self._stock_rows:
            self._stock_tables.append(_declared_stock(self._stock_rows))
            self._stock_rows = []

    def demand(
        self,
        node: str,
        item: str,
        *,
        first_day: int,
        last_day: int,
        mean: float,
        sd: float = 0.0,
        model: str = "normal",
    ) -> None:
        """Customer demand per day on ``first_day … last_day`` (inclusive)."""
        self._demand_rows.append((node, item, first_day, last_day, mean, sd, model))

    def demand_table(self, rows: DemandRows) -> None:
        """Many :meth:`demand` rows at once. A generated network has millions of demand
        rows; they never pass through Python one by one."""
        self._demand_tables.append(rows)

    def demand_rows(self) -> DemandRows:
        """All demand rows declared so far, checked, as one table."""
        unknown = {row[6] for row in self._demand_rows} - set(DEMAND_MODELS)
        if unknown:
            raise ValueError(f"unknown demand model(s): {', '.join(sorted(map(str, unknown)))}")
        tables = [*self._demand_tables]
        if self._demand_rows or not tables:
            rows = self._demand_rows
            tables.append(
                DemandRows(
                    **_pair_codes(rows),
                    model=np.array([DEMAND_MODELS[r[6]] for r in rows], np.int64),
                    first_day=np.array([r[2] for r in rows], np.int64),
                    last_day=np.array([r[3] for r in rows], np.int64),
                    mean=np.array([r[4] for r in rows], np.float64),
                    sd=np.array([r[5] for r in rows], np.float64),
                )
            )
        table = tables[0] if len(tables) == 1 else DemandRows.concat(tables)
        if (
            len(table.model)
            and not ((table.model >= 0) & (table.model < len(DEMAND_MODEL_NAMES))).all()
        ):
            raise ValueError("unknown demand model code")
        for i in distinct(table.item, len(table.item_labels)).tolist():
            self._use_item(table.item_labels[i])
        return table

    def factory(self, node: str, **kwargs: object) -> None:
        """Node-level production capacity per day and production costs."""
        self.factories[node] = FactoryDecl(**kwargs)  # type: ignore[arg-type]

    def produce(self, node: str, item: str, **kwargs: object) -> None:
        """``node`` makes ``item``; item-level capacity, costs and production lead time."""
        self._use_item(item)
        self.factories.setdefault(node, FactoryDecl())
        self.produces[(node, item)] = ProduceDecl(**kwargs)  # type: ignore[arg-type]

    def capacity_window(
        self, node: str, *, first_day: int, last_day: int, capacity: float, item: str | None = None
    ) -> None:
        """Per-day capacity cap on ``first_day … last_day`` for a factory (or one item of it)."""
        key = (node,) if item is None else (node, item)
        self.capacities.append(Window(first_day, last_day, key, (float(capacity),)))

    def supply_window(
        self, node: str, *, first_day: int, last_day: int, capacity: float, item: str | None = None
    ) -> None:
        """A supplier ships at most ``capacity`` a day on ``first_day … last_day``: of ``item``,
        or of all its items together."""
        key = (node,) if item is None else (node, item)
        self.supply_windows.append(Window(first_day, last_day, key, (float(capacity),)))

    def bom(self, parent: str, child: str, *, quantity: float, scrap: float = 0.0) -> None:
        """Making one ``parent`` consumes ``quantity × (1 + scrap)`` of ``child``."""
        self._use_item(parent)
        self._use_item(child)
        self.boms[parent].append((child, quantity * (1.0 + scrap)))

    def _use_item(self, code: str) -> None:
        if code not in self.items:
            self.items[code] = ItemDecl()

    def node_items(self, demand: DemandRows, stock: StockRows) -> tuple[np.ndarray, np.ndarray]:
        """Every (node, item) the network stocks — declared, demanded, made or consumed —
        as indexes into the sorted node and item codes, sorted by node, then item."""
        nodes, items = sorted(self.nodes), sorted(self.items)
        node_ix = {c: i for i, c in enumerate(nodes)}
        item_ix = {c: i for i, c in enumerate(items)}
        width = len(items)
        pairs = [*self.produces]
        pairs += [(n, c) for n, p in self.produces for c, _ in self.boms.get(p, ())]
        s_node, d_node = stock.node_codes(nodes), demand.node_codes(nodes)
        unknown = sorted({n for n, _ in pairs if n not in node_ix} | _unknown_nodes(stock, s_node))
        unknown += sorted(_unknown_nodes(demand, d_node))
        if unknown:
            raise ValueError(f"undeclared nodes: {', '.join(unknown)}")
        codes = np.concatenate(
            [
                d_node * width + demand.item_codes(items),
                s_node * width + stock.item_codes(items),
                np.array([node_ix[n] * width + item_ix[i] for n, i in pairs], np.int64),
            ]
        )
        node, item = np.divmod(distinct(codes, len(nodes) * width), max(width, 1))
        return node, item

    def build(self) -> Network:
        return assemble(self)
