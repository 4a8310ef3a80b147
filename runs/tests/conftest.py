from __future__ import annotations

import pytest

from core.api.testing import api_user, token_client
from runs.tests.helpers import current_memory_registry
from scenarios.services import config_import
from scpln.engine.canonical.generator import NetworkShape, generate_config

# A network small enough to simulate in a test, with factories, materials and stores.
SMALL = NetworkShape(skus=4, stores=2, dcs=1, factories=1, materials=2, days=60, seed=5)


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


@pytest.fixture
def network(db):
    """A config version of :data:`SMALL`, for runs simulated for real."""
    version, _ = config_import(document=generate_config(**SMALL), name="small network")
    return version
