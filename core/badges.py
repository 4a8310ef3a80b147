"""Counts an app keeps about another app's objects, shown by the lower app as badges.

``runs`` and ``plans`` sit below ``exceptions`` and cannot import it, yet their pages
and API responses show how many exceptions a run or plan version has, by kind. The
higher app registers a counter for the model (in its ``AppConfig.ready``), with a
label per key; the lower app asks for the counts by name and gets ``{}`` when nothing
is registered — the way ``core.panels`` adds sections to a page::

    badges.register("runs.run", "exception_counts", count_runs, labels=KIND_LABELS)

A counter takes many objects at once, so a list page costs one query, not one a row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

Counter = Callable[[Sequence[Model]], dict[Any, dict[str, int]]]


@dataclass(frozen=True)
class Badge:
    """One count, with the label a planner reads and the key the API uses."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class _Registered:
    counter: Counter
    labels: Mapping[str, Any]


_counters: dict[tuple[str, str], _Registered] = {}


def register(model_label: str, name: str, counter: Counter, *, labels: Mapping[str, Any]) -> None:
    """``counter(objects)`` gives ``{pk: {key: count}}`` for the counts called ``name`` of
    ``model_label`` objects; ``labels[key]`` names each key for people."""
    _counters[(model_label, name)] = _Registered(counter, labels)


def counts_for(obj: Model, name: str) -> dict[str, int]:
    """The counts called ``name`` of ``obj`` ({} when no app registered any)."""
    return counts_for_many([obj], name).get(obj.pk, {})


def counts_for_many(objects: Sequence[Model], name: str) -> dict[Any, dict[str, int]]:
    """``{pk: counts}`` of ``objects`` (all of one model); {} when none are registered."""
    if not objects:
        return {}
    registered = _counters.get((objects[0]._meta.label_lower, name))
    return registered.counter(objects) if registered is not None else {}


def badges_for_many(objects: Sequence[Model], name: str) -> dict[Any, list[Badge]]:
    """``{pk: [Badge, ...]}``: the counts of :func:`counts_for_many` with their labels."""
    if not objects:
        return {}
    registered = _counters.get((objects[0]._meta.label_lower, name))
    if registered is None:
        return {}
    return {
        pk: [Badge(key, str(registered.labels.get(key, key)), n) for key, n in counts.items()]
        for pk, counts in registered.counter(objects).items()
    }
