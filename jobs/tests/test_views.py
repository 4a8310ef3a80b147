"""The job pages (/ui/jobs, /ui/jobs/<id>) and their retry/cancel actions."""

from __future__ import annotations

import html as htmllib
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from jobs import registry
from jobs.models import Job
from jobs.tests.factories import JobFactory
from plans.tests.factories import PlanVersionFactory

pytestmark = pytest.mark.django_db

TRACEBACK = 'Traceback (most recent call last):\n  File "x.py", line 1\nRuntimeError: disk full\n'


def _user(*codenames: str) -> User:
    user = User.objects.create_user(f"user-{uuid.uuid4().hex[:6]}")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def operator_client(client):
    client.force_login(_user("add_job", "change_job"))
    return client


@pytest.fixture
def viewer_client(client):
    client.force_login(_user())
    return client


def _finished(**fields) -> Job:
    now = timezone.now()
    return JobFactory.create(
        started_at=now - timedelta(seconds=75), finished_at=now, progress=100, **fields
    )


def test_job_list_row_shows_type_status_progress_duration_plan_run_and_error(viewer_client):
    version = PlanVersionFactory.create()
    run_id = str(uuid.uuid4())
    done = _finished(
        type="planning",
        status=Job.Status.SUCCEEDED,
        subject=version,
        result={"run_id": run_id, "plan_version_id": version.pk},
    )
    failed = _finished(type="backup", status=Job.Status.FAILED, error=TRACEBACK)

    page = viewer_client.get(reverse("jobs:list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-job-id="{done.pk}"' in html and f'data-job-id="{failed.pk}"' in html
    assert f'href="{reverse("plans:detail", args=[version.pk])}"' in html
    assert f'href="{reverse("runs:detail", args=[run_id])}"' in html
    assert 'max="100" value="100"' in html
    assert "1 min 15 s" in html
    assert "RuntimeError: disk full" in html
    assert "Traceback" not in html


def test_an_active_job_shows_its_plan_version_id_without_a_link(viewer_client):
    version = PlanVersionFactory.create()
    JobFactory.create(type="planning", status=Job.Status.RUNNING, subject=version)
    html = viewer_client.get(reverse("jobs:list")).content.decode()
    assert f'<code data-testid="job-subject-id">{version.pk}</code>' in html
    assert f'href="{reverse("plans:detail", args=[version.pk])}"' not in html


def test_job_list_filters_by_type_and_status(viewer_client):
    wanted = JobFactory.create(type="planning", status=Job.Status.FAILED)
    JobFactory.create(type="planning", status=Job.Status.SUCCEEDED)
    JobFactory.create(type="backup", status=Job.Status.FAILED)

    page = viewer_client.get(reverse("jobs:list"), {"type": "planning", "status": "failed"})
    assert [job.pk for job in page.context["jobs"]] == [wanted.pk]
    assert page.context["filtered"]


def test_a_bad_filter_value_is_shown_at_its_field(viewer_client):
    JobFactory.create()
    page = viewer_client.get(reverse("jobs:list"), {"status": "exploded"})
    assert page.status_code == 200
    assert "exploded" in str(page.context["filterset"].form.errors["status"])
    assert not page.context["jobs"]


def test_the_subject_filters_explain_themselves_in_the_planners_language(viewer_client):
    english = viewer_client.get(reverse("jobs:list")).content.decode()
    viewer_client.cookies["django_language"] = "ja"
    japanese = viewer_client.get(reverse("jobs:list")).content.decode()
    kinds = len(registry.subject_kinds())
    assert english.count("Its id: only the jobs about it are listed.") == kinds
    assert japanese.count("ID を入力すると、それに関するジョブだけを表示します。") == kinds
    assert "plan_version_id`" not in english + japanese


def test_job_list_refreshes_itself_only_while_jobs_are_active(viewer_client):
    JobFactory.create(status=Job.Status.SUCCEEDED)
    idle = viewer_client.get(reverse("jobs:list")).content.decode()
    assert 'data-refresh-fragment data-active="false"' in idle

    JobFactory.create(status=Job.Status.QUEUED)
    busy = viewer_client.get(reverse("jobs:list")).content.decode()
    assert 'data-refresh-fragment data-active="true"' in busy

    fragment = viewer_client.get(reverse("jobs:list"), headers={"X-Scpln-Fragment": "1"})
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="job-table"') and "<html" not in body
    assert "X-Scpln-Fragment" in fragment["Vary"]


def test_job_list_costs_the_same_queries_for_many_jobs(
    viewer_client, django_assert_max_num_queries
):
    for _ in range(30):
        _finished(type="planning", status=Job.Status.SUCCEEDED)
    with django_assert_max_num_queries(8):
        page = viewer_client.get(reverse("jobs:list"))
    assert len(page.context["jobs"]) == 30


def test_job_detail_shows_parameters_timings_error_and_result(viewer_client):
    version = PlanVersionFactory.create()
    job = _finished(
        type="aggregate",
        status=Job.Status.FAILED,
        subject=version,
        params={"bucket": "week", "group_by": ["item"]},
        result={"artifact": "agg_week_item"},
        error=TRACEBACK,
    )
    html = htmllib.unescape(
        viewer_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    )
    assert '"bucket": "week"' in html
    # The raw JSON is there for operators, folded away from planners.
    params = html.split('data-testid="job-params"', 1)[1].split("</details>", 1)[0]
    assert '"bucket": "week"' in params and "<details" not in params
    assert '<details class="panel" data-testid="job-result">' in html
    assert "1 min 15 s" in html
    assert "RuntimeError: disk full" in html and "Traceback (most recent call last)" in html
    assert '"artifact": "agg_week_item"' in html
    artifact_url = reverse("plans-api:artifact", args=[version.pk, "agg_week_item"])
    assert f'href="{artifact_url}?format=csv"' in html
    # A viewer sees no buttons it could not use.
    assert 'data-testid="job-retry"' not in html and 'data-testid="job-cancel"' not in html


def test_unknown_job_is_a_404(viewer_client):
    assert viewer_client.get(reverse("jobs:detail", args=[999999])).status_code == 404


def test_retry_makes_a_new_attempt_linked_to_the_failed_job(operator_client):
    failed = _finished(type="backup", status=Job.Status.FAILED, error=TRACEBACK)
    page = operator_client.get(reverse("jobs:detail", args=[failed.pk])).content.decode()
    assert 'data-testid="job-retry"' in page

    url = reverse("jobs:retry", args=[failed.pk])
    assert operator_client.get(url).status_code == 405
    response = operator_client.post(url)
    new = Job.objects.get(retry_of=failed)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[new.pk])
    assert new.status == Job.Status.QUEUED and new.type == failed.type


def test_retrying_a_succeeded_job_is_refused_with_the_reason(operator_client):
    done = _finished(status=Job.Status.SUCCEEDED)
    response = operator_client.post(reverse("jobs:retry", args=[done.pk]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Only failed or canceled jobs can be retried" in m for m in messages)
    assert Job.objects.count() == 1


def test_cancel_stops_a_queued_job(operator_client):
    queued = JobFactory.create(status=Job.Status.QUEUED)
    response = operator_client.post(reverse("jobs:cancel", args=[queued.pk]))
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == Job.Status.CANCELED


def test_retry_and_cancel_need_their_permissions(viewer_client):
    failed = JobFactory.create(status=Job.Status.FAILED)
    queued = JobFactory.create(status=Job.Status.QUEUED)
    assert viewer_client.post(reverse("jobs:retry", args=[failed.pk])).status_code == 403
    assert viewer_client.post(reverse("jobs:cancel", args=[queued.pk])).status_code == 403
    queued.refresh_from_db()
    assert queued.status == Job.Status.QUEUED
    assert Job.objects.count() == 2


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("jobs:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_id_past_the_integer_range_is_a_404_not_a_crash(operator_client):
    huge = 10**30
    assert operator_client.get(f"/ui/jobs/{huge}").status_code == 404
    assert operator_client.post(f"/ui/jobs/{huge}/retry").status_code == 404
    assert operator_client.post(f"/ui/jobs/{huge}/cancel").status_code == 404
