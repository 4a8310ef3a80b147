"""Writes to the RunRegistry. Every interface (planning job, API, UI, admin,
commands) records, pins and deletes runs through these functions."""

from runs.services.lifecycle import (
    run_delete,
    run_note_add,
    run_pin,
    run_set_archived,
    run_set_pinned,
    run_set_tags,
    run_unpin,
)
from runs.services.recording import SimulationResultLike, run_record
from runs.services.reproduction import Reproduction, run_rerun
from runs.services.retention import run_prune

__all__ = [
    "Reproduction",
    "SimulationResultLike",
    "run_delete",
    "run_note_add",
    "run_pin",
    "run_prune",
    "run_record",
    "run_rerun",
    "run_set_archived",
    "run_set_pinned",
    "run_set_tags",
    "run_unpin",
]
