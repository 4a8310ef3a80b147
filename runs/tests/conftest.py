from __future__ import annotations

import pytest

from core.api.testing import api_user, token_client
from runs.tests.helpers import current_memory_registry


@pytest.fixture
def reader(db):
    return api_user("reader")


@pytest.fixture
def reader_client(reader):
    return token_client(reader)


@pytest.fixture
def memory_registry(settings):
    """Switch to the in-process backend for one test, starting and ending empty."""
    settings.REGISTRY_BACKEND = "memory"
    registry = current_memory_registry()
    registry.clear()
    yield registry
    registry.clear()
