"""The root cause of a fill rate, in numbers a sentence can be built from (in any language)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .records import ExceptionRecord, Kind


@dataclass(frozen=True)
class Cause:
    """One cause of the shortage: its kind, its share of the units short, and what it is.

    ``refs`` are the distinct ``NODE/ITEM`` (or node) it traces to, largest share first.
    """

    kind: str
    share: float
    units: float
    refs: tuple[str, ...]


@dataclass(frozen=True)
class RootCause:
    """Why a plan or run served what it served: the fill rate and its causes by share."""

    fill_rate: float | None
    shortage_total: float
    causes: tuple[Cause, ...]

    @property
    def main(self) -> Cause | None:
        """The cause with the largest share (None when nothing was short)."""
        return self.causes[0] if self.causes else None


def root_cause(
    stockouts: Iterable[ExceptionRecord], *, fill_rate: float | None, shortage_total: float
) -> RootCause:
    """Group the stock-outs' units short by what they trace to.

    A stock-out traced to several node-items (a product with three unsourced components)
    counts its units once for its cause kind; its refs all join that cause. The share is
    over ``shortage_total`` (the run's customer shortage), so shares add up to at most 1;
    stock-outs with no traced cause are not listed.
    """
    units: dict[str, float] = {}
    refs: dict[str, dict[str, float]] = {}
    for record in stockouts:
        if record.kind != Kind.STOCKOUT or not record.cause_kind:
            continue
        units[record.cause_kind] = units.get(record.cause_kind, 0.0) + record.quantity
        named = record.cause_refs or (f"{record.node}/{record.item}",)
        bucket = refs.setdefault(record.cause_kind, {})
        for ref in named:
            bucket[ref] = bucket.get(ref, 0.0) + record.quantity / len(named)
    causes = tuple(
        sorted(
            (
                Cause(
                    kind=kind,
                    share=total / shortage_total if shortage_total > 0 else 0.0,
                    units=total,
                    refs=tuple(sorted(refs[kind], key=lambda r: (-refs[kind][r], r))),
                )
                for kind, total in units.items()
            ),
            key=lambda c: -c.units,
        )
    )
    return RootCause(fill_rate=fill_rate, shortage_total=shortage_total, causes=causes)
