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


def _cause(kind: str, refs: tuple[str, ...]) -> str:
    values = {"count": len(refs), "refs": _refs(refs)}
    if kind == "unsourced_component":
        text = ngettext(
            "%(count)d component with no supplier (%(refs)s)",
            "%(count)d components with no supplier (%(refs)s)",
            len(refs),
        )
    elif kind == "no_supply_path":
        text = ngettext(
            "%(count)d location nothing replenishes (%(refs)s)",
            "%(count)d locations nothing replenishes (%(refs)s)",
            len(refs),
        )
    elif kind == "capacity":
        text = ngettext(
            "%(count)d product made at full capacity (%(refs)s)",
            "%(count)d products made at full capacity (%(refs)s)",
            len(refs),
        )
    else:
        return _("other causes")
    return text % values


def _rate(fill_rate: float | None) -> str:
    """The fill rate as the KPIs show it, except that a rate with a shortage never reads
    as 100 % (99.986 % rounds to 100.0 %, above a sentence explaining the shortage)."""
    shown = pct(fill_rate)
    if fill_rate is not None and fill_rate < 1 and shown == pct(1.0):
        return _("just under %(rate)s") % {"rate": shown}
    return shown


def root_cause_sentence(cause: RootCause) -> str:
    """'Fill rate 28.7 %: 61 % of the shortage traces to 17 components with no supplier
    (FACTORY-1/COMP-X, …); 39 % to …' — the largest cause first, every traced cause after it."""
    rate = _rate(cause.fill_rate)
    if cause.shortage_total <= 0:
        return _("Fill rate %(rate)s: no customer demand was left short.") % {"rate": rate}
    # A cause below half a per cent would read "0 % to …": it explains nothing.
    shown = [c for c in cause.causes if c.share >= 0.005]
    if not shown:
        return _("Fill rate %(rate)s: the shortage traces to no single cause.") % {"rate": rate}
    parts = []
    for i, c in enumerate(shown):
        values = {"share": pct(c.share, 0), "cause": _cause(c.kind, c.refs)}
        if i == 0:
            parts.append(_("%(share)s of the shortage traces to %(cause)s") % values)
        else:
            # Translators: a further cause of the shortage, after the first one.
            parts.append(_("%(share)s to %(cause)s") % values)
    # Translators: what separates the causes of the root-cause sentence.
    joined = pgettext("list of causes", "; ").join(parts)
    return _("Fill rate %(rate)s: %(parts)s.") % {"rate": rate, "parts": joined}


def cause_text(row: PlanningException) -> str:
    """One exception's cause: what it traces to, or '' when nothing is traced."""
    if not row.cause_kind:
        return ""
    label = CAUSE_LABELS.get(row.cause_kind, row.cause_kind)
    refs = list(row.cause_refs or [])
    return f"{label}: {_refs(refs)}" if refs else str(label)
