"""The canonical-1.0 config: schema, loading, validation, hashing, diff, overrides, generator.

Everything other modules need is importable from here, except the generator
(``scpln.engine.canonical.generator``), which pulls in numpy. See
``docs/canonical-config.md``.
"""

from .buckets import (
    BucketError,
    BucketSpan,
    bucket_day_range,
    bucket_period,
    bucket_span,
    month_buckets,
)
from .diff import ConfigDiff, diff_configs
from .hashing import content_hash
from .loader import load_config, read_config
from .overrides import ScenarioOverrides, apply_overrides, validate_overrides
from .problems import ConfigError, Problem
from .schema import (
    DEFAULT_START_DATE,
    SCHEMA_VERSION,
    Arc,
    BomLine,
    Calendar,
    CanonicalConfig,
    Capacity,
    Demand,
    HierarchyEntry,
    InventoryPolicy,
    Item,
    Meta,
    Node,
    ProductionPolicy,
    SourcingRule,
)
from .validation import (
    ConfigReport,
    check_config,
    config_warnings,
    read_checked_config,
    validate_config,
)

__all__ = [
    "DEFAULT_START_DATE",
    "SCHEMA_VERSION",
    "Arc",
    "BomLine",
    "BucketError",
    "BucketSpan",
    "Calendar",
    "CanonicalConfig",
    "Capacity",
    "ConfigDiff",
    "ConfigError",
    "ConfigReport",
    "Demand",
    "HierarchyEntry",
    "InventoryPolicy",
    "Item",
    "Meta",
    "Node",
    "Problem",
    "ProductionPolicy",
    "ScenarioOverrides",
    "SourcingRule",
    "apply_overrides",
    "bucket_day_range",
    "bucket_period",
    "bucket_span",
    "check_config",
    "config_warnings",
    "content_hash",
    "diff_configs",
    "load_config",
    "month_buckets",
    "read_checked_config",
    "read_config",
    "validate_config",
    "validate_overrides",
]
