"""Run history filtering (one FilterSet, both backends), tables and comparisons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from plans.tests.factories import PlanVersionFactory
from runs import selectors, services
from runs.selectors.compare import kpi_delta
from runs.tests.factories import fake_result, record
from scenarios.tests.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _seed():
    start = timezone.now() - timedelta(days=1)
    north = PlanVersionFactory.create(base_scenario=ScenarioFactory.create(name="North Peak"))
    south = PlanVersionFactory.create(base_scenario=ScenarioFactory.create(name="south base"))
    runs = []
    for i, (pv, rate) in enumerate([(north, 0.7), (north, 0.9), (south, 0.8), (south, 0.95)]):
        runs.append(
            record(pv, started_at=start + timedelta(hours=i), result=fake_result(fill_rate=rate))
        )
    services.run_pin(run=runs[2])
    return north, south, runs


CASES = [
    lambda n, s, r: ({}, [r[3], r[2], r[1], r[0]]),
    lambda n, s, r: ({"plan_version_id": n.plan_version_id}, [r[1], r[0]]),
    lambda n, s, r: ({"scenario_name": "PEAK"}, [r[1], r[0]]),
    lambda n, s, r: ({"scenario_id": s.base_scenario_id}, [r[3], r[2]]),
    lambda n, s, r: ({"config_version_id": s.config_version_id}, [r[3], r[2]]),
    lambda n, s, r: ({"plan_id": n.plan_id}, [r[1], r[0]]),
    lambda n, s, r: ({"pinned": "true"}, [r[2]]),
    lambda n, s, r: ({"pinned": "false", "status": "succeeded"}, [r[3], r[1], r[0]]),
    lambda n, s, r: ({"started_after": r[1].started_at.isoformat()}, [r[3], r[2], r[1]]),
    lambda n, s, r: ({"started_before": r[1].started_at.isoformat()}, [r[0]]),
    lambda n, s, r: ({"ordering": "fill_rate"}, [r[0], r[2], r[1], r[3]]),
    lambda n, s, r: ({"ordering": "-fill_rate,started_at"}, [r[3], r[1], r[2], r[0]]),
]


@pytest.mark.parametrize("backend", ["db", "memory"])
@pytest.mark.parametrize("case", CASES)
def test_one_filterset_gives_the_same_history_on_both_backends(settings, backend, case):
    settings.REGISTRY_BACKEND = backend
    from runs.tests.helpers import current_memory_registry

    if backend == "memory":
        current_memory_registry().clear()
    try:
        north, south, runs = _seed()
        params, expected = case(north, south, runs)
        got = [run.run_id for run in selectors.run_list(params=params)]
        assert got == [run.run_id for run in expected], params
    finally:
        if backend == "memory":
            current_memory_registry().clear()


def test_invalid_filters_raise_validation_errors_keyed_by_parameter():
    with pytest.raises(ValidationError) as refused:
        selectors.run_list(params={"pinned": "maybe", "ordering": "secret"})
    assert set(refused.value.message_dict) == {"pinned", "ordering"}


@pytest.mark.parametrize(
    ("base", "value", "threshold", "expected"),
    [
        (100.0, 110.0, 5.0, (10.0, 10.0, True)),
        (100.0, 104.0, 5.0, (4.0, 4.0, False)),
        (-100.0, -50.0, 5.0, (50.0, 50.0, True)),  # relative to |base|
        (0.0, 0.0, 5.0, (0.0, 0.0, False)),
        (0.0, 3.0, 5.0, (3.0, None, True)),
        (0.0, 3.0, None, (3.0, None, None)),
        (None, 3.0, 5.0, (None, None, False)),
    ],
)
def test_kpi_delta_definitions(base, value, threshold, expected):
    assert kpi_delta(base, value, threshold) == expected


def test_compare_reports_scenario_and_plan_parameter_differences():
    scenario = ScenarioFactory.create(demand_scale=1.2)
    a = record(PlanVersionFactory.create(parameters={"horizon_days": 28}))
    pv = PlanVersionFactory.create(
        config_version=a.config_version, base_scenario=scenario, parameters={"horizon_days": 56}
    )
    b = record(pv)
    comparison = selectors.run_compare(run_ids=[a.run_id, b.run_id])
    diff = comparison.differences[0]
    assert diff["config"] is None  # same config version
    assert {"field": "demand_scale", "old": 1.0, "new": 1.2} in diff["scenario"]
    assert {"field": "horizon_days", "old": 28, "new": 56} in diff["plan_version"]
