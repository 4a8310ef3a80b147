from __future__ import annotations

import json

from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand, existing
from jobs.commands import job_wait
from jobs.models import Job
from plans import parameters
from plans.models import PlanningInputSet
from plans.services import plan_create
from plans.services.generation import PLANNING
from scenarios.models import ConfigVersion, Scenario


def _scenario(value: str) -> Scenario:
    found = Scenario.objects.filter(name=value).first()
    if found is None and value.isdigit():
        found = Scenario.objects.filter(pk=int(value)).first()
    if found is None:
        raise CommandError(f"--scenario: no scenario named or numbered {value!r}")
    return found


class Command(ServiceCommand):
    """Create a plan and queue its generation; prints plan_version_id and the job id."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", required=True, help="base scenario name or id")
        parser.add_argument("--config", required=True, type=int, help="config_version_id")
        parser.add_argument("--name", help="plan name (default: scenario and config)")
        parser.add_argument(
            "--input-set", type=int, help="planning input set id (default: derive from the config)"
        )
        parameters.add_arguments(parser)
        parser.add_argument(
            "--wait", action="store_true", help="wait for the job and print the run and its KPIs"
        )
        parser.add_argument(
            "--timeout", type=float, default=600, help="seconds to wait with --wait"
        )

    def handle(self, *args, **options) -> None:
        scenario = _scenario(options["scenario"])
        config = existing(
            ConfigVersion.objects.defer("document"),
            options["config"],
            missing="--config: no config version",
        )
        input_set = None
        if options["input_set"] is not None:
            input_set = existing(
                PlanningInputSet.objects,
                options["input_set"],
                missing="--input-set: no planning input set",
            )
        version = plan_create(
            name=options["name"] or f"{scenario.name} on {config.name}",
            base_scenario=scenario,
            config_version=config,
            input_set=input_set,
            parameters=parameters.from_options(options),
        )
        job = version.jobs.get(type=PLANNING)
        self.stdout.write(f"plan_version_id {version.pk}")
        self.stdout.write(f"job {job.pk}")
        if options["wait"]:
            self._report(job_wait(job, timeout=options["timeout"]))

    def _report(self, job: Job) -> None:
        result = job.result
        if result.get("run_id"):
            self.stdout.write(f"run {result['run_id']}")
            self.stdout.write(json.dumps(result.get("kpis", {}), indent=2, sort_keys=True))
        else:
            self.stdout.write(f"simulation {result.get('simulation', 'not run')}")
