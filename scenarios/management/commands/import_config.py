from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand
from jobs import runner
from jobs.commands import job_wait
from jobs.models import Job
from scenarios import uploads
from scenarios.limits import runs_inline, upload_size_problem
from scenarios.models import ConfigVersion
from scenarios.services import config_import


class _Fields(TypedDict):
    name: str
    description: str
    source_filename: str


class Command(ServiceCommand):
    """Import a canonical-1.0 JSON config; prints the new config_version_id. A file larger than
    SCPLN_MAX_UPLOAD_BYTES is refused, as it is by the API and the web page; one larger than
    SCPLN_CONFIG_INLINE_BYTES is imported as a config_import job (its progress on the jobs page),
    run in this process unless a worker takes it first."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="canonical-1.0 JSON file")
        parser.add_argument("--name", default="", help="name of the config version")
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--timeout",
            type=float,
            default=3600.0,
            help="seconds to wait when a worker took the import job (default 3600)",
        )

    def handle(
        self, *args, file: Path, name: str, description: str, timeout: float, **options
    ) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        too_large = upload_size_problem(len(data))
        if too_large:
            raise CommandError(f"{file.name}: {too_large}")
        fields: _Fields = {"name": name, "description": description, "source_filename": file.name}
        if not runs_inline(len(data)):
            version, created = self._as_job(data, fields, timeout=timeout)
        else:
            version, created = config_import(document=data, **fields)
        if not created:
            self.stderr.write(
                f"{file.name}: same content as config version {version.pk} ({version.name}); "
                "nothing imported"
            )
        self.stdout.write(str(version.pk))

    def _as_job(
        self, data: bytes, fields: _Fields, *, timeout: float
    ) -> tuple[ConfigVersion, bool]:
        """Import a large file as the web does, through a job, so that it is on the jobs page
        with its progress; this process runs it as a worker would (a worker that claims it
        first runs it instead, and this command waits for that)."""
        job = uploads.config_import_enqueue(data=data, **fields)
        self.stderr.write(
            f"{fields['source_filename']}: {len(data)} bytes, imported by job {job.pk}"
        )
        ended = runner.run(job.pk) or job_wait(job, timeout=timeout)
        if ended.status != Job.Status.SUCCEEDED:
            raise CommandError(f"job {job.pk} {ended.status}: {ended.error.strip()}")
        result = ended.result or {}
        return ConfigVersion.objects.get(pk=result["config_version_id"]), bool(result["created"])
