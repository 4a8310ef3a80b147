"""The RunRegistry: where runs are kept, behind one small interface.

``REGISTRY_BACKEND`` names the backend the way ``SESSION_ENGINE`` does for
sessions: ``db`` (the default) is :mod:`runs.registry.db`, ``memory`` is
:mod:`runs.registry.memory`; a dotted module path is accepted too. The
setting is read on every call, so ``override_settings`` switches backends in
tests. Nothing outside the registry's services and selectors talks to a
backend directly.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from runs.registry.base import RunRegistry

ALIASES = {"db": "runs.registry.db", "memory": "runs.registry.memory"}


def get_registry() -> RunRegistry:
    """The backend named by ``REGISTRY_BACKEND``."""
    name = getattr(settings, "REGISTRY_BACKEND", "db") or "db"
    return _registry(ALIASES.get(name, name))


@cache
def _registry(module: str) -> RunRegistry:
    # One instance per backend for the life of the process: the memory
    # backend's runs live in its instance.
    return import_string(f"{module}.Registry")()


__all__ = ["RunRegistry", "get_registry"]
