from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from jobs import backup
from runs.tests.factories import RunFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_is_verified_and_contains_committed_runs(tmp_path):
    run = RunFactory()
    path = backup.backup_create(directory=tmp_path, keep=5)
    backup.backup_verify(path)
    if connection.vendor == "sqlite":
        with sqlite3.connect(path) as conn:
            ids = {r[0] for r in conn.execute("SELECT run_id FROM runs_run")}
        assert run.run_id.hex in ids
    assert not list(tmp_path.glob("*.partial"))


def test_rotation_keeps_the_newest_backups(tmp_path):
    paths = [backup.backup_create(directory=tmp_path, keep=2) for _ in range(3)]
    remaining = sorted(p.name for p in tmp_path.iterdir())
    assert remaining == sorted(p.name for p in paths[1:])


def test_verify_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "scpln-20260101T000000Z.sqlite3"
    bogus.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backup.BackupError, match="not a SQLite database"):
        backup.backup_verify(bogus)
