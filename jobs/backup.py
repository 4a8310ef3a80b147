"""Backups of the registry database: online, verified, rotated.

SQLite is copied with the sqlite3 backup API, which yields a consistent
snapshot while other connections keep writing (WAL); PostgreSQL is dumped
with ``pg_dump`` in custom format. Every backup is verified before it counts,
and only verified files are kept by rotation.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from scpln import metrics

if TYPE_CHECKING:
    from jobs.models import Job
    from jobs.runner import JobContext

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"


class BackupError(Exception):
    """A backup could not be written or did not verify."""


def backup_dir() -> Path:
    return Path(settings.SCPLN_BACKUP_DIR)


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def backup_create(*, directory: Path | None = None, keep: int | None = None) -> Path:
    """Write a verified backup of the default database and rotate old ones.

    Returns the path of the new backup. The file appears under its final name
    only after verification, so a half-written file is never mistaken for a
    backup.
    """
    target_dir = directory or backup_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    suffix = SQLITE_SUFFIX if _is_sqlite() else PG_SUFFIX
    final = target_dir / f"scpln-{stamp}{suffix}"
    partial = final.with_name(final.name + ".partial")
    try:
        if _is_sqlite():
            _sqlite_backup(Path(connection.settings_dict["NAME"]), partial)
        else:
            _pg_dump(partial)
        backup_verify(partial)
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    metrics.backup_last_success_timestamp_seconds.set(time.time())
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
        # Copy in steps so writers are only paused briefly between them.
        src.backup(dst, pages=1024, sleep=0.005)
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
    """Job handler: one verified, rotated backup."""
    ctx.progress(5, "copying database", force=True)
    directory = Path(job.params["directory"]) if job.params.get("directory") else None
    path = backup_create(directory=directory)
    return {"path": str(path), "bytes": path.stat().st_size}
