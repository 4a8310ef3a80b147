"""The root cause and each exception's cause, in the planner's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.templatetags.scpln_ui import pct
from exceptions.labels import CAUSE_LABELS
from exceptions.models import PlanningException
from scpln.engine.exceptions import RootCause

REFS_SHOWN = 3


def _refs(refs: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(refs[:REFS_SHOWN])
    return f"{shown}, …" if len(refs) > REFS_SHOWN else shown


def _part(kind: str, share: float, refs: tuple[str, ...]) -> str:
    values = {"share": pct(share, 0), "count": len(refs), "refs": _refs(refs)}
    if kind == "unsourced_component":
        text = ngettext(
            "%(share)s of the shortage traces to %(count)d component with no supplier (%(refs)s)",
            "%(share)s of the shortage traces to %(count)d components with no supplier (%(refs)s)",
            len(refs),
        )
    elif kind == "no_supply_path":
        text = ngettext(
            "%(share)s to %(count)d location nothing replenishes (%(refs)s)",
            "%(share)s to %(count)d locations nothing replenishes (%(refs)s)",
            len(refs),
        )
    elif kind == "capacity":
        text = ngettext(
            "%(share)s to %(count)d product made at full capacity (%(refs)s)",
            "%(share)s to %(count)d products made at full capacity (%(refs)s)",
            len(refs),
        )
    else:
        text = _("%(share)s to other causes")
    return text % values


def root_cause_sentence(cause: RootCause) -> str:
    """'Fill rate 28.7 %: 61 % of the shortage traces to 17 components with no supplier
    (FACTORY-1/COMP-X, …); …' — the largest cause first, every traced cause after it."""
    rate = pct(cause.fill_rate)
    if cause.shortage_total <= 0:
        return _("Fill rate %(rate)s: no customer demand was left short.") % {"rate": rate}
    # A cause below half a per cent would read "0 % to …": it explains nothing.
    shown = [c for c in cause.causes if c.share >= 0.005]
    if not shown:
        return _("Fill rate %(rate)s: the shortage traces to no single cause.") % {"rate": rate}
    # Translators: what separates the causes of the root-cause sentence.
    parts = pgettext("list of causes", "; ").join(_part(c.kind, c.share, c.refs) for c in shown)
    return _("Fill rate %(rate)s: %(parts)s.") % {"rate": rate, "parts": parts}


def cause_text(row: PlanningException) -> str:
    """One exception's cause: what it traces to, or '' when nothing is traced."""
    if not row.cause_kind:
        return ""
    label = CAUSE_LABELS.get(row.cause_kind, row.cause_kind)
    refs = list(row.cause_refs or [])
    return f"{label}: {_refs(refs)}" if refs else str(label)
