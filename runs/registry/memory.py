"""The in-process backend: throwaway runs for demos, notebooks and tests.

Runs live in this process only (a restart forgets them, and each worker
process has its own), newest first, bounded: at most ``RUNS_DB_MAX_ROWS``
unpinned runs when that is set, else :data:`DEFAULT_MAX_RUNS`, pruned by the
same retention signal as the database backend. Pinned and held runs are
spared. Removed runs leave no tombstone here: the whole store is throwaway.
Run objects are unsaved model instances whose plan version, scenario, config
and job are the real rows, so every read path renders them unchanged.

Filtering applies the validated values of :class:`runs.filters.RunFilter`
generically from each filter's ``field_name`` and ``lookup_expr``, so a
filter added there works here without a second definition.
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from runs.models import Run, RunResult

if TYPE_CHECKING:
    from runs.filters import RunFilter
    from runs.registry.base import PruneFilter, ResultMeta

DEFAULT_MAX_RUNS = 1000


class Registry:
    name = "memory"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._runs: dict[uuid.UUID, Run] = {}
        self._results: dict[uuid.UUID, RunResult] = {}

    def clear(self) -> None:
        with self._lock:
            self._runs.clear()
            self._results.clear()

    def add(self, *, run: Run, result: RunResult) -> Run:
        result.run = run
        with self._lock:
            self._runs[run.pk] = run
            self._results[run.pk] = result
        return run

    def get(self, run_id: uuid.UUID) -> Run:
        with self._lock:
            try:
                return self._runs[run_id]
            except KeyError:
                raise Run.DoesNotExist(f"run {run_id} not in the memory registry") from None

    def get_many(self, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Run]:
        with self._lock:
            return {rid: self._runs[rid] for rid in run_ids if rid in self._runs}

    def list(self, *, filterset: RunFilter) -> list[Run]:
        from core.filters import ordering_fields
        from runs.filters import DEFAULT_ORDERING, TIE_BREAKER

        cleaned = filterset.form.cleaned_data
        checks: list[Callable[[Run], bool]] = []
        ordering = list(DEFAULT_ORDERING)
        for name, value in cleaned.items():
            if name == "ordering":
                ordering = [p for p in (value or []) if p] or ordering
                continue
            if value is None or value == "":
                continue
            flt = filterset.filters[name]
            checks.append(_check(flt.field_name, flt.lookup_expr, value))
        with self._lock:
            runs = [run for run in self._runs.values() if all(check(run) for check in checks)]
        for field in reversed(ordering_fields(ordering, None, TIE_BREAKER)):
            name = field.lstrip("-")
            descending = field.startswith("-")
            # Nulls sort last either way (the documented memory-backend rule).
            present = [run for run in runs if _value(run, name) is not None]
            missing = [run for run in runs if _value(run, name) is None]
            present.sort(key=_sort_key(name), reverse=descending)
            runs = present + missing
        return runs

    def table(self, run: Run, name: str) -> bytes | None:
        with self._lock:
            result = self._results.get(run.pk)
        data = None if result is None else getattr(result, name)
        return None if data is None else bytes(data)

    def store_trace(self, run: Run, *, data: bytes, rows: int) -> bool:
        with self._lock:
            result = self._results.get(run.pk)
            if result is None or result.trace is not None:
                return False
            result.trace, result.trace_rows = data, rows
        return True

    def largest_result(self) -> int:
        return sys.maxsize  # bytes in this process: no database limit

    def stored_bytes(self, run: Run) -> int:
        with self._lock:
            result = self._results.get(run.pk)
        tables = () if result is None else (result.psi, result.pl, result.trace, result.receipts)
        return sum(len(data) for data in tables if data is not None)

    def result_meta(self, run: Run) -> ResultMeta | None:
        with self._lock:
            result = self._results.get(run.pk)
        if result is None:
            return None
        return {
            "schema_version": result.schema_version,
            "psi_rows": result.psi_rows,
            "pl_rows": result.pl_rows,
            "trace_rows": result.trace_rows,
        }

    def set_pinned(self, run: Run, pinned: bool) -> Run:
        with self._lock:
            stored = self.get(run.pk)
            stored.pinned = pinned
        run.pinned = pinned
        return stored

    def update(self, run: Run, **changes: object) -> Run:
        with self._lock:
            stored = self.get(run.pk)
            for field, value in changes.items():
                setattr(stored, field, value)
                setattr(run, field, value)
        return stored

    def delete(self, run: Run) -> None:
        with self._lock:
            self._runs.pop(run.pk, None)
            self._results.pop(run.pk, None)

    def prune(self, *, keep: int, batch: int, allow: PruneFilter | None = None) -> int:
        keep = keep or DEFAULT_MAX_RUNS
        with self._lock:
            unpinned = sorted(
                (run for run in self._runs.values() if not (run.pinned or run.held)),
                key=lambda run: (run.started_at, str(run.run_id)),
                reverse=True,
            )
            doomed = unpinned[keep : keep + batch]
            if doomed and allow is not None:
                allowed = set(allow([run.run_id for run in doomed]))
                doomed = [run for run in doomed if run.run_id in allowed]
            for run in doomed:
                self.delete(run)
        return len(doomed)


def _value(run: Run, path: str) -> Any:
    value: Any = run
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def _sortable(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _sort_key(path: str) -> Callable[[Run], Any]:
    return lambda run: _sortable(_value(run, path))


def _check(path: str, lookup: str, wanted: Any) -> Callable[[Run], bool]:
    def check(run: Run) -> bool:
        value = _value(run, path)
        if lookup == "exact":
            return value is not None and str(value) == str(wanted)
        if lookup == "icontains":
            return value is not None and str(wanted).casefold() in str(value).casefold()
        if lookup in ("gte", "lt") and isinstance(value, datetime):
            return value >= wanted if lookup == "gte" else value < wanted
        raise NotImplementedError(f"memory registry: lookup {lookup!r} on {path}")

    return check
