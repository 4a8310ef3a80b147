"""``manage.py optimise_levels PLAN_VERSION_ID [--n 30] [--seed 1] [--csv FILE]``."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.commands import validation_failure
from core.downloads import csv_lines
from plans.models import PlanVersion
from risk.services.optimisation import LEVEL_COLUMNS, levels_optimise


class Command(BaseCommand):
    help = (
        "Find the stock levels that reach each store's target service level on a plan "
        "version's run (first guess from lead-time demand, refined by replications); print "
        "the before/after key figures and write the levels per node-item with --csv."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_version_id")
        parser.add_argument("--n", type=int, default=30, help="replications a round")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--rounds", type=int, default=6, help="refinement rounds at most")
        parser.add_argument("--csv", type=Path, help="write the levels per node-item here")

    def handle(self, *args, **options) -> None:
        version = PlanVersion.objects.filter(pk=options["plan_version_id"]).first()
        if version is None:
            raise CommandError(f"no plan version {options['plan_version_id']}")
        try:
            report = levels_optimise(
                plan_version=version, n=options["n"], seed=options["seed"], rounds=options["rounds"]
            )
        except ValidationError as exc:
            raise validation_failure(exc) from None
        reached = "reached" if report.reached else "NOT reached"
        self.stdout.write(
            f"{len(report.rows)} node-items sized; targets {reached} after "
            f"{report.rounds} refinement round(s) of {report.n} replications (seed {report.seed})"
        )
        for name, before in report.kpis_before.items():
            after = report.kpis_after[name]
            self.stdout.write(
                f"{name}: {before['mean']:.6g} [{before['ci_low']:.6g}, {before['ci_high']:.6g}]"
                f" -> {after['mean']:.6g} [{after['ci_low']:.6g}, {after['ci_high']:.6g}]"
            )
        if options["csv"] is not None:
            options["csv"].write_text("".join(csv_lines(LEVEL_COLUMNS, report.rows)))
            self.stdout.write(f"levels written to {options['csv']}")
