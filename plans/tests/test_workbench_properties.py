"""Conservation and locks through the database: random sequences of PATCH-like edits, locks and
distributions, each reloaded from the stored edits — a family total lands exactly, locked cells
never change, a refused edit changes nothing (not even the revision)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.models import CellEdit
from plans.tests.test_workbench_api import executed_version
from plans.workbench.selectors import revision_of
from plans.workbench.services import Distribution, workbench_edit
from plans.workbench.sheets import sheet_load
from scpln.engine import workbench as wb

pytestmark = pytest.mark.django_db

steps = st.lists(
    st.one_of(
        st.tuples(st.just("detail"), st.integers(0, 5), st.integers(0, 13), st.integers(0, 300)),
        st.tuples(
            st.just("family"),
            st.integers(0, 1),
            st.integers(0, 2),
            st.integers(0, 3000),
            st.sampled_from(["proportional", "equal", "weights"]),
            st.sampled_from([None, 1, 5]),
            st.booleans(),  # custom weights by SKU-week (else by SKU)
        ),
        st.tuples(st.just("lock"), st.integers(0, 5), st.one_of(st.none(), st.integers(0, 13))),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(sequence=steps, measure=st.sampled_from(["demand", "production", "target_stock"]))
def test_stored_edits_conserve_units_and_respect_locks(sequence, measure):
    version = executed_version()
    revision = 0
    locks: list[tuple[str, str | None]] = []
    for step in sequence:
        before = sheet_load(version)
        locked = before.locked_mask(locks)
        edits_before = CellEdit.objects.count()
        if step[0] == "lock":
            period = None if step[2] is None else before.weeks[step[2]]
            request: dict[str, Any] = {
                "locks": [{"key": wb.sku_key(before.skus[step[1]]), "period": period}]
            }
        elif step[0] == "detail":
            _, row, week, value = step
            request = {
                "edits": [
                    {
                        "key": wb.sku_key(before.skus[row]),
                        "measure": measure,
                        "period": before.weeks[week],
                        "value": value,
                    }
                ]
            }
        else:
            _, family, period, value, mode, rounding, per_cell = step
            skus = [before.skus[int(r)] for r in before.family_rows(family)]
            weights: dict[str, Any] = {
                wb.sku_key(sku): (
                    {week: float((i + j) % 4) for j, week in enumerate(before.weeks)}
                    if per_cell
                    else float(i % 3)
                )
                for i, sku in enumerate(skus)
            }
            request = {
                "edits": [
                    {
                        "key": wb.family_key(before.families[family]),
                        "measure": measure,
                        "period": before.periods[period],
                        "value": value,
                    }
                ],
                "distribution": Distribution(mode=mode, weights=weights, round_step=rounding),
            }
        try:
            outcome = workbench_edit(version=version, revision=revision, **request)
        except ValidationError:
            assert CellEdit.objects.count() == edits_before, "a refused edit changes nothing"
            assert revision_of(version) == revision
            continue
        version, revision = outcome.version, outcome.revision
        if step[0] == "lock":
            locks = [*locks, (request["locks"][0]["key"], request["locks"][0]["period"])]
        after = sheet_load(version)
        assert np.array_equal(after.values[measure][locked], before.values[measure][locked])
        if step[0] == "family" and not outcome.refused:
            total = after.rollup(measure)[step[1], step[2]]
            assert total == pytest.approx(step[3], abs=1e-6), "the family total lands exactly"
