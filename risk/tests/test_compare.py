"""Comparing two replication sets: paired on the same seed, Welch otherwise; API and page."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from jobs import runner
from risk import selectors
from risk.models import ReplicationSet
from risk.services import replication_set_create
from risk.tests.conftest import make_plan_version
from scpln.engine.risk import difference


def _done_set(version, *, n: int, seed: int) -> ReplicationSet:
    replication_set = replication_set_create(plan_version=version, n=n, seed=seed)
    assert replication_set.job is not None
    runner.run(replication_set.job.pk)
    return replication_set


def _fill(replication_set: ReplicationSet) -> np.ndarray:
    rows = replication_set.replications.order_by("index").values_list("fill_rate", flat=True)
    return np.array(list(rows))


@override_settings(SCPLN_REPLICATION_CHUNK=4)
def test_sets_with_one_seed_are_paired_by_replication(planned_version) -> None:
    other_version = make_plan_version()
    base = _done_set(planned_version, n=8, seed=21)
    other = _done_set(other_version, n=8, seed=21)
    independent = _done_set(other_version, n=8, seed=22)

    paired = selectors.replication_set_compare(base=base, other=other)
    assert paired.paired
    expected = difference(_fill(base), _fill(other), paired=True)
    assert paired.kpis["fill_rate"] == expected
    unpaired = selectors.replication_set_compare(base=base, other=independent)
    assert not unpaired.paired
    assert unpaired.kpis["fill_rate"] == difference(_fill(base), _fill(independent), paired=False)

    api = APIClient()
    api.force_authenticate(_user())
    body = api.get(f"/replications/compare?base={base.pk}&other={other.pk}").json()
    assert body["paired"] is True and set(body["kpis"]) >= {"fill_rate", "profit_total"}
    fill = body["kpis"]["fill_rate"]
    assert fill["mean"] == pytest.approx(expected.mean)
    assert fill["verdict"] == selectors.verdict(expected)

    web = Client()
    web.force_login(_user())
    page = web.get(base.get_absolute_url()).content.decode()
    assert f"?base={base.pk}&amp;other={other.pk}" in page  # same seed: offered for comparison
    compare = web.get(f"/ui/replications/compare?base={base.pk}&other={other.pk}")
    text = compare.content.decode()
    assert compare.status_code == 200 and 'data-testid="compare-table"' in text
    assert "same seed" in text
    assert web.get(f"/ui/replications/compare?base={base.pk}&other=999").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [("other=1", "base"), ("base=x&other=1", "base"), ("base=1&other=999", "base")],
)
def test_compare_refuses_bad_ids_naming_the_field(db, query: str, field: str) -> None:
    api = APIClient()
    api.force_authenticate(_user())
    response = api.get(f"/replications/compare?{query}")
    assert response.status_code == 400 and field in response.json()


def _user():
    from django.contrib.auth.models import User

    return User.objects.get_or_create(username="reader")[0]
