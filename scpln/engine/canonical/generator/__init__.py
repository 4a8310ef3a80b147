"""A deterministic generator of large, valid canonical-1.0 networks for tests and benchmarks.

Structure: material suppliers (``unlimited_supply``) → factories → DCs → stores. Every
SKU belongs to a product family and every family to one factory; every factory ships to
every DC; every store is served by one DC and sells every SKU. Demand is monthly
(``M1 … Mn``) with family seasonality: slow movers are ``poisson``, a share of the rest
``deterministic``, the others ``normal``. Policies are sized from that demand (base stock
with safety stock for each node's service level), so the network is plausible, not tuned.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NotRequired, TypedDict

from scpln.engine.canonical.generator.document import build_document
from scpln.engine.canonical.generator.plan import Plan
from scpln.engine.canonical.schema import DEFAULT_START_DATE


class NetworkShape(TypedDict):
    """The keyword arguments of :func:`generate_config`, for shapes kept as constants."""

    skus: int
    stores: int
    dcs: int
    factories: int
    materials: NotRequired[int | None]
    days: int
    seed: int
    start_date: NotRequired[date]


def generate_config(
    *,
    skus: int,
    stores: int,
    dcs: int,
    factories: int,
    materials: int | None = None,
    days: int,
    seed: int,
    start_date: date = DEFAULT_START_DATE,
) -> dict[str, Any]:
    """A canonical-1.0 document (a JSON-ready dict) of the given shape.

    The same arguments give the same document, byte for byte once dumped. ``materials``
    defaults to one per four SKUs (0: finished goods without a BOM). Node-items are
    ``skus × (stores + dcs)`` plus the materials each factory stocks.
    """
    if materials is None:
        materials = max(1, skus // 4)
    counts = {"skus": skus, "stores": stores, "dcs": dcs, "factories": factories, "days": days}
    for name, value in counts.items():
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    if materials < 0:
        raise ValueError(f"materials must not be negative, got {materials}")
    return build_document(Plan(**counts, materials=materials, seed=seed, start=start_date))


__all__ = ["generate_config"]
