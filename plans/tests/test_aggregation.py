"""Aggregate jobs: reprocess a plan version's run by bucket and hierarchy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jobs.models import Job
from jobs.tests.helpers import run_claimed
from plans.models import PlanArtifact
from plans.services import plan_aggregation_create, plan_create
from plans.services.artifacts import artifact_frame
from plans.tests.conftest import run_planning_job
from runs.models import Run
from runs.selectors.tables import run_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def executed(network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    run_planning_job(version)
    version.refresh_from_db()
    return version


def test_aggregate_job_stores_a_table_tied_to_the_plan_version(executed):
    job = plan_aggregation_create(
        plan_version=executed,
        bucket="month",
        group_by=["product.family", "node_type"],
        fields=["demand", "sales", "revenue", "profit"],
    )
    assert job.type == "aggregate" and job.subject == executed
    done = run_claimed(job.pk)

    assert done.status == Job.Status.SUCCEEDED, done.error
    artifact = PlanArtifact.objects.get(plan_version=executed, name=done.result["artifact"])
    assert artifact.kind == PlanArtifact.Kind.AGGREGATION
    table = artifact_frame(artifact)
    assert list(table.columns) == [
        "period",
        "product.family",
        "node_type",
        "demand",
        "sales",
        "revenue",
        "profit",
    ]
    run = Run.objects.get(plan_version=executed)
    psi = run_table(run=run, table="psi")
    # Units are conserved: every day's demand lands in exactly one month × group.
    assert table["demand"].sum() == pytest.approx(psi["demand"].sum())
    assert table["sales"].sum() == pytest.approx(psi["sales"].sum())
    assert table["profit"].sum() == pytest.approx(run.summary["profit_total"], rel=1e-9)
    assert list(dict.fromkeys(table["period"])) == sorted(set(table["period"]))
    assert set(table["node_type"]) <= {"store", "warehouse", "factory", "material", "supplier"}


def test_unknown_group_keys_and_fields_are_refused_before_a_job_is_queued(executed):
    with pytest.raises(ValidationError) as exc:
        plan_aggregation_create(
            plan_version=executed, bucket="fortnight", group_by=["colour"], fields=["happiness"]
        )
    errors = exc.value.message_dict
    assert set(errors) == {"bucket", "group_by", "fields"}
    assert "colour" in errors["group_by"][0] and "product.family" in errors["group_by"][0]
    assert "happiness" in errors["fields"][0]
    assert not Job.objects.filter(type="aggregate").exists()


def test_a_plan_version_without_runs_cannot_be_aggregated(network, base_scenario):
    version = plan_create(name="Q1", base_scenario=base_scenario, config_version=network)
    with pytest.raises(ValidationError) as exc:
        plan_aggregation_create(plan_version=version, fields=["demand"])
    assert "no run" in exc.value.message_dict["run_id"][0]
