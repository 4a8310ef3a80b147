"""A job's commits leave the embedded SQLite database's log to the worker (core/wal.py).

The planner's wait ends when the job's outcome is committed; copying the log into the
database file comes after it, in the worker. What is committed must be readable at once
(readers find it in the log), and the copy must happen: in the worker right after the
job, and otherwise at the next large commit of any connection, as SQLite's own rule.
Observed by reading the database file alone (``immutable=1`` ignores the log).
"""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection, transaction

from core import wal
from jobs import registry, runner, tasks
from jobs.models import Job
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db(transaction=True)

PAGES_BYTES = 8 << 20  # some 2,000 pages: over SQLite's 1,000-page checkpoint rule


@pytest.fixture
def probe():
    """A table of marked blobs; yields a function counting a mark's rows, in the database
    file alone and through a normal connection (which reads the log too)."""
    if connection.vendor != "sqlite":
        pytest.skip(
            "the log copied back is the embedded SQLite database's; this run uses "
            + connection.vendor
        )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE wal_probe (mark TEXT, data BLOB)")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the table itself in the file
    name = connection.settings_dict["NAME"]

    def rows(mark: str) -> tuple[int, int]:
        counted = []
        for uri in (f"file:{name}?immutable=1", f"file:{name}"):
            reader = sqlite3.connect(uri, uri=True)
            try:
                query = "SELECT count(*) FROM wal_probe WHERE mark = ?"
                counted.append(reader.execute(query, [mark]).fetchone()[0])
            finally:
                reader.close()
        return counted[0], counted[1]

    yield rows
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE wal_probe")


@pytest.fixture
def writes_pages():
    """The backup job type writes ``PAGES_BYTES`` under its mark as it finishes."""

    def handler(*, job, ctx):
        with ctx.finishing() as result:
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO wal_probe VALUES (%s, randomblob(%s))",
                    [job.params["mark"], PAGES_BYTES],
                )
            result["written"] = True
        return result

    original = registry.replace_handler("backup", handler)
    yield
    registry.replace_handler("backup", original)


def _big_commit(mark: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO wal_probe VALUES (%s, randomblob(%s))", [mark, PAGES_BYTES])


def test_a_large_commit_is_copied_into_the_file_as_it_commits_outside_a_job(probe):
    # SQLite's own rule, which the tests below rely on telling apart
    _big_commit("plain")
    assert probe("plain") == (1, 1)


def test_a_job_s_outcome_is_readable_at_once_and_copied_by_the_worker_after_it(probe, writes_pages):
    job = JobFactory.create(params={"mark": "job"})
    done = runner.run(job.pk)

    assert done is not None and done.status == Job.Status.SUCCEEDED
    assert done.result == {"written": True}
    assert probe("job") == (0, 1)  # committed, in the log, not yet in the file
    wal.checkpoint()
    assert probe("job") == (1, 1)


def test_the_worker_s_task_copies_the_log_once_the_job_is_done(probe, writes_pages):
    job = JobFactory.create(params={"mark": "task"})
    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert probe("task") == (1, 1)


def test_once_the_handler_is_done_commits_copy_the_log_again(probe):
    # the failure is written after the handler, by a commit that copies what it left
    def fails(*, job, ctx):
        _big_commit("inside")
        assert probe("inside") == (0, 1)
        raise ValueError("planned failure")

    original = registry.replace_handler("backup", fails)
    try:
        done = runner.run(JobFactory.create().pk)
    finally:
        registry.replace_handler("backup", original)

    assert done is not None and done.status == Job.Status.FAILED
    assert "planned failure" in done.error  # not the probe's assertion
    assert probe("inside") == (1, 1)
