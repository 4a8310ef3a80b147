"""How large a config this installation accepts (``SCPLN_MAX_*``, docs/operations.md).

The engine bounds every number of a config (scpln/engine/canonical/limits.py);
these bound its size, which the engine leaves open: a web tier asked to
import, store and later show a network of a million nodes stalls. The counts
are read straight from the parsed document, before canonical validation, so
refusing an oversized config costs next to nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


def config_size_problems(document: dict[str, Any]) -> list[str]:
    """What makes ``document`` larger than this installation accepts (empty: nothing)."""
    problems = []
    for section, limit, setting in (
        ("nodes", settings.SCPLN_MAX_CONFIG_NODES, "SCPLN_MAX_CONFIG_NODES"),
        ("items", settings.SCPLN_MAX_CONFIG_ITEMS, "SCPLN_MAX_CONFIG_ITEMS"),
        ("demands", settings.SCPLN_MAX_DEMAND_ROWS, "SCPLN_MAX_DEMAND_ROWS"),
    ):
        rows = document.get(section)
        if isinstance(rows, list) and len(rows) > limit:
            problems.append(
                _("%(section)s: %(count)d rows; at most %(limit)d are accepted (%(setting)s).")
                % {"section": section, "count": len(rows), "limit": limit, "setting": setting}
            )
    meta = document.get("meta")
    attributes = meta.get("attributes") if isinstance(meta, dict) else None
    horizon = attributes.get("planning_horizon") if isinstance(attributes, dict) else None
    limit = settings.SCPLN_MAX_HORIZON_DAYS
    if isinstance(horizon, int | float) and not isinstance(horizon, bool) and horizon > limit:
        problems.append(
            _(
                "meta.attributes.planning_horizon: %(days)s days; at most %(limit)d are "
                "accepted (SCPLN_MAX_HORIZON_DAYS)."
            )
            % {"days": f"{horizon:g}", "limit": limit}
        )
    return problems


def upload_size_problem(size: int) -> str | None:
    """Why a config file of ``size`` bytes is refused (413), or None."""
    if size <= settings.SCPLN_MAX_UPLOAD_BYTES:
        return None
    return _(
        "The file is %(size)s bytes; at most %(limit)s are accepted (SCPLN_MAX_UPLOAD_BYTES)."
    ) % {"size": size, "limit": settings.SCPLN_MAX_UPLOAD_BYTES}


def runs_inline(size: int) -> bool:
    """Is a config of ``size`` bytes (JSON) small enough to import or diff inside a request?"""
    return size <= settings.SCPLN_CONFIG_INLINE_BYTES
