"""The interface every RunRegistry backend implements."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypedDict

if TYPE_CHECKING:
    from runs.filters import RunFilter
    from runs.models import Run, RunResult

TABLES = ("psi", "pl", "trace")

# Given the run ids retention picked (oldest last), the ones it may delete now.
PruneFilter = Callable[[list[uuid.UUID]], list[uuid.UUID]]


class ResultMeta(TypedDict):
    """What a stored result holds, without its bytes."""

    schema_version: str
    psi_rows: int
    pl_rows: int
    trace_rows: int | None  # None until the trace is built


class RunRegistry(Protocol):
    """Where runs live. Implementations: :mod:`.db`, :mod:`.memory`.

    ``get``/``result`` raise ``Run.DoesNotExist`` for an unknown run; every
    method takes and returns :class:`~runs.models.Run` instances, saved
    (``db``) or not (``memory``), so serializers and templates do not care.
    """

    name: str

    def add(self, *, run: Run, result: RunResult) -> Run:
        """Store a new run and its result together."""
        ...

    def get(self, run_id: uuid.UUID) -> Run: ...

    def get_many(self, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Run]:
        """The runs found among ``run_ids`` (missing ones are left out)."""
        ...

    def list(self, *, filterset: RunFilter) -> Sequence[Run]:
        """Runs matching a *valid* filterset, in its order (lazy on ``db``)."""
        ...

    def table(self, run: Run, name: str) -> bytes | None:
        """One stored result table (``psi``, ``pl``, ``trace``) as Parquet bytes."""
        ...

    def store_trace(self, run: Run, *, data: bytes, rows: int) -> bool:
        """Store the cost trace built after the run was recorded, unless one is stored
        already: of concurrent first requests one stores it. True when this call did."""
        ...

    def largest_result(self) -> int:
        """The most bytes one run's stored tables may hold together: what the database
        writes in one row (SQLite: its ``SQLITE_LIMIT_LENGTH``; PostgreSQL: the 1 GB of one
        message or field)."""
        ...

    def stored_bytes(self, run: Run) -> int:
        """The bytes of the run's stored tables (0 without a stored result)."""
        ...

    def result_meta(self, run: Run) -> ResultMeta | None:
        """Schema version and row counts of the stored result, without its bytes."""
        ...

    def set_pinned(self, run: Run, pinned: bool) -> Run: ...

    def update(self, run: Run, **changes: object) -> Run:
        """Change a stored run's lifecycle columns (archived, tags, held, is_baseline)."""
        ...

    def delete(self, run: Run) -> None:
        """Delete a run and its result."""
        ...

    def prune(self, *, keep: int, batch: int, allow: PruneFilter | None = None) -> int:
        """Delete the oldest unpinned runs beyond the newest ``keep`` (at most
        ``batch`` of them, and only those ``allow`` lets go); return how many went."""
        ...
