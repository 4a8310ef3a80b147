from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand
from runs.archive import BATCH, FORMATS, archive_dir, run_export


class Command(ServiceCommand):
    """Export runs (JSON lines + their PSI, P&L and trace tables) to an archive folder and mark them
    archived. Without run ids, exports every run not archived yet, in batches; prints each folder
    written."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_ids", nargs="*", type=uuid.UUID, help="only these runs")
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="archive folder (default SCPLN_ARCHIVE_DIR, else data/archive)",
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default=None,
            help="result tables as parquet or csv (default SCPLN_ARCHIVE_FORMAT)",
        )
        parser.add_argument(
            "--batch", type=int, default=BATCH, help=f"runs per folder (default {BATCH})"
        )

    def handle(self, *args, **options) -> None:
        directory = options["dir"] or archive_dir() or Path(settings.DATA_DIR) / "archive"
        fmt = options["format"] or settings.SCPLN_ARCHIVE_FORMAT
        if options["batch"] < 1:
            raise CommandError("--batch must be 1 or more")
        total = 0
        if options["run_ids"]:
            export = run_export(directory=directory, run_ids=options["run_ids"], fmt=fmt)
            exports = [export] if export else []
        else:
            exports = []
            while export := run_export(directory=directory, fmt=fmt, limit=options["batch"]):
                exports.append(export)
        for export in exports:
            total += export.count
            self.stdout.write(str(export.path))
        self.stderr.write(f"exported {total} runs to {directory}")
