"""``manage.py replicate`` and ``manage.py optimise_levels``: output, refusals as exit codes."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jobs.models import Job
from risk.models import ReplicationSet
from risk.tests.conftest import make_plan_version


def test_replicate_queues_a_set(planned_version) -> None:
    out = io.StringIO()
    call_command("replicate", planned_version.pk, "--n", "12", "--seed", "5", stdout=out)
    replication_set = ReplicationSet.objects.get()
    assert (replication_set.n, replication_set.seed) == (12, 5)
    assert f"replication set {replication_set.pk} (seed 5)" in out.getvalue()
    assert replication_set.job is not None
    assert replication_set.job.status == Job.Status.QUEUED


@pytest.mark.parametrize(("args", "message"), [(["--n", "0"], "n: "), (["--n", "-4"], "n: ")])
def test_replicate_refuses_with_the_field(planned_version, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("replicate", planned_version.pk, *args, stdout=io.StringIO())
    assert not ReplicationSet.objects.exists()


def test_replicate_refuses_a_version_without_a_run(db) -> None:
    version = make_plan_version(simulate=False)
    with pytest.raises(CommandError, match="has no run yet"):
        call_command("replicate", version.pk, stdout=io.StringIO())
    with pytest.raises(CommandError, match="no plan version nope"):
        call_command("replicate", "nope", stdout=io.StringIO())


def test_optimise_levels_prints_before_and_after_and_writes_the_levels(
    planned_version, tmp_path
) -> None:
    out = io.StringIO()
    target = tmp_path / "levels.csv"
    call_command(
        "optimise_levels", planned_version.pk, "--n", "5", "--csv", str(target), stdout=out
    )
    text = out.getvalue()
    assert "9 node-items sized; targets reached" in text
    assert "fill_rate: " in text and " -> " in text
    rows = list(csv.DictReader(target.open()))
    assert len(rows) == 9
    assert {row["kind"] for row in rows} == {"store", "warehouse"}
    assert all(float(row["level"]) >= float(row["first_guess"]) for row in rows)
