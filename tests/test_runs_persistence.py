"""Runs survive a restart: another process reads what this one recorded.

"Restart" is literal here: a separate Python process, sharing nothing with
the test but the database, lists and reads the runs (db backend) — with
``plan_version_id`` as a real column of the run table — and, configured with
``RUNS_DB_MAX_ROWS``, records a run whose retention keeps the newest N
unpinned runs and spares the pinned one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from plans.tests.factories import PlanVersionFactory
from runs.models import Run, RunResult
from runs.services import run_pin
from runs.tests.factories import record

ROOT = Path(__file__).resolve().parent.parent

READ = """
import json
from django.db import connection
from runs import selectors
from runs.registry import get_registry
pv = {pv!r}
runs = list(selectors.run_list(params={{"plan_version_id": pv}}))
with connection.cursor() as cursor:
    cursor.execute("SELECT run_id, plan_version_id FROM runs_run WHERE plan_version_id = %s", [pv])
    columns = cursor.fetchall()
first = selectors.run_get(run_id=runs[-1].run_id)
psi = selectors.run_table(run=first, table="psi")
print(json.dumps({{
    "backend": get_registry().name,
    "run_ids": [str(r.run_id) for r in runs],
    "column_rows": len(columns),
    "plan_version_ids": sorted({{r.plan_version_id for r in runs}}),
    "fill_rate": first.fill_rate,
    "summary": first.summary,
    "psi_rows": len(psi),
}}))
"""

RECORD = """
from runs.models import Run
from runs.tests.factories import record
from plans.models import PlanVersion
record(PlanVersion.objects.get(pk={pv!r}))
print(Run.objects.count())
"""


def _child(code: str, tmp_path: Path, **env: str) -> str:
    """Run ``code`` in a fresh ``manage.py shell`` on this test's database."""
    environ = {k: v for k, v in os.environ.items() if k != "RUNS_DB_MAX_ROWS"}
    db = connection.settings_dict
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", SCPLN_DATA_DIR=str(tmp_path))
    if connection.vendor == "sqlite":
        environ.pop("DATABASE_URL", None)
        environ["SCPLN_DB"] = str(db["NAME"])
    else:
        user, host = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1"
        environ["DATABASE_URL"] = f"postgres://{user}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"
    environ.update(env)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.django_db(transaction=True)
def test_runs_survive_a_restart_with_plan_version_id_as_a_column(tmp_path):
    pv = PlanVersionFactory.create()
    start = timezone.now() - timedelta(minutes=10)
    runs = [record(pv, started_at=start + timedelta(minutes=i)) for i in range(3)]

    seen = json.loads(_child(READ.format(pv=pv.plan_version_id), tmp_path))

    assert seen["backend"] == "db"
    assert seen["run_ids"] == [str(r.run_id) for r in reversed(runs)]
    assert seen["column_rows"] == 3
    assert seen["plan_version_ids"] == [pv.plan_version_id]
    assert seen["fill_rate"] == runs[0].fill_rate
    assert seen["summary"] == Run.objects.get(pk=runs[0].pk).summary
    assert seen["psi_rows"] == RunResult.objects.get(run=runs[0]).psi_rows > 0


@pytest.mark.django_db(transaction=True)
def test_retention_in_another_process_keeps_the_newest_n_and_spares_pinned(tmp_path):
    pv = PlanVersionFactory.create()
    start = timezone.now() - timedelta(hours=1)
    runs = [record(pv, started_at=start + timedelta(minutes=i)) for i in range(5)]
    run_pin(run=runs[0])  # the oldest: pinned, so never pruned

    total = _child(RECORD.format(pv=pv.plan_version_id), tmp_path, RUNS_DB_MAX_ROWS="3")

    kept = list(Run.objects.order_by("started_at").values_list("run_id", "pinned"))
    assert int(total) == len(kept) == 4  # the pinned run + the newest 3 unpinned
    assert kept[0] == (runs[0].run_id, True)
    assert [rid for rid, _ in kept[1:3]] == [runs[3].run_id, runs[4].run_id]
    assert RunResult.objects.count() == 4
    assert not Run.objects.filter(run_id__in=[r.run_id for r in runs[1:3]]).exists()
