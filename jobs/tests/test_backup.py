from __future__ import annotations

import io
import json
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from jobs import backup
from jobs.models import Job
from plans.tests.factories import PlanVersionFactory
from runs.models import Run, RunResult
from runs.tests.factories import RunFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_is_verified_and_contains_committed_runs(tmp_path):
    run = RunFactory.create()
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


# --- Backup while runs are written, restore into a fresh database -------------


def _restore_target(tmp_path: Path, suffix: str) -> str:
    if connection.vendor == "sqlite":
        return str(tmp_path / f"restored-{suffix}.db")
    return f"{connection.settings_dict['NAME']}_{suffix}"[:60]


def _drop_pg(name: str) -> None:
    if connection.vendor != "postgresql":
        return
    from psycopg import sql

    with backup._pg_connect_maintenance() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _rows(target: str, query: str) -> list[tuple]:
    """The rows ``query`` finds in a restored database (which Django is not connected to)."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(target) as conn:
            return conn.execute(query).fetchall()
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        dbname=target,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
    ) as conn:
        return conn.execute(query).fetchall()


def _restored_run_ids(target: str) -> tuple[set[str], int]:
    """Run ids in a restored database, and how many run results it has."""
    ids = {str(r[0]).replace("-", "") for r in _rows(target, "SELECT run_id FROM runs_run")}
    results = _rows(target, "SELECT count(*) FROM runs_runresult")[0][0]
    return ids, results


def test_backup_taken_while_runs_are_written_restores_every_committed_run(tmp_path):
    pv = PlanVersionFactory.create()
    committed: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    run = Run.objects.create(
                        plan_version=pv,
                        scenario=pv.base_scenario,
                        config_version=pv.config_version,
                        summary={"writer": n},
                    )
                    RunResult.objects.create(
                        run=run, schema_version="1", psi=b"p" * 4096, pl=b"", trace=b""
                    )
                with lock:  # after the commit: this run is durable
                    committed.append(run.run_id.hex)
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    target = _restore_target(tmp_path, "drill")
    try:
        deadline = time.monotonic() + 30
        while len(committed) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        with lock:
            before_backup = set(committed)
        path = backup.backup_create(directory=tmp_path / "bk", keep=3)
        time.sleep(0.3)  # the writers keep going after the snapshot
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    try:
        outcome = backup.backup_restore(path=path, target=target)
        assert outcome == {"target": target, "aside": ""}
        restored, results = _restored_run_ids(target)
    finally:
        _drop_pg(target)
    assert len(before_backup) >= 40
    assert before_backup <= restored, "a run committed before the backup is missing"
    assert restored <= set(committed), "the backup holds a run that never committed"
    assert results == len(restored), "a run and its result were split by the backup"


def test_restore_refuses_an_existing_database_without_force_and_keeps_it_aside(tmp_path):
    RunFactory.create()
    path = backup.backup_create(directory=tmp_path / "bk", keep=3)
    target = _restore_target(tmp_path, "existing")
    outcome: dict[str, str] = {}
    try:
        backup.backup_restore(path=path, target=target)
        with pytest.raises(ValidationError) as exc:
            backup.backup_restore(path=path, target=target)
        assert "--force" in exc.value.message_dict["force"][0]
        outcome = backup.backup_restore(path=path, target=target, force=True)
        assert outcome["aside"]
        if connection.vendor == "sqlite":
            assert Path(outcome["aside"]).is_file() and Path(target).is_file()
        else:
            assert _restored_run_ids(outcome["aside"])[0]
    finally:
        _drop_pg(target)
        if outcome.get("aside"):
            _drop_pg(outcome["aside"])


def test_restore_verifies_the_file_first(tmp_path):
    suffix = backup.SQLITE_SUFFIX if connection.vendor == "sqlite" else backup.PG_SUFFIX
    bogus = tmp_path / f"scpln-20260101T000000Z{suffix}"
    bogus.write_bytes(b"garbage" * 100)
    target = tmp_path / "untouched.db"
    with pytest.raises(ValidationError) as exc:
        backup.backup_restore(path=bogus, target=str(target))
    assert str(bogus) in exc.value.message_dict["file"][0]
    assert not target.exists()


def test_backup_command_prints_the_file_and_records_a_job(tmp_path):
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    written = Path(out.getvalue().strip())
    assert written.parent == tmp_path and written.is_file()
    job = Job.objects.get(type="backup")
    assert job.status == Job.Status.SUCCEEDED and job.result["path"] == str(written)


def test_backup_files_and_folder_are_private(tmp_path):
    path = backup.backup_create(directory=tmp_path / "bk", keep=3)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    if connection.vendor == "sqlite":
        restored = Path(backup.backup_restore(path=path, target=str(tmp_path / "r.db"))["target"])
        assert stat.S_IMODE(restored.stat().st_mode) == 0o600


def test_a_restored_copy_does_not_run_its_backup_job_again(tmp_path):
    """The copy holds the backup job that made it as running: restore settles it."""
    waiting = Job.objects.create(type="backup", dedupe_key="backup:scheduled")
    job = backup.backup_run_now(directory=tmp_path / "bk")
    path = Path(job.result["path"])
    target = _restore_target(tmp_path, "settled")
    try:
        backup.backup_restore(path=path, target=target)
        rows = _rows(target, "SELECT id, status, result, error FROM jobs_job WHERE type = 'backup'")
    finally:
        _drop_pg(target)
    jobs = {row[0]: row[1:] for row in rows}
    status, result, _error = jobs[job.pk]
    assert status == "succeeded"
    result = result if isinstance(result, dict) else json.loads(result)
    assert result["path"] == str(path)
    status, _result, error = jobs[waiting.pk]
    assert status == "canceled" and path.name in error
    assert not [row for row in rows if row[1] in ("queued", "running")]


def test_restore_command_refuses_without_force(tmp_path):
    path = backup.backup_create(directory=tmp_path / "bk", keep=3)
    target = _restore_target(tmp_path, "cmd")
    try:
        call_command("restore", str(path), "--target", target, stdout=io.StringIO())
        with pytest.raises(CommandError, match=r"force: .*--force"):
            call_command("restore", str(path), "--target", target, stdout=io.StringIO())
    finally:
        _drop_pg(target)


def test_scheduled_backup_is_a_deduplicated_job(django_capture_on_commit_callbacks, monkeypatch):
    from jobs import services

    monkeypatch.setattr(services, "job_enqueue", lambda *, job, countdown=None: None)
    first = services.job_schedule_periodic(job_type="backup")
    assert first is not None and first.type == "backup"
    assert (
        services.job_schedule_periodic(job_type="backup") is None
    )  # still queued: not a second one
