from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from jobs import services
from jobs.models import Job
from jobs.runner import JobContext
from jobs.tests.factories import JobFactory
from runs import archive
from runs.columnar import frame_to_parquet, parquet_to_frame
from runs.models import ExportedRun, Run, RunResult
from runs.tests.factories import RunFactory

pytestmark = pytest.mark.django_db

PSI = pd.DataFrame({"day": [0, 1], "node": ["S1", "S1"], "item": ["A", "A"], "on_hand": [5.0, 3.0]})


def _run_with_result(**fields) -> Run:
    run = RunFactory.create(**fields)
    RunResult.objects.create(
        run=run,
        schema_version="psi-1",
        psi=frame_to_parquet(PSI),
        pl=frame_to_parquet(pd.DataFrame({"day": [0], "revenue": [1.0]})),
        trace=frame_to_parquet(pd.DataFrame()),
        psi_rows=2,
    )
    return run


def test_export_writes_json_lines_and_psi_and_marks_runs_archived(tmp_path):
    runs = [_run_with_result() for _ in range(3)]
    export = archive.run_export(directory=tmp_path)
    assert export is not None and export.count == 3
    assert export.path.parent == tmp_path and not list(tmp_path.glob(".*.partial"))
    lines = [json.loads(line) for line in (export.path / "runs.jsonl").read_text().splitlines()]
    assert {line["run_id"] for line in lines} == {str(run.run_id) for run in runs}
    first = next(line for line in lines if line["run_id"] == str(runs[0].run_id))
    assert first["plan_version_id"] == runs[0].plan_version_id
    assert runs[0].scenario is not None
    assert first["scenario_name"] == runs[0].scenario.name
    assert first["config_version_id"] == runs[0].config_version_id
    psi = (export.path / first["files"]["psi"]).read_bytes()
    pd.testing.assert_frame_equal(parquet_to_frame(psi), PSI)
    assert set(ExportedRun.objects.values_list("run_id", flat=True)) == {r.run_id for r in runs}
    # Already archived: nothing left to export.
    assert archive.run_export(directory=tmp_path) is None


def test_export_as_csv(tmp_path):
    run = _run_with_result()
    export = archive.run_export(directory=tmp_path, fmt="csv")
    assert export is not None
    frame = pd.read_csv(export.path / "results" / str(run.run_id) / "psi.csv")
    assert list(frame.columns) == list(PSI.columns) and len(frame) == 2


def test_only_archived_runs_are_prunable_when_archiving_is_on(settings, tmp_path):
    runs = [_run_with_result() for _ in range(2)]
    ids = [run.run_id for run in runs]
    settings.SCPLN_ARCHIVE_DIR = None
    assert archive.run_ids_prunable(ids) == ids
    settings.SCPLN_ARCHIVE_DIR = tmp_path
    assert archive.run_ids_prunable(ids) == []
    archive.run_export(directory=tmp_path, run_ids=[ids[1]])
    assert archive.run_ids_prunable(ids) == [ids[1]]


def test_retention_job_archives_before_it_prunes(settings, tmp_path):
    settings.SCPLN_ARCHIVE_DIR = tmp_path
    settings.RUNS_DB_MAX_ROWS = 2
    runs = [_run_with_result() for _ in range(5)]
    job = JobFactory.create(type="retention", status=Job.Status.RUNNING, attempts=1)
    result = archive.retention_job(job=job, ctx=JobContext(job))
    assert result["archived"] == 5 and result["pruned"] == 3
    assert Run.objects.count() == 2
    exported = {
        json.loads(line)["run_id"]
        for folder in result["folders"]
        for line in (Path(folder) / "runs.jsonl").read_text().splitlines()
    }
    assert exported == {str(run.run_id) for run in runs}


def test_retention_is_scheduled_only_when_there_is_work(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "job_enqueue", lambda *, job, countdown=None: None)
    settings.SCPLN_ARCHIVE_DIR = None
    settings.RUNS_DB_MAX_ROWS = 0
    _run_with_result()
    assert services.job_schedule_periodic(job_type="retention") is None
    settings.SCPLN_ARCHIVE_DIR = tmp_path
    job = services.job_schedule_periodic(job_type="retention")
    assert job is not None and job.type == "retention"
    assert services.job_schedule_periodic(job_type="retention") is None  # one at a time


def test_export_runs_command_prints_each_folder(tmp_path):
    for _ in range(3):
        _run_with_result()
    out, err = io.StringIO(), io.StringIO()
    call_command("export_runs", "--dir", str(tmp_path), "--batch", "2", stdout=out, stderr=err)
    folders = out.getvalue().split()
    assert len(folders) == 2 and all(Path(folder).is_dir() for folder in folders)
    assert "exported 3 runs" in err.getvalue()


def test_registry_prune_keeps_unarchived_runs_when_archiving_is_on(settings, tmp_path):
    from runs.services import run_prune

    settings.SCPLN_ARCHIVE_DIR = tmp_path
    runs = [_run_with_result() for _ in range(4)]
    assert run_prune(keep=1) == 0
    assert Run.objects.count() == 4
    archive.run_export(directory=tmp_path, run_ids=[runs[0].run_id])
    assert run_prune(keep=1) == 1
    assert not Run.objects.filter(pk=runs[0].pk).exists()
