from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand
from jobs.backup import backup_run_now
from jobs.models import Job


class Command(ServiceCommand):
    """Write a verified backup of the database now (SQLite: online copy with an integrity check;
    PostgreSQL: pg_dump -Fc), rotate old ones, and print the file written. Recorded as a backup
    job."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="folder for the backup (default SCPLN_BACKUP_DIR)",
        )

    def handle(self, *args, **options) -> None:
        job = backup_run_now(directory=options["dir"])
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(f"backup job #{job.pk} {job.status}: {job.error.strip()}")
        self.stdout.write(job.result["path"])
