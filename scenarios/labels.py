"""Planner-facing labels of the canonical schema's kinds (docs/canonical-config.md).

A config stores node, item and arc types as codes (``warehouse``, ``material``); every page
that shows one (the config's network tables, a run's on-hand by node type) names it here,
in the planner's language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

NODE_TYPE_LABELS = {
    "store": _("Store"),
    "warehouse": _("Warehouse"),
    "factory": _("Factory"),
    "material": _("Material source"),
    "supplier": _("Supplier"),
}
ITEM_TYPE_LABELS = {
    "product": _("Product"),
    "component": _("Component"),
    "material": _("Material"),
    "service": _("Service"),
}
ARC_TYPE_LABELS = {
    "transport": _("Transport"),
    "supply": _("Supply"),
    "distribution": _("Distribution"),
}
# Per network-table field, the labels of its codes.
VALUE_LABELS = {
    "node_type": NODE_TYPE_LABELS,
    "item_type": ITEM_TYPE_LABELS,
    "arc_type": ARC_TYPE_LABELS,
}
