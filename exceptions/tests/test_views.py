"""The Exceptions pages and the exceptions section of the run and plan version pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.reference]


@pytest.fixture
def viewer(client, db):
    client.force_login(User.objects.create_user("viewer"))
    return client


def test_the_plan_page_shows_the_root_cause_and_badges_and_leads_to_the_list(
    viewer, six_month_plan
) -> None:
    version, _run = six_month_plan
    page = viewer.get(f"/ui/plans/{version.pk}").content.decode()
    assert 'data-testid="exceptions-panel"' in page
    assert "components with no supplier" in page
    assert 'data-testid="exception-badge-stockout"' in page
    listing = viewer.get(f"/ui/plans/{version.pk}/exceptions", {"kind": "stockout"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert 'data-node="STORE-TYO" data-item="SKU-A"' in html
    assert "node=STORE-TYO&amp;item=SKU-A" in html
    # A plan's unreachable demand opens the workbench grid on its SKU, where it can be changed.
    unreachable = viewer.get(f"/ui/plans/{version.pk}/exceptions", {"kind": "unreachable_demand"})
    link = f"/ui/plans/{version.pk}/psi?level=detail&amp;sku=SKU-B&amp;period_from="
    assert link in unreachable.content.decode()
    grid = viewer.get(f"/ui/plans/{version.pk}/psi", {"level": "detail", "sku": "SKU-B"})
    assert grid.status_code == 200


def test_the_run_page_shows_its_exceptions_in_japanese(viewer, six_month_plan) -> None:
    _version, run = six_month_plan
    page = viewer.get(f"/ui/runs/{run.run_id}", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "充足率" in page and "供給元のない" in page
    listing = viewer.get(
        f"/ui/runs/{run.run_id}/exceptions", HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    assert "在庫切れ" in listing and "PSIで開く" in listing
    # No raw key reaches the planner: what the page shows (its text, not its markup).
    shown = re.sub(r"<[^>]+>", " ", listing)
    assert not {"unsourced_component", "stockout", "backlog_growing"} & set(shown.split())
    # The order-by choices too, the descending ones included (made once, at start-up).
    assert "重大度（降順）" in listing and "(descending)" not in listing


def test_a_bad_filter_is_shown_on_its_field(viewer, six_month_plan) -> None:
    _version, run = six_month_plan
    response = viewer.get(f"/ui/runs/{run.run_id}/exceptions", {"severity": "urgent"})
    assert response.status_code == 400
    assert "urgent" in response.content.decode()


def test_the_pages_need_a_login(client, six_month_plan) -> None:
    version, run = six_month_plan
    assert client.get(f"/ui/runs/{run.run_id}/exceptions").status_code == 302
    assert client.get(f"/ui/plans/{version.pk}/exceptions").status_code == 302


def test_the_plans_list_counts_each_versions_exceptions_by_kind(viewer, six_month_plan) -> None:
    from exceptions.selectors import exception_counts, exceptions_of_plan_version

    version, _run = six_month_plan
    expected = exception_counts(exceptions_of_plan_version(plan_version=version))
    response = viewer.get("/ui/plans")
    html = response.content.decode()
    for kind, n in expected.items():
        badge = re.search(rf'data-testid="plan-exception-badge-{kind}">[^<]*<strong>(\d+)<', html)
        assert badge is not None and int(badge.group(1)) == n, kind
    assert f"/ui/plans/{version.pk}/exceptions?kind=stockout" in html
