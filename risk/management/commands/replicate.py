"""``manage.py replicate PLAN_VERSION_ID --n 200 [--seed S] [--wait]``: queue a replication set."""

from __future__ import annotations

import json

from django.core.management.base import CommandParser

from core.commands import ServiceCommand, existing
from jobs.commands import job_wait
from plans.models import PlanVersion
from risk import selectors
from risk.models import ReplicationSet
from risk.services import replication_set_create


class Command(ServiceCommand):
    """Queue N stochastic replications of a plan version's run (workers run them); with --wait,
    print the KPIs' means and 95 % intervals when done."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_version_id")
        parser.add_argument("--n", type=int, default=200, help="replications (default 200)")
        parser.add_argument("--seed", type=int, default=None, help="seed (default: random)")
        parser.add_argument("--wait", action="store_true", help="wait and print the summary")
        parser.add_argument(
            "--timeout", type=float, default=3600, help="seconds to wait with --wait"
        )

    def handle(self, *args, **options) -> None:
        version = existing(
            PlanVersion.objects, options["plan_version_id"], missing="no plan version"
        )
        replication_set = replication_set_create(
            plan_version=version, n=options["n"], seed=options["seed"]
        )
        self.stdout.write(f"replication set {replication_set.pk} (seed {replication_set.seed})")
        self.stdout.write(f"job {replication_set.job_id}")
        if options["wait"]:
            self._wait(replication_set, options["timeout"])

    def _wait(self, replication_set: ReplicationSet, timeout: float) -> None:
        job = replication_set.job
        assert job is not None
        job_wait(job, timeout=timeout)
        summary = selectors.replication_set_summary(replication_set=replication_set)
        self.stdout.write(f"{summary.n_done} of {replication_set.n} replications done")
        self.stdout.write(json.dumps(summary.kpis, indent=2, sort_keys=True))
