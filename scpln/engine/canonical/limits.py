"""The range every number of a canonical config must lie in (docs/canonical-config.md).

The JSON format allows any number, but the planner and the simulator turn days
into array lengths and offsets and quantities into float arithmetic: a lead
time of 1e30 days overflows, a horizon of ten million days asks for gigabytes.
Validation therefore bounds every numeric field; the bounds are far beyond any
real network, so they only ever stop mistakes and abuse.
"""

from __future__ import annotations

# Days: lead times, review periods, the planning horizon (ten years, leap days included).
MAX_DAYS = 3660
# Quantities, capacities, prices and costs, in the item's unit or money.
MAX_QUANTITY = 1e12
# Multipliers (initial_inventory_scale), as for scenario overrides.
MAX_SCALE = 1000.0
# Display order of hierarchy entries.
MAX_SORT_ORDER = 1_000_000_000
# Sourcing rule priorities (1 is tried first).
MAX_PRIORITY = 1000
