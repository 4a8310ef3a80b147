"""The one shape every config complaint takes, so the UI, API and CLI render them alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a config, located by a path a planner can follow.

    ``path`` uses the document's own names (``arcs[3].to_node``,
    ``overrides.capacity_scale_by_node.FACT-9``); an empty path means the document as a whole.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class ConfigError(ValueError):
    """A config (or overrides document) that cannot be read at all; carries every problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid config")


def join_path(base: str, key: str | int) -> str:
    """Extend a problem path by an object key or a list index."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key
