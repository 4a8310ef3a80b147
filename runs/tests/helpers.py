from __future__ import annotations

from runs.registry import get_registry
from runs.registry.memory import Registry as MemoryRegistry


def current_memory_registry() -> MemoryRegistry:
    """The registry in use, which the test has set to the in-process one."""
    registry = get_registry()
    assert isinstance(registry, MemoryRegistry), "REGISTRY_BACKEND is not 'memory'"
    return registry
