"""Backups of the registry database: online, verified, rotated; and restore.

SQLite is copied with the sqlite3 backup API in one step: in WAL mode that
step reads one consistent snapshot while other connections keep committing
(a reader never blocks a writer), whereas a copy in small steps restarts
whenever another connection writes and may never finish under steady load.
PostgreSQL is dumped with ``pg_dump`` in custom format (an MVCC snapshot).
Every backup is verified before it counts, and only verified files are kept
by rotation.

Nightly backups are ``backup`` jobs (jobs/handlers.py) created by celery beat
(``SCPLN_BACKUP_CRON``); ``manage.py backup`` runs one in-process, also as a
job, so every backup shows in ``/ui/jobs``, the admin and
``backup_last_success_timestamp_seconds``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from core.files import private_dir, private_file

if TYPE_CHECKING:
    import psycopg

    from jobs.models import Job
    from jobs.runner import JobContext

logger = logging.getLogger(__name__)

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"
BACKUP = "backup"  # the job type


class BackupError(Exception):
    """A backup could not be written or did not verify."""


def backup_dir() -> Path:
    return Path(settings.SCPLN_BACKUP_DIR)


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def backup_create(
    *, directory: Path | None = None, keep: int | None = None, job_id: int | None = None
) -> Path:
    """Write a verified backup of the default database and rotate old ones.

    Returns the path of the new backup. The file appears under its final name
    only after verification, so a half-written file is never mistaken for a
    backup. ``job_id``, the backup job writing it, goes into the file name:
    the copy holds that job as still running, and a restore settles it by
    that id instead of letting the reaper run it again (see
    :func:`backup_restore`).
    """
    target_dir = private_dir(directory or backup_dir())
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    suffix = SQLITE_SUFFIX if _is_sqlite() else PG_SUFFIX
    tag = f"-job{job_id}" if job_id is not None else ""
    final = target_dir / f"scpln-{stamp}{tag}{suffix}"
    # Created 0600 before anything is written to it: a backup holds every
    # password hash and token digest the database does.
    partial = private_file(final.with_name(final.name + ".partial"))
    try:
        if _is_sqlite():
            _sqlite_backup(Path(connection.settings_dict["NAME"]), partial)
        else:
            _pg_dump(partial)
        backup_verify(partial)
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    backup_rotate(
        directory=target_dir, keep=keep if keep is not None else settings.SCPLN_BACKUP_KEEP
    )
    return final


def backup_verify(path: Path) -> None:
    """Raise BackupError unless ``path`` is a readable, intact backup."""
    if not path.is_file() or path.stat().st_size == 0:
        raise BackupError(f"{path}: no such backup file or it is empty")
    if path.name.endswith(PG_SUFFIX) or path.name.endswith(PG_SUFFIX + ".partial"):
        proc = subprocess.run(
            ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise BackupError(f"{path}: pg_restore cannot read it: {proc.stderr.strip()}")
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite database ({exc})") from None
    if result != "ok":
        raise BackupError(f"{path}: integrity check failed: {result}")
    if "django_migrations" not in tables:
        raise BackupError(f"{path}: not an scpln database (no django_migrations table)")


def backup_rotate(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``directory``; returns what was deleted."""
    if keep <= 0:
        return []
    backups = sorted(
        (p for p in directory.glob("scpln-*") if p.suffix in (SQLITE_SUFFIX, PG_SUFFIX)),
        key=lambda p: p.name,
        reverse=True,
    )
    removed = backups[keep:]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _sqlite_backup(source: Path, destination: Path) -> None:
    src = sqlite3.connect(source, timeout=settings.SQLITE_BUSY_TIMEOUT_S)
    dst = sqlite3.connect(destination)
    try:
        # One step = one read transaction = one consistent snapshot (see the
        # module docstring for why not several small steps).
        src.backup(dst, pages=-1)
        # The copy inherits WAL mode; a backup is a single self-contained file.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _pg_dump(destination: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed; install the PostgreSQL client tools")
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    cmd = ["pg_dump", "--format=custom", "--no-owner", "--file", str(destination)]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            cmd += [flag, str(db[key])]
    cmd.append(str(db["NAME"]))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise BackupError(f"pg_dump failed: {proc.stderr.strip()}")


def backup_job(*, job: Job, ctx: JobContext) -> dict[str, Any]:
    """Job handler: one verified, rotated backup.

    Idempotent across attempts: a lost attempt's partial file never gets its
    final name, and rotation removes surplus complete ones.
    """
    ctx.progress(5, "copying database", force=True)
    directory = Path(job.params["directory"]) if job.params.get("directory") else None
    path = backup_create(directory=directory, job_id=job.pk)
    with ctx.finishing() as result:
        result.update(path=str(path), bytes=path.stat().st_size)
    return result


def backup_run_now(*, directory: Path | None = None) -> Job:
    """Run one backup in this process, recorded as a backup job; returns the finished job."""
    from jobs.services import job_run_now

    params = {"directory": str(directory)} if directory else {}
    return job_run_now(job_type=BACKUP, params=params)


# --- Restore ------------------------------------------------------------------


def backup_restore(*, path: Path, force: bool = False, target: str | None = None) -> dict[str, str]:
    """Replace a database with a verified backup; the previous one is kept aside.

    ``target`` is a SQLite file or a PostgreSQL database name (default: the
    configured database). The backup is verified first. An existing target is
    refused (``ValidationError`` keyed ``force``) unless ``force``; with it,
    the existing SQLite file (and its WAL) is renamed to
    ``<name>.before-restore-<time>``, or the PostgreSQL database to
    ``<name>_before_restore_<time>``, so nothing is destroyed. Stop web,
    workers and beat first: processes with the old database open keep
    writing to it. Returns ``{"target": ..., "aside": ...}`` (``aside`` empty
    when there was nothing to keep).

    The copy was taken while a backup job ran, so it holds that job (and
    perhaps a queued one) as unfinished; left so, the reaper of the restored
    database would run it again and write another full backup. The restore
    settles them in the restored database: see :func:`_settle_backup_jobs`.
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError({"file": f"{path}: no such file"})
    try:
        backup_verify(path)
    except BackupError as exc:
        raise ValidationError({"file": str(exc)}) from None
    is_pg_dump = path.name.endswith(PG_SUFFIX)
    if is_pg_dump != (connection.vendor == "postgresql") and target is None:
        raise ValidationError(
            {
                "file": f"{path.name} is a "
                f"{'PostgreSQL' if is_pg_dump else 'SQLite'} backup but the configured "
                f"database is {connection.vendor}; give --target"
            }
        )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    configured = str(connection.settings_dict["NAME"])
    if target is None or target == configured:
        # Our own connections must not hold the database being replaced.
        connections.close_all()
    if is_pg_dump:
        outcome = _pg_restore(path, target or configured, force, stamp)
    else:
        outcome = _sqlite_restore(path, Path(target or configured), force, stamp)
    _settle_backup_jobs(outcome["target"], postgres=is_pg_dump, backup=path)
    return outcome


_JOB_IN_NAME = re.compile(r"-job(\d+)\.")


def _settle_backup_jobs(target: str, *, postgres: bool, backup: Path) -> None:
    """End the backup jobs that the restored copy holds as queued or running.

    The job whose file this is (its id is in the file name) succeeded: the
    file exists; its result names it. Any other is canceled with a note. Plain
    SQL on the restored database, which this process is not connected to.
    Other jobs are left as they were: a planning job interrupted by the copy
    did not commit its outputs, and the reaper rightly runs it again.
    """
    match = _JOB_IN_NAME.search(backup.name)
    producer = int(match.group(1)) if match else -1
    result = json.dumps({"path": str(backup), "settled_by_restore": True})
    note = f"Settled by restore from {backup.name}: the copy was taken while this job waited."
    mark = "%s" if postgres else "?"
    active = f"type = {mark} AND status IN ('queued', 'running')"
    finished = "COALESCE(heartbeat_at, started_at, created_at)"
    statements: list[tuple[str, list[Any]]] = [
        (
            f"UPDATE jobs_job SET status = 'succeeded', progress = 100, progress_message = '', "
            f"result = {mark}{'::jsonb' if postgres else ''}, finished_at = {finished} "
            f"WHERE {active} AND id = {mark}",
            [result, BACKUP, producer],
        ),
        (
            f"UPDATE jobs_job SET status = 'canceled', error = {mark}, finished_at = {finished} "
            f"WHERE {active}",
            [note, BACKUP],
        ),
    ]
    if postgres:
        with _pg_connect(target) as pg:
            for sql_text, params in statements:
                pg.execute(sql_text, params)
        return
    with contextlib.closing(sqlite3.connect(target)) as lite, lite:
        for sql_text, params in statements:
            lite.execute(sql_text, params)


def _sqlite_restore(path: Path, target: Path, force: bool, stamp: str) -> dict[str, str]:
    existing = target.exists() and target.stat().st_size > 0
    if existing and not force:
        raise ValidationError(
            {"force": f"{target} exists; add --force to set it aside and restore over it"}
        )
    aside = ""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = private_file(target.with_name(target.name + ".restoring"))
    shutil.copyfile(path, partial)
    os.sync()
    if existing:
        aside_path = target.with_name(f"{target.name}.before-restore-{stamp}")
        # The WAL and shared-memory files belong to the old database: moved
        # with it, else the restored file would be read through them.
        for suffix in ("-wal", "-shm"):
            companion = target.with_name(target.name + suffix)
            if companion.exists():
                companion.rename(aside_path.with_name(aside_path.name + suffix))
        target.rename(aside_path)
        aside = str(aside_path)
    partial.rename(target)
    return {"target": str(target), "aside": aside}


def _pg_connect_maintenance() -> Any:
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def _pg_restore(path: Path, name: str, force: bool, stamp: str) -> dict[str, str]:
    from psycopg import sql

    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore is not installed; install the PostgreSQL client tools")
    aside = ""
    with _pg_connect_maintenance() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and _pg_has_tables(name):
            if not force:
                raise ValidationError(
                    {"force": f"database {name} exists; add --force to set it aside and restore"}
                )
            aside = f"{name}_before_restore_{stamp}"[:63]
            try:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(name), sql.Identifier(aside)
                    )
                )
            except Exception as exc:  # psycopg's ObjectInUse and friends
                raise ValidationError(
                    {
                        "force": f"cannot set database {name} aside ({exc}); stop web, workers "
                        "and beat, then try again"
                    }
                ) from None
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    cmd = ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", name]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            cmd += [flag, str(db[key])]
    cmd.append(str(path))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise BackupError(f"pg_restore into {name} failed: {proc.stderr.strip()}")
    return {"target": name, "aside": aside}


def _pg_connect(name: str) -> psycopg.Connection:
    """A connection to database ``name`` on the server and with the credentials that
    Django's own connection uses (a restore works on a database Django is not using)."""
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    )


def _pg_has_tables(name: str) -> bool:
    with _pg_connect(name) as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    return bool(row and row[0])
