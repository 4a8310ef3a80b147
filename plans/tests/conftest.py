from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User

from jobs import runner
from jobs.models import Job
from plans.models import PlanVersion
from scenarios.models import ConfigVersion, Scenario
from scenarios.services import config_import
from scpln.engine.canonical.generator import NetworkShape, generate_config

SMALL = NetworkShape(skus=4, stores=2, dcs=1, factories=1, materials=2, days=90, seed=11)


@pytest.fixture
def network(db) -> ConfigVersion:
    """A small generated network, imported through the real import service."""
    version, _ = config_import(document=generate_config(**SMALL), name="small network")
    return version


@pytest.fixture
def base_scenario(db) -> Scenario:
    return Scenario.objects.create(name="Base")


@pytest.fixture
def planner(db) -> User:
    user = User.objects.create_user("planner", password="pw-planner-1")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_plan", "add_planversion", "add_job", "view_plan"]
        )
    )
    return user


def run_planning_job(version: PlanVersion) -> Job:
    """Execute the version's queued planning job in this process, as a worker would."""
    job = version.jobs.get(type="planning", status=Job.Status.QUEUED)
    finished = runner.run(job.pk)
    assert finished is not None
    return finished
