"""Reads from the RunRegistry: run history, one run, its tables, comparisons."""

from runs.selectors.compare import (
    Comparison,
    compare_url,
    replication_sets_compare,
    run_baseline,
    run_compare,
)
from runs.selectors.history import (
    run_filterset,
    run_get,
    run_get_many,
    run_list,
    run_result_meta,
    run_tombstone,
    run_tombstones,
)
from runs.selectors.tables import (
    BUCKETS,
    TABLES,
    TableQuery,
    run_start_date,
    run_table,
    run_table_keys,
)

__all__ = [
    "BUCKETS",
    "TABLES",
    "Comparison",
    "TableQuery",
    "compare_url",
    "replication_sets_compare",
    "run_baseline",
    "run_compare",
    "run_filterset",
    "run_get",
    "run_get_many",
    "run_list",
    "run_result_meta",
    "run_start_date",
    "run_table",
    "run_table_keys",
    "run_tombstone",
    "run_tombstones",
]
