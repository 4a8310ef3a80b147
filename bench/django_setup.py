"""Django for a benchmark: a fresh, migrated database that nothing else uses."""

from __future__ import annotations

import os
from pathlib import Path


def django_ready(folder: str | Path, *, database_url: str | None = None) -> None:
    """Django on a fresh database in this process: SQLite in ``folder`` (or
    ``database_url``), data files in ``folder``; migrated."""
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SCPLN_DATA_DIR=str(folder),
        SCPLN_DB=str(Path(folder) / "bench.db"),
    )
    migrated()


def migrated() -> None:
    """``django.setup()`` and ``migrate``, the database named by the environment."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
