"""Stock levels for a plan version's targets: the engine's optimiser on the run's inputs.

Nothing is written: the report (levels per node-item, the network before and after on
the same replications) is for a planner to read or export; the command prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plans.models import PlanVersion
from risk.models import SEED_LIMIT
from risk.services.sets import replication_set_validate

# A run's inputs as they were recorded: what a re-run reads, and so what is optimised.
from runs.services.reproduction import run_inputs
from scpln.engine.psi import Network, compile_network
from scpln.engine.risk.optimise import optimise_levels

LEVEL_COLUMNS = (
    "node",
    "item",
    "kind",
    "target",
    "first_guess",
    "level",
    "service_before",
    "service_after",
)


@dataclass(frozen=True)
class LevelReport:
    """What :func:`levels_optimise` found; ``rows`` follow :data:`LEVEL_COLUMNS`."""

    rows: list[tuple[Any, ...]]
    kpis_before: dict[str, dict[str, Any]]
    kpis_after: dict[str, dict[str, Any]]
    rounds: int
    reached: bool
    n: int
    seed: int


def levels_optimise(
    *, plan_version: PlanVersion, n: int = 30, seed: int = 1, rounds: int = 6
) -> LevelReport:
    """Levels reaching each store's target on the plan version's run (``docs/engine.md``).

    ``n`` replications a round (at least 2, for the confidence interval), the same seeds
    before, after and in every round (common random numbers).
    """
    errors: dict[str, str] = {}
    if n < 2 or n > settings.SCPLN_REPLICATIONS_MAX:
        errors["n"] = _("Use from 2 to %(max)s replications a round.") % {
            "max": settings.SCPLN_REPLICATIONS_MAX
        }
    if not 0 <= seed < SEED_LIMIT:
        errors["seed"] = _("The seed must be a whole number from 0 to 2⁶³ − 1.")
    if errors:
        raise ValidationError(errors)
    run = replication_set_validate(plan_version=plan_version, n=1, seed=seed)
    config, plan, _receipts = run_inputs(run)
    days = run.horizon_days
    network = compile_network(config, days=days)
    result = optimise_levels(network, seed=seed, n=n, rounds=rounds, days=days, plan=plan)
    rows: list[tuple[Any, ...]] = []
    for k, ni in enumerate(result.stores.ni):
        rows.append(
            (
                *_codes(network, int(ni)),
                "store",
                float(result.stores.target[k]),
                float(result.first_guess[ni]),
                float(result.levels[ni]),
                float(result.before.service[k]),
                float(result.after.service[k]),
            )
        )
    for k, ni in enumerate(result.warehouses.ni):
        rows.append(
            (
                *_codes(network, int(ni)),
                "warehouse",
                float(result.warehouses.target[k]),
                float(result.first_guess[ni]),
                float(result.levels[ni]),
                np.nan,
                np.nan,
            )
        )
    return LevelReport(
        rows=rows,
        kpis_before={k: v.as_dict() for k, v in result.before.kpis.items()},
        kpis_after={k: v.as_dict() for k, v in result.after.kpis.items()},
        rounds=result.rounds,
        reached=result.reached,
        n=n,
        seed=seed,
    )


def _codes(network: Network, ni: int) -> tuple[str, str]:
    node, item = int(network.ni_node[ni]), int(network.ni_item[ni])
    return network.node_codes[node], network.item_codes[item]
