"""Counts an app keeps about another app's objects, shown by the lower app as badges.

``runs`` and ``plans`` sit below ``exceptions`` and cannot import it, yet their pages
and API responses show how many exceptions a run or plan version has, by kind. The
higher app registers a counter for the model (in its ``AppConfig.ready``); the lower
app asks for it by name and gets ``{}`` when nothing is registered — the way
``core.panels`` adds sections to a page::

    badges.register("runs.run", "exception_counts", counts_of_run)
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model

Counter = Callable[[Model], dict[str, int]]

_counters: dict[tuple[str, str], Counter] = {}


def register(model_label: str, name: str, counter: Counter) -> None:
    """``counter(obj)`` gives the counts called ``name`` of a ``model_label`` object."""
    _counters[(model_label, name)] = counter


def counts_for(obj: Model, name: str) -> dict[str, int]:
    """The counts called ``name`` of ``obj`` ({} when no app registered any)."""
    counter = _counters.get((obj._meta.label_lower, name))
    return counter(obj) if counter is not None else {}
