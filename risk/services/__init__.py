"""Writes of the risk app: replication sets (sets.py) and the jobs that run them (execution.py)."""

from risk.services.sets import (
    replication_set_cancel,
    replication_set_create,
    replication_set_validate,
)

__all__ = ["replication_set_cancel", "replication_set_create", "replication_set_validate"]
