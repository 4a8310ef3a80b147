"""``manage.py optimise_levels PLAN_VERSION_ID [--n 30] [--seed 1] [--csv FILE]``."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand, existing
from core.downloads import csv_lines
from jobs import runner
from jobs.models import Job
from plans.models import PlanVersion
from risk.models import LevelOptimisation
from risk.services.optimisation import LEVEL_COLUMNS, level_optimisation_create


class Command(ServiceCommand):
    """Find the stock levels that reach each store's target service level on a plan version's run
    (first guess from lead-time demand, refined by replications) and save them as a NEW scenario,
    a child of the plan version's scenario (the same job as POST /scenarios/{id}/optimise, run
    here); print the before/after key figures and write the levels per node-item with --csv."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_version_id")
        parser.add_argument("--n", type=int, default=30, help="replications a round")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--rounds", type=int, default=6, help="refinement rounds at most")
        parser.add_argument(
            "--service-level", type=float, help="every store's target instead of its own"
        )
        parser.add_argument("--csv", type=Path, help="write the levels per node-item here")

    def handle(self, *args, **options) -> None:
        version = existing(
            PlanVersion.objects, options["plan_version_id"], missing="no plan version"
        )
        optimisation = level_optimisation_create(
            scenario=version.base_scenario,
            plan_version=version,
            n=options["n"],
            seed=options["seed"],
            rounds=options["rounds"],
            service_level=options["service_level"],
        )
        assert optimisation.job_id is not None
        runner.run(optimisation.job_id)  # here, or a worker claimed it first: then wait
        job = Job.objects.get(pk=optimisation.job_id)
        while job.status in Job.ACTIVE:
            time.sleep(0.5)
            job.refresh_from_db()
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(f"optimisation job #{job.pk} ended {job.status}: {job.error}")
        optimisation = LevelOptimisation.objects.select_related("result_scenario").get(
            pk=optimisation.pk
        )
        report = optimisation.report
        reached = "reached" if report["reached"] else "NOT reached"
        self.stdout.write(
            f"{len(report['rows'])} node-items sized; targets {reached} after "
            f"{report['rounds']} refinement round(s) of {report['n']} replications "
            f"(seed {report['seed']})"
        )
        for name, before in report["kpis_before"].items():
            after = report["kpis_after"][name]
            self.stdout.write(
                f"{name}: {before['mean']:.6g} [{before['ci_low']:.6g}, {before['ci_high']:.6g}]"
                f" -> {after['mean']:.6g} [{after['ci_low']:.6g}, {after['ci_high']:.6g}]"
            )
        created = optimisation.result_scenario
        assert created is not None
        self.stdout.write(f"levels saved as scenario #{created.pk} “{created.name}”")
        if options["csv"] is not None:
            rows = [["" if v is None else v for v in row] for row in report["rows"]]
            options["csv"].write_text("".join(csv_lines(LEVEL_COLUMNS, rows)))
            self.stdout.write(f"levels written to {options['csv']}")
