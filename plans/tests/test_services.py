"""Creating plans: validation first, then plan + version + job in one transaction."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from jobs.models import Job
from plans.models import Plan, PlanVersion
from plans.services import plan_create, plan_version_execute_again
from scenarios.models import ConfigVersion, Scenario
from scenarios.services import scenario_lock

pytestmark = pytest.mark.django_db


def test_plan_create_makes_a_draft_version_and_queues_its_planning_job(
    network, base_scenario, django_capture_on_commit_callbacks, monkeypatch
):
    sent: list[int] = []
    monkeypatch.setattr("jobs.services.job_enqueue", lambda *, job: sent.append(job.pk))
    with django_capture_on_commit_callbacks(execute=True):
        version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)

    assert version.state == PlanVersion.State.DRAFT
    assert version.number == 1 and version.parent is None
    assert version.plan_version_id.startswith("pv-")
    job = version.jobs.get()
    assert job.type == "planning" and job.status == Job.Status.QUEUED
    assert job.params == {"plan_version_id": version.plan_version_id}
    assert sent == [job.pk]
    # Defaults were resolved and stored, so the version says how it was made.
    assert version.parameters["anchor_policy"] in {"DET_near", "AGG_far", "blend"}


def test_locked_scenario_is_refused_naming_who_and_when(network, base_scenario):
    alice = User.objects.create_user("alice")
    scenario_lock(scenario=base_scenario, user=alice, reason="audit freeze")
    with pytest.raises(ValidationError) as exc:
        plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    message = exc.value.message_dict["base_scenario"][0]
    assert "locked" in message and "alice" in message and "audit freeze" in message
    assert str(timezone.localtime(base_scenario.locked_at).year) in message
    assert not Plan.objects.exists() and not Job.objects.exists()


def test_archived_config_is_refused(network, base_scenario):
    ConfigVersion.objects.filter(pk=network.pk).update(status=ConfigVersion.Status.ARCHIVED)
    network.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    assert "archived" in exc.value.message_dict["config_version"][0]


def test_overrides_that_do_not_fit_the_config_are_refused_under_the_scenario(network):
    scenario = Scenario.objects.create(name="ghost", capacity_scale_by_node={"FACT-99": 2.0})
    with pytest.raises(ValidationError) as exc:
        plan_create(name="Q1", base_scenario=scenario, config_version=network)
    assert any("FACT-99" in m for m in exc.value.message_dict["base_scenario"])


def test_horizon_longer_than_the_config_is_refused_under_horizon_days(network, base_scenario):
    with pytest.raises(ValidationError) as exc:
        plan_create(
            name="Q1",
            base_scenario=base_scenario,
            config_version=network,
            parameters={"horizon_days": 400},
        )
    assert "horizon_days" in exc.value.message_dict


def test_cutover_outside_the_horizon_is_refused_under_cutover_date(network, base_scenario):
    with pytest.raises(ValidationError) as exc:
        plan_create(
            name="Q1",
            base_scenario=base_scenario,
            config_version=network,
            parameters={"cutover_date": "2031-01-01"},
        )
    assert "cutover_date" in exc.value.message_dict


def test_unknown_parameter_value_is_refused_naming_the_parameter(network, base_scenario):
    with pytest.raises(ValidationError) as exc:
        plan_create(
            name="Q1",
            base_scenario=base_scenario,
            config_version=network,
            parameters={"anchor_policy": "sideways"},
        )
    assert "anchor_policy" in exc.value.message_dict


def test_identical_request_is_not_started_twice(network, base_scenario):
    plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    with pytest.raises(ValidationError, match="already queued"):
        plan_create(name="Q1 again", base_scenario=base_scenario, config_version=network)
    assert Plan.objects.count() == 1
    # A different request (other parameters) is a different plan.
    plan_create(
        name="Q1 blend",
        base_scenario=base_scenario,
        config_version=network,
        parameters={"anchor_policy": "blend"},
    )
    assert Plan.objects.count() == 2


def test_execute_again_makes_a_new_version_and_keeps_the_old(network, base_scenario):
    first = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    Job.objects.about(first).update(status=Job.Status.SUCCEEDED)
    second = plan_version_execute_again(plan_version=first, parameters={"rounding": "int"})

    assert second.plan_id == first.plan_id
    assert second.number == 2 and second.parent == first
    assert second.parameters["rounding"] == "int"
    assert first.parameters.get("rounding") != "int" or first.parameters == second.parameters
    assert PlanVersion.objects.filter(plan=first.plan).count() == 2
    assert second.jobs.get().type == "planning"


def test_plan_needs_a_name(network, base_scenario):
    with pytest.raises(ValidationError) as exc:
        plan_create(name="  ", base_scenario=base_scenario, config_version=network)
    assert "name" in exc.value.message_dict


def test_a_table_written_again_replaces_the_old_one_in_its_row(network, base_scenario):
    # The sheet cache (plans/workbench/sheets.py) keys on the tables' row ids, and a
    # recalculation rewrites its draft's tables in place: same row, the new table.
    import pandas as pd

    from plans.models import PlanArtifact
    from plans.services.artifacts import artifact_frame, artifact_write, artifacts_write

    version = plan_create(name="Tables", base_scenario=base_scenario, config_version=network)
    first = artifact_write(
        plan_version=version, kind="mrp", name="t", frame=pd.DataFrame({"a": [1, 2]})
    )
    newer = pd.DataFrame({"b": ["x", "y", "z"]})
    [again] = artifacts_write(plan_version=version, tables=[("plan_final", "t", newer)])

    stored = PlanArtifact.objects.get(plan_version=version, name="t")
    assert again.pk == first.pk == stored.pk
    assert (stored.kind, stored.row_count, stored.columns) == ("plan_final", 3, ["b"])
    pd.testing.assert_frame_equal(artifact_frame(stored), newer)
