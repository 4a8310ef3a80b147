"""Concurrent writers on the default database lose nothing and never see
"database is locked" (SQLite: WAL, busy timeout, IMMEDIATE transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from plans.tests.factories import PlanVersionFactory
from runs.models import Run, RunResult

THREADS = 8
RUNS_PER_THREAD = 25


@pytest.mark.django_db(transaction=True)
def test_eight_threads_writing_runs_lose_none():
    pv = PlanVersionFactory.create()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(RUNS_PER_THREAD):
                # A run and its result belong together: one transaction, as the
                # registry writes them.
                with transaction.atomic():
                    run = Run.objects.create(
                        plan_version=pv,
                        scenario=pv.base_scenario,
                        config_version=pv.config_version,
                        summary={"writer": n, "i": i},
                        fill_rate=0.9,
                    )
                    RunResult.objects.create(
                        run=run, schema_version="1", psi=b"x" * 2048, pl=b"", trace=b""
                    )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert Run.objects.filter(plan_version=pv).count() == THREADS * RUNS_PER_THREAD
    assert RunResult.objects.filter(run__plan_version=pv).count() == THREADS * RUNS_PER_THREAD
    per_writer = {n: Run.objects.filter(summary__writer=n).count() for n in range(THREADS)}
    assert set(per_writer.values()) == {RUNS_PER_THREAD}


@pytest.mark.django_db
def test_sqlite_connection_is_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific pragmas; this run uses " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
