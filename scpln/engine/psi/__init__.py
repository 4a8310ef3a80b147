"""The daily PSI simulation: a canonical config in, PSI table, P&L, cost trace and KPIs out.

Start with :func:`simulate`; ``docs/engine.md`` describes the model, the order of events
within a day, every policy and cost, the KPI formulas and the output schema.
"""

from .api import SimulationResult, config_supply_warnings, simulate, simulate_network
from .builder import NetworkBuilder
from .compile import compile_network
from .constraints import Constraints
from .costs import ACCOUNTS, PL_COLUMNS, TRACE_COLUMNS
from .frames import PSI_COLUMNS, PSI_SCHEMA_VERSION
from .network import Network
from .plan import PlanSchedule
from .record import METRICS

__all__ = [
    "ACCOUNTS",
    "METRICS",
    "PL_COLUMNS",
    "PSI_COLUMNS",
    "PSI_SCHEMA_VERSION",
    "TRACE_COLUMNS",
    "Constraints",
    "Network",
    "NetworkBuilder",
    "PlanSchedule",
    "SimulationResult",
    "compile_network",
    "config_supply_warnings",
    "simulate",
    "simulate_network",
]
