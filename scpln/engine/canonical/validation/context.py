"""What every check needs: the config, its indexes, and one way to word a problem."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from scpln.engine.canonical.buckets import BucketError, bucket_period
from scpln.engine.canonical.limits import MAX_QUANTITY
from scpln.engine.canonical.problems import Problem
from scpln.engine.canonical.schema import DEFAULT_START_DATE, CanonicalConfig


def fmt(value: float) -> str:
    """A number as a planner writes it (no trailing ``.0``; huge ones as ``1e+30``)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}"


def choices(values: Iterable[str]) -> str:
    return ", ".join(values)


class Context:
    """The config under check, its code indexes, and the problems found so far."""

    def __init__(self, config: CanonicalConfig, kept: dict[str, list[int]] | None = None) -> None:
        self.config = config
        self.kept = kept or {}
        self.problems: list[Problem] = []
        # Findings that do not stop a plan or a run but that a planner should see.
        self.warnings: list[Problem] = []
        self.items = {item.code: item for item in config.items}
        self.nodes = {node.code: node for node in config.nodes}
        self.start: date = DEFAULT_START_DATE  # replaced by a valid meta.attributes.start_date

    def index(self, rows_path: str, position: int) -> int:
        """The source index of the row at ``position`` (rows that could not be read are gone)."""
        kept = self.kept.get(rows_path)
        return position if kept is None else kept[position]

    def row(self, rows_path: str, position: int) -> str:
        """The path of a row as the planner sees it in the document."""
        return f"{rows_path}[{self.index(rows_path, position)}]"

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(Problem(path, message))

    def at_least(
        self,
        path: str,
        value: float | None,
        *,
        strict: bool = False,
        maximum: float = MAX_QUANTITY,
    ) -> None:
        """Report a number below 0 (or not above 0 when ``strict``), or above ``maximum``.

        The maximum (scpln/engine/canonical/limits.py) keeps every number in a
        range the planner and simulator compute with safely.
        """
        if value is None:
            return
        if strict and value <= 0:
            self.add(path, f"must be greater than 0, got {fmt(value)}")
        elif value < 0:
            self.add(path, f"must not be negative, got {fmt(value)}")
        elif value > maximum:
            self.add(path, f"must be at most {fmt(maximum)}, got {fmt(value)}")

    def known_item(self, path: str, code: str) -> bool:
        if code in self.items:
            return True
        self.add(path, f"unknown item '{code}'")
        return False

    def known_node(self, path: str, code: str) -> bool:
        if code in self.nodes:
            return True
        self.add(path, f"unknown node '{code}'")
        return False

    def one_of(self, path: str, value: str, allowed: tuple[str, ...], what: str) -> None:
        if value not in allowed:
            self.add(path, f"unknown {what} '{value}'; use {choices(allowed)}")

    def duplicates(self, section: str, keys: Iterable[Any], what: str) -> None:
        """Report every row whose key an earlier row of ``section`` already has."""
        first: dict[Any, int] = {}
        for position, key in enumerate(keys):
            if key in first:
                earlier = self.row(section, first[key])
                self.add(self.row(section, position), f"duplicate {what} (already at {earlier})")
            else:
                first[key] = position

    def bucket(self, path: str, code: str) -> tuple[date, date] | None:
        """The calendar period of a bucket code, reporting a code that names none."""
        try:
            return bucket_period(code, self.start)
        except BucketError as exc:
            self.add(path, str(exc))
            return None
