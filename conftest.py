"""Suite-wide fixtures and markers.

The original system's sample inputs live beside the repository in
``../shared/reference``; they are read where they are, never copied in. Tests
that need them carry the ``reference`` marker and are reported as not run
(skipped with the reason) on a checkout that does not have them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "shared" / "reference"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REFERENCE_DIR.is_dir():
        return
    not_run = pytest.mark.skip(reason=f"reference inputs not present at {REFERENCE_DIR}")
    for item in items:
        if "reference" in item.keywords:
            item.add_marker(not_run)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle and login lock-out counts start from zero in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The directory of the original system's canonical configs and planning inputs."""
    return REFERENCE_DIR


@pytest.fixture
def celery_worker_process(request: pytest.FixtureRequest, transactional_db, tmp_path):
    """A real ``celery worker`` process on the test database.

    The worker is a separate OS process, as in production: it shares nothing
    with the test but the database and the broker, so serialization and
    on-commit mistakes that eager mode hides show up here. The broker is the
    embedded filesystem transport in a private folder, or real Redis when the
    test is marked ``redis`` (database 15, or ``@pytest.mark.redis(db=N)``;
    emptied first).
    """
    from tests.workers import DEFAULT_REDIS_DB, start_worker

    marker = request.node.get_closest_marker("redis")
    broker = "redis" if marker else "filesystem"
    redis_db = marker.kwargs.get("db", DEFAULT_REDIS_DB) if marker else DEFAULT_REDIS_DB
    with start_worker(tmp_path, broker=broker, redis_db=redis_db) as worker:
        yield worker


@pytest.fixture
def celery_workers(request: pytest.FixtureRequest, transactional_db, tmp_path):
    """Start any number of real workers: ``celery_workers(name="w2", beat=True, ...)``.

    Takes :func:`tests.workers.start_worker`'s keywords. The first call points
    this process's producer at the broker; later calls share it. The broker is
    Redis when the test is marked ``redis`` (``@pytest.mark.redis(db=N)``),
    else the filesystem transport. Every worker is stopped at the end.
    """
    import contextlib

    from tests.workers import DEFAULT_REDIS_DB, start_worker

    marker = request.node.get_closest_marker("redis")
    defaults = {
        "broker": "redis" if marker else "filesystem",
        "redis_db": marker.kwargs.get("db", DEFAULT_REDIS_DB) if marker else DEFAULT_REDIS_DB,
    }
    with contextlib.ExitStack() as stack:
        started: list = []

        def start(**options):
            options = {**defaults, "producer": not started, **options}
            worker = stack.enter_context(start_worker(tmp_path, **options))
            started.append(worker)
            return worker

        yield start
