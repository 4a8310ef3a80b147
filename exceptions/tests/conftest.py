from __future__ import annotations

import json

import pytest

from plans.models import PlanVersion
from plans.services import plan_create
from plans.tests.conftest import run_planning_job
from runs.models import Run
from scenarios.models import Scenario
from scenarios.services import config_import


@pytest.fixture
def six_month_plan(db, reference_dir) -> tuple[PlanVersion, Run]:
    """The six-month reference config imported as it is, planned on its base scenario by
    the real planning job: the plan version and the run that executes it."""
    document = json.loads(
        (reference_dir / "canonical" / "multi_node_sample_6Mths.json").read_text()
    )
    config, _ = config_import(document=document, name="6 months")
    scenario = Scenario.objects.create(name="Base")
    version = plan_create(name="H1", base_scenario=scenario, config_version=config)
    job = run_planning_job(version)
    assert job.status == "succeeded", job.error
    version.refresh_from_db()
    return version, Run.objects.get(plan_version=version)
