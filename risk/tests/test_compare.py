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


def _three_sets(version, *, seed: int) -> tuple[ReplicationSet, ReplicationSet, ReplicationSet]:
    """A on ``version``; B on another plan version with A's seed (paired); C on that one
    with another seed and n (Welch)."""
    other_version = make_plan_version()
    return (
        _done_set(version, n=8, seed=seed),
        _done_set(other_version, n=8, seed=seed),
        _done_set(other_version, n=6, seed=seed + 1),
    )


@override_settings(SCPLN_REPLICATION_CHUNK=4)
def test_sets_with_one_seed_are_paired_by_replication(planned_version) -> None:
    base, other, independent = _three_sets(planned_version, seed=21)

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


def _kpi_values(replication_set: ReplicationSet, name: str) -> np.ndarray:
    return np.array(
        list(replication_set.replications.order_by("index").values_list(name, flat=True))
    )


@override_settings(SCPLN_REPLICATION_CHUNK=4)
def test_runs_compare_takes_two_sets_and_states_which_is_better(planned_version) -> None:
    from scipy import stats

    a, b, c = _three_sets(planned_version, seed=31)
    api = APIClient()
    api.force_authenticate(_user())

    paired = api.get(f"/runs/compare?sets={a.pk},{b.pk}").json()
    assert (paired["base_id"], paired["other_id"], paired["method"]) == (a.pk, b.pk, "paired")
    welch = api.get(f"/runs/compare?sets={a.pk},{c.pk}").json()
    assert welch["method"] == "welch"
    for name in ("fill_rate", "cycle_service_level", "avg_on_hand", "profit_total"):
        # Independently: scipy's t intervals on the stored per-replication KPIs.
        base, same_seed, other_seed = (_kpi_values(s, name) for s in (a, b, c))
        for body, expected in (
            (paired, stats.ttest_rel(same_seed, base).confidence_interval(0.95)),
            (welch, stats.ttest_ind(other_seed, base, equal_var=False).confidence_interval(0.95)),
        ):
            kpi = body["kpis"][name]
            if np.isnan(expected.low):  # no spread at all: the interval is the mean itself
                assert kpi["ci_low"] == pytest.approx(kpi["mean"])
                continue
            assert (kpi["ci_low"], kpi["ci_high"]) == pytest.approx(
                (expected.low, expected.high), rel=1e-9, abs=1e-12
            )
            higher_is_better = name != "avg_on_hand"
            if expected.low > 0 or expected.high < 0:
                winner = b if body is paired else c
                winner = winner if (expected.low > 0) == higher_is_better else a
                assert kpi["statement"] == f"Set #{winner.pk} is better at 95 %."
            else:
                assert kpi["better"] is None
                assert kpi["statement"] == "No significant difference at 95 %."
    csv = api.get(f"/runs/compare?sets={a.pk},{b.pk}&format=csv")
    assert csv.status_code == 200
    assert csv.content.decode().splitlines()[0].endswith("statement,method")

    web = Client()
    web.force_login(_user())
    page = web.get(f"/ui/runs/compare?sets={a.pk},{b.pk}", follow=True)
    assert page.redirect_chain[-1][0] == f"/ui/replications/compare?base={a.pk}&other={b.pk}"
    assert "at 95 %" in page.content.decode()
    assert web.get("/ui/runs/compare?sets=7").status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sets=1", "sets"),
        ("sets=1,x", "sets"),
        ("sets=1,2,3", "sets"),
        ("sets=1,999", "sets"),
        ("", "ids"),
        ("sets=1,2&ids=6f1c2e2a-0a0b-4c3d-9e8f-001122334455", "ids"),
    ],
)
def test_runs_compare_refuses_bad_sets_naming_the_field(db, query: str, field: str) -> None:
    api = APIClient()
    api.force_authenticate(_user())
    response = api.get(f"/runs/compare?{query}")
    assert response.status_code == 400 and field in response.json(), response.json()
