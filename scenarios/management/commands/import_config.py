from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.commands import validation_failure
from scenarios.services import config_import


class Command(BaseCommand):
    help = "Import a canonical-1.0 JSON config; prints the new config_version_id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="canonical-1.0 JSON file")
        parser.add_argument("--name", default="", help="name of the config version")
        parser.add_argument("--description", default="")

    def handle(self, *args, file: Path, name: str, description: str, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            version, created = config_import(
                document=data, name=name, description=description, source_filename=file.name
            )
        except ValidationError as exc:
            raise validation_failure(exc) from None
        if not created:
            self.stderr.write(
                f"{file.name}: same content as config version {version.pk} ({version.name}); "
                "nothing imported"
            )
        self.stdout.write(str(version.pk))
