"""Which limits a run enforces: the planner's constraint switches, applied to a run.

An APS plans *material-*, *capacity-* and *lead-time-constrained* or not. A run that
executes a plan made with a switch off must assume the same, or plan and run disagree by
construction:

- ``material=False``: components nothing supplies (a factory's BOM children with no
  source) are available without limit — what a release needs beyond their stock is
  supplied on the spot, shown as their ``production`` (external supply) and reported;
- ``capacity=False``: no capacity cuts anything — hard production and arc capacities
  become soft (the excess is still priced at the over-capacity rates) and suppliers ship
  without their ``supplier`` capacity rows;
- ``lead_time=False``: plan releases due before the run starts are made on day 0 and
  finished on the day the plan wants them, instead of a lead time late.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .network import MODE_NONE, MODE_UNLIMITED, Network


@dataclass(frozen=True)
class Constraints:
    """The switches; all on (everything enforced) by default."""

    material: bool = True
    capacity: bool = True
    lead_time: bool = True

    def apply(self, net: Network) -> Network:
        """``net`` as this run sees it (the same object when every switch is on)."""
        if not self.capacity:
            prod, costs = net.production, net.costs
            net = replace(
                net,
                production=replace(
                    prod,
                    item_hard=np.zeros_like(prod.item_hard),
                    node_hard=np.zeros_like(prod.node_hard),
                ),
                costs=replace(costs, arc_hard=np.zeros_like(costs.arc_hard)),
                supply=None,
            )
        if not self.material:
            free = unsourced_components(net)
            if len(free):
                mode = net.mode.copy()
                mode[free] = MODE_UNLIMITED
                net = replace(net, mode=mode)
        return net


def unsourced_components(net: Network) -> np.ndarray:
    """Node-items that feed production but that nothing can replenish."""
    comps = np.unique(net.production.edge_comp)
    return comps[net.mode[comps] == MODE_NONE]
