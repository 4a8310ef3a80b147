"""The replication pages and the plan page's panel."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from jobs import runner
from risk.models import ReplicationSet


@pytest.fixture
def web(risk_planner) -> Client:
    client = Client()
    client.force_login(risk_planner)
    return client


@override_settings(SCPLN_REPLICATION_CHUNK=3)
def test_the_form_queues_a_set_and_its_page_shows_intervals_and_misses(
    web, planned_version
) -> None:
    response = web.post(f"/ui/plans/{planned_version.pk}/replications", {"n": 6, "seed": 4})
    replication_set = ReplicationSet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == replication_set.get_absolute_url()
    assert (replication_set.n, replication_set.seed) == (6, 4)
    assert replication_set.job is not None
    runner.run(replication_set.job.pk)

    page = web.get(replication_set.get_absolute_url()).content.decode()
    assert "6 of 6 replications done · seed 4" in page
    assert 'data-testid="replication-kpis"' in page and "Fill rate" in page
    assert page.count('data-testid="miss-cell"') == 6  # 2 stores × 3 SKUs
    assert "replication-histogram" in page
    assert 'data-testid="bands-chart"' in page  # the set is complete: weekly bands

    plan_page = web.get(f"/ui/plans/{planned_version.pk}").content.decode()
    assert 'data-testid="replications-panel"' in plan_page
    assert "6 of 6 replications done" in plan_page
    assert 'data-testid="fill-rate-histogram"' in plan_page


def test_a_refused_form_shows_the_message_at_the_field(web, planned_version) -> None:
    response = web.post(f"/ui/plans/{planned_version.pk}/replications", {"n": 0})
    assert response.status_code == 400
    assert "at least 1" in response.content.decode()
    assert not ReplicationSet.objects.exists()


def test_a_reader_sees_the_panel_without_the_form(client, django_user_model, planned_version):
    client.force_login(django_user_model.objects.create_user("reader"))
    page = client.get(f"/ui/plans/{planned_version.pk}").content.decode()
    assert "No replications yet." in page
    assert 'data-testid="replication-form"' not in page
    assert client.post(f"/ui/plans/{planned_version.pk}/replications", {"n": 2}).status_code == 403


def test_japanese_pages(web, planned_version) -> None:
    web.cookies["django_language"] = "ja"
    page = web.get(f"/ui/plans/{planned_version.pk}/replications", HTTP_ACCEPT_LANGUAGE="ja")
    text = page.content.decode()
    assert "レプリケーション" in text and "Replications" not in text.split("<main", 1)[-1]


@override_settings(SCPLN_REPLICATION_CHUNK=5)
def test_the_panel_costs_the_same_queries_however_many_replications(
    web, planned_version, django_assert_num_queries
) -> None:
    def set_of(n: int) -> None:
        web.post(f"/ui/plans/{planned_version.pk}/replications", {"n": n, "seed": n})
        newest = ReplicationSet.objects.first()
        assert newest is not None and newest.job is not None
        runner.run(newest.job.pk)

    set_of(2)
    with CaptureQueriesContext(connection) as few:
        web.get(f"/ui/plans/{planned_version.pk}")
    count = len(few.captured_queries)
    assert count > 0
    set_of(12)
    with django_assert_num_queries(count):
        web.get(f"/ui/plans/{planned_version.pk}")
