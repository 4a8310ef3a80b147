"""What planners read for each exception kind, severity and cause (English and Japanese).

The keys are the engine's (``scpln.engine.exceptions.Kind``); a test checks that every
kind has a label and a definition, so a new kind cannot reach the UI as a raw key.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KIND_LABELS: dict[str, Promise] = {
    "stockout": _("Stock-out"),
    "backlog_growing": _("Growing backlog"),
    "unsourced_component": _("Component nothing supplies"),
    "no_supply_path": _("No supply path"),
    "unreachable_demand": _("Unreachable demand"),
    "component_shortage": _("Component shortage"),
    "capacity_overload": _("Capacity overload"),
    "capacity_idle": _("Idle capacity"),
    "late_demand": _("Late demand"),
    "late_receipt": _("Late planned receipt"),
    "excess_inventory": _("Excess inventory"),
    "dead_stock": _("Stock nothing consumes"),
    "plan_run_divergence": _("Plan and run diverge"),
}

KIND_DEFINITIONS: dict[str, Promise] = {
    "stockout": _(
        "A store could not serve its customers' demand on some days: first day, days out "
        "and units short."
    ),
    "backlog_growing": _(
        "Orders waiting at a location are more at the end of the horizon than half-way "
        "through: the backlog keeps growing."
    ),
    "unsourced_component": _(
        "A factory needs this component, but no arc or supplier brings it: only its "
        "opening stock can be used."
    ),
    "no_supply_path": _(
        "Nothing replenishes this item at this location: it only sells or ships its opening stock."
    ),
    "unreachable_demand": _(
        "A location has demand that no chain of arcs reaches from a factory or supplier."
    ),
    "component_shortage": _(
        "A factory ran out of a component and could not make what was ordered of this "
        "product: units blocked."
    ),
    "capacity_overload": _(
        "A factory is at or over its capacity on some days: over-capacity units and their cost."
    ),
    "capacity_idle": _("A factory uses less of its capacity than the idle threshold."),
    "late_demand": _("The plan leaves demand for this SKU unserved in some weeks."),
    "late_receipt": _(
        "Planned orders whose release falls before the plan starts: they arrive late."
    ),
    "excess_inventory": _(
        "Stock at the end covers more days than the excess threshold, or exceeds the "
        "policy's maximum."
    ),
    "dead_stock": _("Stock that nothing sells, ships or consumes during the run."),
    "plan_run_divergence": _(
        "The plan's fill rate and its run's differ by more than the divergence threshold."
    ),
}

SEVERITY_LABELS: dict[str, Promise] = {
    "high": _("High"),
    "medium": _("Medium"),
    "low": _("Low"),
}

CAUSE_LABELS: dict[str, Promise] = {
    "unsourced_component": _("component nothing supplies"),
    "no_supply_path": _("nothing replenishes"),
    "capacity": _("factory at capacity"),
    "component_shortage": _("component ran out"),
    "stockout": _("largest stock-outs"),
}
