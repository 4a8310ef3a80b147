"""Where an exception's link leads: the run's PSI on its node × item × days, when the run
has that node and item."""

from __future__ import annotations

import uuid

from exceptions.links import grid_url, psi_url
from exceptions.models import PlanningException

RUN = uuid.UUID("12345678-1234-5678-1234-567812345678")


def _row(**fields) -> PlanningException:
    base = {"kind": "stockout", "node": "STORE-1", "item": "SKU-1", "quantity": 1, "value": 1}
    return PlanningException(**{**base, **fields})


def test_a_run_row_opens_the_psi_a_week_before_its_first_day_to_its_last() -> None:
    url = psi_url(_row(run_id=RUN, first_day=30, last_day=40), RUN)
    assert url == (f"/ui/runs/{RUN}?node=STORE-1&item=SKU-1&bucket=day&day_from=23&day_to=40#psi")
    assert "day_from=0&" in psi_url(_row(run_id=RUN, first_day=3, last_day=9), RUN)


def test_a_plan_row_opens_the_whole_horizon_of_its_node_and_item() -> None:
    url = psi_url(_row(plan_version_id="pv-1", first_day=14), RUN)
    assert url == f"/ui/runs/{RUN}?node=STORE-1&item=SKU-1&bucket=day#psi"


def test_a_plan_of_work_centres_or_a_row_without_node_item_opens_the_run_page() -> None:
    assert psi_url(_row(plan_version_id="pv-1"), RUN, plan_nodes=False) == f"/ui/runs/{RUN}"
    assert psi_url(_row(run_id=RUN, item=""), RUN) == f"/ui/runs/{RUN}"


def test_a_plan_without_a_run_links_to_its_own_page() -> None:
    assert psi_url(_row(plan_version_id="pv-1"), None) == "/ui/plans/pv-1"


def test_a_plans_late_demand_opens_the_workbench_on_its_sku_from_its_week() -> None:
    import datetime as dt

    row = _row(kind="late_demand", plan_version_id="pv-1", first_date=dt.date(2025, 1, 8))
    assert grid_url(row) == "/ui/plans/pv-1/psi?level=detail&sku=SKU-1&period_from=2025-W02"
    # A run's row, a component's shortage or a row without an item: not a grid row.
    assert grid_url(_row(kind="late_demand", run_id=RUN, plan_version_id="pv-1")) == ""
    assert grid_url(_row(kind="component_shortage", plan_version_id="pv-1")) == ""
    assert grid_url(_row(kind="late_demand", plan_version_id="pv-1", item="")) == ""
