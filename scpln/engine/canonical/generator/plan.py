"""The numbers behind a generated network: codes, random draws, demand and sizing.

Every random number comes from one ``numpy.random.Generator(PCG64(seed))`` and only
through ``random()`` uniforms (other shapes are derived here), because the uniform
stream is what numpy keeps stable; the same seed then gives the same network.
"""

from __future__ import annotations

import math
from datetime import date
from statistics import NormalDist

import numpy as np

from scpln.engine.canonical.buckets import bucket_span, month_buckets

SKUS_PER_FAMILY = 10
MATERIALS_PER_SUPPLIER = 20
DCS_PER_REGION = 4
REGIONS = (
    ("JP-EAST", "Asia/Tokyo"),
    ("US-WEST", "America/Los_Angeles"),
    ("DE-CENTRAL", "Europe/Berlin"),
    ("MX-CENTRAL", "America/Mexico_City"),
    ("CN-EAST", "Asia/Shanghai"),
)
BOM_QUANTITIES = (0.5, 1, 1, 2, 3)
NORMAL, DETERMINISTIC, POISSON = 0, 1, 2


def codes(prefix: str, count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"{prefix}-{i:0{width}d}" for i in range(1, count + 1)]


def whole(values: np.ndarray | float) -> list[int]:
    """Round up to whole units (never below 0), flattened to plain ints."""
    array = np.ceil(np.maximum(values, 0) - 1e-9).astype(np.int64)
    return array.ravel().tolist()


class Draw:
    """Uniform draws and the few shapes derived from them."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def uniform(self, low: float, high: float, shape: int | tuple[int, ...]) -> np.ndarray:
        return low + (high - low) * self.rng.random(shape)

    def integers(self, low: int, high: int, shape: int | tuple[int, ...]) -> np.ndarray:
        """Integers in [low, high], both ends included."""
        return low + np.floor(self.rng.random(shape) * (high - low + 1)).astype(np.int64)

    def normal(self, shape: int | tuple[int, ...]) -> np.ndarray:
        """Standard normal draws (Box–Muller)."""
        u1, u2 = 1.0 - self.rng.random(shape), self.rng.random(shape)  # u1 in (0, 1]
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)


def base_stock(
    mean: np.ndarray, std: np.ndarray, lead: np.ndarray, level: np.ndarray, cycle: int
) -> tuple[list[int], list[int], list[int]]:
    """Safety stock, reorder point and order-up-to for daily demand over lead time + 1 day.

    ``cycle`` days of demand on top of the reorder point keep orders from being daily.
    """
    levels, where = np.unique(np.asarray(level), return_inverse=True)
    z = np.array([NormalDist().inv_cdf(p) for p in levels.tolist()])[where].reshape(np.shape(level))
    exposure = np.asarray(lead) + 1
    safety = z * std * np.sqrt(exposure)
    reorder = mean * exposure + safety
    return whole(safety), whole(reorder), whole(reorder + mean * cycle + 1)


class Plan:
    """Shape, codes and every drawn or derived number of one generated network."""

    def __init__(
        self,
        *,
        skus: int,
        stores: int,
        dcs: int,
        factories: int,
        materials: int,
        days: int,
        seed: int,
        start: date,
    ) -> None:
        self.params = {"skus": skus, "stores": stores, "dcs": dcs, "factories": factories}
        self.params |= {"materials": materials, "days": days, "seed": seed}
        self.days, self.start, self.draw = days, start, Draw(seed)
        self.sku, self.mat = codes("SKU", skus), codes("MAT", materials)
        self.family = codes("FAM", math.ceil(skus / SKUS_PER_FAMILY))
        n_supplier = math.ceil(materials / MATERIALS_PER_SUPPLIER)
        self.supplier = codes("SUP", n_supplier)
        self.factory, self.dc, self.store = (
            codes("FACT", factories),
            codes("DC", dcs),
            codes("STORE", stores),
        )
        self.region = [
            REGIONS[i] for i in range(min(len(REGIONS), math.ceil(dcs / DCS_PER_REGION)))
        ]
        self.months = month_buckets(start, days)
        spans = [bucket_span(code, start, days) for code in self.months]
        self.period_days = np.array([span.period_days for span in spans if span is not None])
        self.sku_family = np.arange(skus) // SKUS_PER_FAMILY
        self.sku_factory = self.sku_family % factories
        self.store_dc = np.arange(stores) % dcs
        self.store_lead = self.draw.integers(1, 3, stores)
        self.factory_dc_lead = self.draw.integers(2, 7, (factories, dcs))
        self.supplier_lead = self.draw.integers(3, 10, (max(1, n_supplier), factories))
        self.bom = self._bom()
        self._demand()
        self._capacity()

    def material_supplier(self, material: int) -> int:
        return material % max(1, len(self.supplier))

    def _bom(self) -> list[tuple[int, int, float, bool]]:
        """(sku, material, quantity, has scrap): each SKU uses one to three materials."""
        if not self.mat:
            return []
        n = len(self.sku)
        lines = self.draw.integers(1, 3, n).tolist()
        picks = self.draw.integers(0, len(self.mat) - 1, (n, 3)).tolist()
        quantity = self.draw.integers(0, len(BOM_QUANTITIES) - 1, (n, 3)).tolist()
        scrap = (self.draw.uniform(0, 1, (n, 3)) < 0.2).tolist()
        bom = []
        for k, count in enumerate(lines):
            for j, m in enumerate(dict.fromkeys(picks[k][:count])):
                bom.append((k, m, BOM_QUANTITIES[quantity[k][j]], scrap[k][j]))
        return bom

    def _demand(self) -> None:
        """Monthly means per store × SKU × month, and the daily figures policies are sized on."""
        draw = self.draw
        n_store, n_sku, n_month = len(self.store), len(self.sku), len(self.months)
        popularity = np.exp(0.9 * draw.normal(n_sku))
        rate = 2.0 * np.outer(draw.uniform(0.5, 1.5, n_store), popularity)
        cv = draw.uniform(0.1, 0.35, (n_store, n_sku))
        deterministic = draw.uniform(0, 1, (n_store, n_sku)) < 0.15
        self.model = np.where(rate < 1.0, POISSON, np.where(deterministic, DETERMINISTIC, NORMAL))
        amplitude = draw.uniform(0.05, 0.3, len(self.family))[:, None]
        phase = draw.uniform(0, 2 * math.pi, len(self.family))[:, None]
        month_of_year = (self.start.month - 1 + np.arange(n_month))[None, :] % 12
        season = 1 + amplitude * np.sin(2 * math.pi * month_of_year / 12 + phase)
        noise = 1 + 0.05 * draw.normal((n_store, n_sku, n_month))
        raw = rate[:, :, None] * self.period_days * season[self.sku_family][None] * noise
        self.mean = np.maximum(np.rint(raw), 0)
        self.std = np.round(self.mean * cv[:, :, None], 1)
        self.daily_mean = self.mean.sum(axis=2) / self.period_days.sum()
        spread = np.where(
            self.model == POISSON, np.sqrt(self.daily_mean), self.daily_mean * cv * math.sqrt(30)
        )
        self.daily_std = np.where(self.model == DETERMINISTIC, 0.0, spread)

    def _capacity(self) -> None:
        """Monthly factory capacity with headroom over the demand of the SKUs it makes."""
        totals = self.mean.sum(axis=0)  # sku × month
        self.sku_peak_daily = (totals / self.period_days).max(axis=1)
        monthly = np.zeros((len(self.factory), len(self.months)))
        np.add.at(monthly, self.sku_factory, totals)
        self.monthly_capacity = np.ceil(
            monthly * self.draw.uniform(1.15, 1.4, (len(self.factory), 1))
        )
        self.factory_peak_daily = (self.monthly_capacity / self.period_days).max(axis=1)

    def material_usage(self) -> np.ndarray:
        """Daily material use per factory, from the demand of the SKUs each factory makes."""
        usage = np.zeros((len(self.factory), len(self.mat)))
        sku_daily = self.daily_mean.sum(axis=0)
        for k, m, quantity, scrap in self.bom:
            usage[self.sku_factory[k], m] += sku_daily[k] * quantity * (1.02 if scrap else 1)
        return usage
