from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.db import transaction

from jobs import runner
from jobs.models import Job
from plans.models import PlanVersion
from plans.services import plan_create
from scenarios.models import Scenario
from scenarios.services import config_import
from scpln.engine.canonical.generator import NetworkShape, generate_config

SMALL = NetworkShape(skus=3, stores=2, dcs=1, factories=1, materials=1, days=56, seed=5)


def make_plan_version(*, simulate: bool = True) -> PlanVersion:
    """A plan version of a small generated network; with ``simulate`` its planning job ran
    in this process (as a worker would), so it has its run."""
    config, _ = config_import(document=generate_config(**SMALL), name="risk network")
    with transaction.atomic():
        scenario = Scenario.objects.create(name=f"risk-{Scenario.objects.count()}")
        version = plan_create(name="risk plan", base_scenario=scenario, config_version=config)
    if simulate:
        job = Job.objects.about(version).get(type="planning")
        finished = runner.run(job.pk)
        assert finished is not None and finished.status == Job.Status.SUCCEEDED, finished
        assert version.runs.exists()
    return version


@pytest.fixture
def planned_version(db) -> PlanVersion:
    return make_plan_version()


@pytest.fixture
def risk_planner(db) -> User:
    user = User.objects.create_user("risk-planner", password="pw-risk-1")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="risk", codename="add_replicationset")
    )
    return user


@pytest.fixture(autouse=True)
def eager_chunks(request: pytest.FixtureRequest, monkeypatch) -> list[tuple[int, int, int]]:
    """Without a worker, a set's chunk tasks run in this process as its group sends them.

    Returns the chunks run, in order. Only the chunk task is run at once (the planning
    job of a fixture still waits for a worker); tests marked ``worker`` keep the broker.
    """
    from risk import handlers

    ran: list[tuple[int, int, int]] = []
    if request.node.get_closest_marker("worker"):
        return ran
    task = handlers.run_replication_chunk

    def apply_now(args: tuple = (), kwargs: dict | None = None, **options: object) -> object:
        ran.append(tuple(args))
        return task.apply(args, kwargs, task_id=options.get("task_id"))

    monkeypatch.setattr(task, "apply_async", apply_now)
    return ran
