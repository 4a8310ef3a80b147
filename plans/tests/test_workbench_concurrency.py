"""Two planners editing the same draft at the same moment: one edit wins, the other is told
(409) — against the real database, in two threads with their own connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from plans.models import CellEdit, PlanVersion
from plans.tests.test_workbench_api import executed_version
from plans.workbench.services import workbench_edit


@pytest.mark.django_db(transaction=True)
def test_simultaneous_edits_of_one_revision_never_both_apply():
    version = executed_version()
    draft = workbench_edit(
        version=version,
        revision=0,
        edits=[{"key": "sku:S00001", "measure": "demand", "period": "2025-W02", "value": 1}],
    ).version
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def planner(value: float) -> None:
        try:
            start.wait()
            workbench_edit(
                version=PlanVersion.objects.get(pk=draft.pk),
                revision=1,
                edits=[
                    {"key": "sku:S00001", "measure": "demand", "period": "2025-W03", "value": value}
                ],
            )
            outcomes.append("applied")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=planner, args=(v,)) for v in (10.0, 20.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "conflict"]
    stored = CellEdit.objects.get(plan_version=draft, week="2025-W03").value
    assert stored in (10.0, 20.0)
