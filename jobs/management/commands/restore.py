from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand
from jobs.backup import BackupError, backup_restore


class Command(ServiceCommand):
    """Restore the database from a backup file. The file is verified first; an existing database is
    refused unless --force, and then set aside (renamed), never deleted. Stop web, workers and
    beat before restoring."""

    # The database is about to be replaced: checks would open connections to it.
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .sqlite3 or .pgdump file written by backup")
        parser.add_argument(
            "--force", action="store_true", help="set the existing database aside and replace it"
        )
        parser.add_argument(
            "--target",
            default=None,
            help="SQLite file or PostgreSQL database to restore into (default: the configured one)",
        )

    def handle(self, *args, **options) -> None:
        try:
            outcome = backup_restore(
                path=options["file"], force=options["force"], target=options["target"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {options['file']} into {outcome['target']}")
        if outcome["aside"]:
            self.stdout.write(f"previous database kept as {outcome['aside']}")
