from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandParser

from core.commands import ServiceCommand
from plans.services import planning_input_set_import


class Command(ServiceCommand):
    """Import an aggregate-planning input set (a folder of CSV files + planning_calendar.json)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--name", required=True)
        parser.add_argument("--description", default="")

    def handle(self, *args, directory: Path, name: str, description: str, **options) -> None:
        input_set = planning_input_set_import(
            directory=directory, name=name, description=description
        )
        self.stdout.write(str(input_set.pk))
