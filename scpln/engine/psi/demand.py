"""Customer demand draws and service-level order-up-to levels, both per day.

Demand of a customer node-item on day ``t`` follows the model of the segment that
contains ``t``: ``deterministic`` is the mean itself, ``poisson`` a Poisson count with
that mean, ``normal`` a normal draw clipped at zero (``max(0, X)``). Clipping keeps
every quantity non-negative; it raises the mean by ``σ·φ(μ/σ) − μ·Φ(−μ/σ)``: 0.4 % of μ
at μ = 2σ, 0.013 % at μ = 3σ, but 40 % at μ = σ/2 (small, very uncertain demand).
Deterministic runs (no generator) use the means of the stated models.
"""

from __future__ import annotations

import numpy as np

from .network import MODEL_NORMAL, MODEL_POISSON, DemandSpec, Network


class CustomerDemand:
    """Draws, level by level, the day's demand of the customers at that level.

    Draws happen in a fixed order (day, then level, then customer), all from the run's
    own generator, so a seed fixes every number and parallel runs cannot interfere.
    """

    def __init__(
        self,
        spec: DemandSpec,
        columns: list[np.ndarray],
        seg_of_day: np.ndarray,
        rng: np.random.Generator | None,
    ) -> None:
        self.spec = spec
        self.columns = columns
        self.seg_of_day = seg_of_day
        self.rng = rng
        self._cache: dict[tuple[int, int], tuple[np.ndarray, ...]] = {}

    def _segment(self, level: int, seg: int) -> tuple[np.ndarray, ...]:
        key = (level, seg)
        if key not in self._cache:
            cols = self.columns[level]
            mean = self.spec.mean[seg, cols].copy()
            mean.flags.writeable = False
            model = self.spec.model[seg, cols]
            normal = np.flatnonzero(model == MODEL_NORMAL)
            poisson = np.flatnonzero(model == MODEL_POISSON)
            sd = self.spec.sd[seg, cols]
            self._cache[key] = (mean, normal, mean[normal], sd[normal], poisson, mean[poisson])
        return self._cache[key]

    def draw(self, level: int, day: int) -> np.ndarray:
        """Demand of the level's customers on ``day`` (read-only in deterministic runs)."""
        mean, normal, n_mean, n_sd, poisson, p_mean = self._segment(
            level, int(self.seg_of_day[day])
        )
        if self.rng is None:
            return mean
        if len(normal) == len(mean):
            out = self.rng.standard_normal(len(mean))
            out *= n_sd
            out += n_mean
            return np.maximum(out, 0.0, out=out)
        out = mean.copy()
        if len(normal):
            draws = self.rng.standard_normal(len(normal))
            draws *= n_sd
            draws += n_mean
            out[normal] = np.maximum(draws, 0.0, out=draws)
        if len(poisson):
            out[poisson] = self.rng.poisson(p_mean)
        return out


# Per level: streams read early, their offsets and windows, the target each adds to (local),
# those targets (positions in the level's node-items) and where they sit in the level's output.
_EchelonLevel = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class BaseStockTargets:
    """Order-up-to levels from the service level, for node-items without explicit ones.

    An order placed on day ``t`` (review period ``R``, lead time ``L``) must cover the
    demand of days ``t … t+L+R-1`` — until the next review's order arrives — so

        S(t) = Σ μ(u) + z · sqrt(Σ σ²(u))   over u = t … t+L+R-1,

    or ``Σ μ(u) + safety_stock`` where a safety stock is given, with μ, σ² the per-day
    profile the node-item sees from downstream (its own customers, plus what the
    node-items it supplies see, multiplied through the BOM for components). It follows
    the bucket profile day by day instead of averaging over the horizon. The reorder
    point equals S: order whenever the inventory position is below S.

    Demand that reaches the node-item early (:class:`~.network.EchelonSpec`: base-stock
    node-items below it order ahead) is read that many days later in the profile: a
    stream ``e`` days early adds Σ μ(u) over u = t+e … t+e+L+R-1 (echelon lead-time
    demand), so a supplier's level rises ahead of a demand step exactly as the orders
    that will reach it do.
    """

    def __init__(self, net: Network, by_level: list[np.ndarray], seg_of_day: np.ndarray) -> None:
        nodes = np.concatenate([np.zeros(0, np.int64), *by_level])
        bounds = np.cumsum([0] + [len(g) for g in by_level])
        self.cols = [np.arange(bounds[i], bounds[i + 1]) for i in range(len(by_level))]
        self.seg_of_day = seg_of_day
        self.starts = net.segments.starts
        self.window = (net.lead_time[nodes] + net.review_period[nodes]).astype(np.int64)
        self.mean = net.profile_mean[:, nodes]
        self.var = net.profile_var[:, nodes]
        self.cum_mean, self.cum_var = self._cumulate(self.mean, self.var)
        safety = net.safety_stock[nodes]
        self.safety = np.where(np.isnan(safety), 0.0, safety)
        self.z = np.where(np.isnan(safety), net.z[nodes], 0.0)
        # With one segment the profile never changes, so neither does S (nor does it matter
        # how early any of it arrives).
        self._fixed = [self._compute(0, c) for c in self.cols] if net.segments.count == 1 else None
        self._echelon: list[_EchelonLevel | None] = (
            [] if self._fixed is None else [None] * len(self.cols)
        )
        if self._fixed is None:
            self._prepare_echelon(net, nodes)

    def _cumulate(self, mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lengths = np.diff(self.starts).astype(float)[:, None]
        cum_mean = np.zeros_like(mean)
        cum_var = np.zeros_like(var)
        cum_mean[1:] = np.cumsum(mean[:-1] * lengths, axis=0)
        cum_var[1:] = np.cumsum(var[:-1] * lengths, axis=0)
        return cum_mean, cum_var

    def _prepare_echelon(self, net: Network, nodes: np.ndarray) -> None:
        """Per level: which of its node-items read streams early, and those streams."""
        ech = net.echelon
        self.stream_mean, self.stream_var = ech.mean, ech.var
        self.stream_cum_mean, self.stream_cum_var = self._cumulate(ech.mean, ech.var)
        where = np.full(net.size, -1, np.int64)
        where[nodes] = np.arange(len(nodes))
        position = where[ech.ni[ech.owner]]  # of each stream's owner in ``nodes``
        for cols in self.cols:
            mine = np.flatnonzero(np.isin(position, cols))
            if len(mine) == 0:
                self._echelon.append(None)
                continue
            targets, local = np.unique(position[mine], return_inverse=True)
            self._echelon.append(
                (
                    mine,
                    ech.offset[mine],
                    self.window[position[mine]],
                    local.astype(np.int64),
                    targets,
                    np.searchsorted(cols, targets),
                )
            )

    @property
    def constant(self) -> bool:
        """One demand segment: S never changes, every day's level is day 0's."""
        return self._fixed is not None

    def reads_streams(self, level: int) -> bool:
        """Whether some node-item of ``level`` sees demand streams early (echelon)."""
        return self._fixed is None and self._echelon[level] is not None

    @staticmethod
    def days_needed(net: Network) -> int:
        """Days past the last simulated day the profile may be read for."""
        window = int((net.lead_time + net.review_period).max(initial=0))
        return window + net.echelon.max_offset + 1

    def levels(self, day: int, level: int) -> np.ndarray:
        """S(day) for the level's base-stock node-items, in the order they were given."""
        if self._fixed is not None:
            return self._fixed[level]
        out = self._compute(day, self.cols[level])
        echelon = self._echelon[level]
        if echelon is not None:
            streams, offset, window, local, targets, slots = echelon
            first = day + offset
            mean_a, var_a = self._read(first, streams, stream=True)
            mean_b, var_b = self._read(first + window, streams, stream=True)
            mean = np.bincount(local, mean_b - mean_a, minlength=len(targets))
            var = np.bincount(local, var_b - var_a, minlength=len(targets))
            z, safety = self.z[targets], self.safety[targets]
            out[slots] = mean + z * np.sqrt(np.maximum(var, 0.0)) + safety
        return out

    def _compute(self, day: int, cols: np.ndarray) -> np.ndarray:
        mean_w, var_w = self._read(day + self.window[cols], cols)
        now_mean, now_var = self._read(np.full(len(cols), day), cols)
        mean_w -= now_mean
        var_w -= now_var
        return mean_w + self.z[cols] * np.sqrt(np.maximum(var_w, 0.0)) + self.safety[cols]

    def _read(
        self, days: np.ndarray, cols: np.ndarray, *, stream: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative mean and variance up to (not including) ``days``, per column."""
        seg = self.seg_of_day[days]
        into = days - self.starts[seg]
        if stream:
            cum_mean, cum_var = self.stream_cum_mean, self.stream_cum_var
            mean, var = self.stream_mean, self.stream_var
        else:
            cum_mean, cum_var, mean, var = self.cum_mean, self.cum_var, self.mean, self.var
        return (
            cum_mean[seg, cols] + into * mean[seg, cols],
            cum_var[seg, cols] + into * var[seg, cols],
        )


def round_orders(qty: np.ndarray, moq: np.ndarray, multiple: np.ndarray) -> np.ndarray:
    """Raise positive orders to the MOQ, then up to the next order multiple."""
    qty = np.where(qty > 0.0, np.maximum(qty, moq), 0.0)
    has = multiple > 0.0
    # The tiny allowance keeps 35.000000001 / 5 from rounding up to 40 (and 0 at 0).
    lots = np.ceil(np.maximum(qty / np.where(has, multiple, 1.0) - 1e-9, 0.0))
    return np.where(has, lots * multiple, qty)
