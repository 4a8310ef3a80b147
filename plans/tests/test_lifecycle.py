"""A plan version's life: submit, approve, reject, release, archive; baselines;
roles and refusals; notifications; the audit trail; retention keeping what is approved."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone

from core.api.testing import api_user, token_client
from core.models import Notification
from plans.models import PlanVersion
from plans.tests.factories import PlanFactory, PlanVersionFactory
from runs.models import Run
from runs.tests.factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner_user():
    user = api_user("planner", "plans.change_planversion")
    User.objects.filter(pk=user.pk).update(email="planner@example.com")
    return User.objects.get(pk=user.pk)


def _approvers_group() -> Group:
    """The group the data migration creates, made by that migration's own function
    (run again here: transactional tests of the suite flush migration rows)."""
    migration = importlib.import_module("plans.migrations.0004_approvers_group")
    state = MigrationExecutor(connection).loader.project_state(("plans", "0004_approvers_group"))
    migration.create_group(state.apps, None)
    return Group.objects.get(name="Approvers")


@pytest.fixture
def approver_user():
    user = User.objects.create_user("approver", email="approver@example.com")
    user.groups.add(_approvers_group())
    return User.objects.get(pk=user.pk)


def test_the_approvers_group_holds_the_approval_permission():
    group = _approvers_group()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "approve_planversion" in codenames and "change_planversion" not in codenames


@pytest.fixture
def planner(planner_user):
    return token_client(planner_user)


@pytest.fixture
def approver(approver_user):
    return token_client(approver_user)


def _executed(plan=None, runs: int = 1, **fields) -> PlanVersion:
    version = PlanVersionFactory.create(
        plan=plan or PlanFactory.create(), state=PlanVersion.State.EXECUTED, **fields
    )
    start = timezone.now() - timedelta(hours=1)
    for minute in range(runs):
        record(version, started_at=start + timedelta(minutes=minute))
    return version


def _post(client, version, action, note=None):
    return client.post(f"/plans/{version.pk}/{action}", {"note": note or ""}, format="json")


def test_the_planner_submits_and_the_approvers_are_told(
    planner, approver_user, planner_user, django_capture_on_commit_callbacks
):
    version = _executed(created_by=planner_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(planner, version, "submit", "ready for Monday")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    notice = Notification.objects.get(recipient=approver_user)
    assert version.pk in notice.subject and notice.url == f"/ui/plans/{version.pk}"
    assert [m.to for m in mail.outbox] == [["approver@example.com"]]


def test_roles_are_enforced_per_transition(planner, approver):
    version = _executed()
    assert _post(approver, version, "submit").status_code == 403  # approvers do not submit
    assert _post(planner, version, "submit").status_code == 200
    assert _post(planner, version, "approve").status_code == 403  # planners do not approve
    assert token_client(api_user("reader")).post(f"/plans/{version.pk}/archive").status_code == 403
    version.refresh_from_db()
    assert version.state == "submitted"


def test_a_rejection_needs_a_reason_and_goes_back_to_the_planner(planner, approver, planner_user):
    version = _executed(created_by=planner_user)
    _post(planner, version, "submit")
    refused = _post(approver, version, "reject")
    assert refused.status_code == 400 and "note" in refused.json()
    assert _post(approver, version, "reject", "capacity at F1 is too optimistic").status_code == 200
    notice = Notification.objects.get(recipient=planner_user)
    assert "rejected" in notice.subject and notice.text == "capacity at F1 is too optimistic"
    # Not from rejected: approving needs a new submission first.
    conflict = _post(approver, version, "approve")
    assert conflict.status_code == 409 and "rejected" in conflict.json()["detail"]
    assert _post(planner, version, "submit").status_code == 200
    assert _post(approver, version, "approve").status_code == 200


def test_approving_makes_the_latest_run_the_baseline_and_holds_the_runs(planner, approver):
    version = _executed(runs=2)
    latest = Run.objects.filter(plan_version=version).order_by("-started_at").first()
    assert latest is not None
    _post(planner, version, "submit")
    body = _post(approver, version, "approve").json()
    assert body["state"] == "approved" and body["read_only"] is True
    assert body["baseline_run_id"] == str(latest.run_id)
    assert Run.objects.get(pk=latest.pk).is_baseline
    assert set(Run.objects.filter(plan_version=version).values_list("held", flat=True)) == {True}
    baselines = token_client(api_user("reader")).get("/runs", {"baseline": "true"}).json()
    assert [r["run_id"] for r in baselines["results"]] == [str(latest.run_id)]


def test_a_newer_approval_supersedes_the_older_and_moves_the_baseline(planner, approver):
    first = _executed()
    _post(planner, first, "submit"), _post(approver, first, "approve")
    _post(approver, first, "release")
    second = _executed(plan=first.plan, number=first.number + 1)
    _post(planner, second, "submit"), _post(approver, second, "approve")

    first.refresh_from_db()
    assert first.state == "superseded"
    old_runs = Run.objects.filter(plan_version=first)
    assert not any(run.held or run.is_baseline for run in old_runs)  # old baseline stays a run
    assert Run.objects.filter(plan_version=second, is_baseline=True).count() == 1
    events = [e["action"] for e in planner.get(f"/plans/{first.pk}/events").json()]
    assert events == ["supersede", "release", "approve", "submit"]


def test_release_only_from_approved_and_archive_only_what_is_not_in_use(planner, approver):
    version = _executed()
    assert _post(approver, version, "release").status_code == 409
    _post(planner, version, "submit"), _post(approver, version, "approve")
    assert _post(approver, version, "release").json()["state"] == "released"
    assert _post(planner, version, "archive").status_code == 409  # released is in use
    other = _executed()
    assert _post(planner, other, "archive").json()["state"] == "archived"


def test_the_audit_trail_says_who_moved_it_from_what_to_what_and_why(planner, approver):
    version = _executed()
    _post(planner, version, "submit", "first try")
    _post(approver, version, "reject", "numbers too low")
    events = planner.get(f"/plans/{version.pk}/events").json()
    assert [
        (e["action"], e["actor"], e["from_state"], e["to_state"], e["reason"]) for e in events
    ] == [
        ("reject", "approver", "submitted", "rejected", "numbers too low"),
        ("submit", "planner", "executed", "submitted", "first try"),
    ]


def test_notes_by_planners_and_approvers_but_not_readers(planner, approver):
    version = _executed()
    assert planner.post(f"/plans/{version.pk}/notes", {"text": "check F1"}).status_code == 201
    assert approver.post(f"/plans/{version.pk}/notes", {"text": "agreed"}).status_code == 201
    reader = token_client(api_user("reader"))
    assert reader.post(f"/plans/{version.pk}/notes", {"text": "hi"}).status_code == 403
    assert [n["text"] for n in reader.get(f"/plans/{version.pk}/notes").json()] == [
        "agreed",
        "check F1",
    ]


def test_retention_never_removes_the_baseline_or_an_approved_versions_runs(planner, approver):
    approved = _executed(runs=3)
    _post(planner, approved, "submit"), _post(approver, approved, "approve")
    with override_settings(RUNS_DB_MAX_ROWS=1):
        later = _executed(runs=3)  # each recording prunes beyond 1 unheld run
    assert Run.objects.filter(plan_version=approved).count() == 3
    assert Run.objects.filter(plan_version=later).count() == 1
    body = planner.get(f"/plans/{later.pk}").json()
    assert len(body["removed_runs"]) == 2 and body["removed_runs"][0]["reason"] == "retention"


def test_compare_defaults_to_the_plans_baseline(planner, approver):
    first = _executed()
    _post(planner, first, "submit"), _post(approver, first, "approve")
    baseline = Run.objects.get(plan_version=first)
    second = _executed(plan=first.plan, number=first.number + 1)
    newer = Run.objects.get(plan_version=second)
    body = planner.get("/runs/compare", {"ids": str(newer.run_id)}).json()
    assert body["base"] == str(baseline.run_id)
    assert {r["run_id"] for r in body["runs"]} == {str(baseline.run_id), str(newer.run_id)}


# Jobs' moves (generation, the workbench's recalculation) go through the same module.


def test_a_job_moves_an_edited_draft_to_executed():
    from plans.services.lifecycle import plan_version_state_set

    version = PlanVersionFactory.create(state=PlanVersion.State.DRAFT)
    plan_version_state_set(
        version=version, target=PlanVersion.State.EXECUTED, changes={"kpis": {"fill_rate": 1.0}}
    )
    version.refresh_from_db()
    assert version.state == PlanVersion.State.EXECUTED and version.kpis == {"fill_rate": 1.0}


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (PlanVersion.State.APPROVED, PlanVersion.State.EXECUTED),  # recalculated after approval
        (PlanVersion.State.RELEASED, PlanVersion.State.DRAFT),  # generated again once released
        (PlanVersion.State.SUBMITTED, PlanVersion.State.FAILED),
        (PlanVersion.State.DRAFT, PlanVersion.State.SCHEDULED),  # a stage skipped
        (PlanVersion.State.EXECUTED, PlanVersion.State.APPROVED),  # a person's move, not a job's
    ],
)
def test_a_job_move_the_state_machine_does_not_allow_is_refused_and_changes_nothing(
    current, target
):
    from plans.services.lifecycle import TransitionNotAllowed, plan_version_state_set

    version = PlanVersionFactory.create(state=current, kpis={"fill_rate": 0.5})
    with pytest.raises(TransitionNotAllowed, match=str(version.pk)):
        plan_version_state_set(version=version, target=target, changes={"kpis": {}})
    version.refresh_from_db()
    assert version.state == current and version.kpis == {"fill_rate": 0.5}
