"""The embedded SQLite database's log copied back after a job, not inside its commit.

In WAL mode SQLite appends a transaction's pages to the log and, when a commit leaves more
than 1,000 pages there, the committing connection copies the log into the database file
(a checkpoint, with its fsyncs) before the commit returns. A job's final transaction holds
its whole output — a 10,000-SKU year's run is some 185 MB of Parquet — so the planner
waited some 0.6 s after the outcome was written for a copy that nobody reads (readers find
the pages in the log). Inside :func:`checkpoint_deferred` the connection does not copy on
commit; the worker copies the log with :func:`checkpoint` once the job's outcome is
committed, before it takes its next job.

Only that connection defers: every other connection (the web process, another worker)
keeps SQLite's rule and copies the log at its own next large-enough commit, so the log
stays bounded even when a worker dies between the commit and its checkpoint. A commit is
as durable as before: ``synchronous=NORMAL`` in WAL mode never synced at commit.
PostgreSQL (and any other database) has no such step: both functions do nothing there.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def checkpoint_deferred(using: str = "default") -> Iterator[None]:
    """Commits on this connection inside the block leave the log for :func:`checkpoint`;
    after it the connection's own rule (SQLite's build default, 1,000 pages) applies again."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    try:
        yield
    finally:
        _autocheckpoint(using, int(pages))


def checkpoint(using: str = "default") -> None:
    """Copy the log into the database file now, waiting for no reader or writer (SQLite's
    PASSIVE mode: what an open reader still needs is copied by a later checkpoint)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except DatabaseError:
        # The job's outcome is committed already; the next large commit copies the log.
        logger.warning("checkpoint of the SQLite log failed", exc_info=True)


def _autocheckpoint(using: str, pages: int) -> None:
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={pages:d}")
    except DatabaseError:
        # A broken connection is replaced by a new one, which starts with SQLite's default.
        logger.warning("could not restore the SQLite log's checkpoint rule", exc_info=True)
