"""The management commands operators and checks use."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from jobs.models import Job
from plans.models import PlanningInputSet, PlanVersion
from scenarios.models import ConfigUpload, ConfigVersion, Scenario
from scenarios.services import scenario_lock
from scpln.engine.canonical.generator import generate_config

pytestmark = pytest.mark.django_db


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_config_prints_the_new_id_and_finds_the_same_content_again(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(
        json.dumps(generate_config(skus=3, stores=2, dcs=1, factories=1, days=60, seed=1))
    )
    first = _call("import_config", str(path), "--name", "net")
    again = _call("import_config", str(path))
    assert first.strip() == again.strip() == str(ConfigVersion.objects.get().pk)


def test_import_config_refuses_an_invalid_file_with_every_problem_and_writes_nothing(tmp_path):
    document = generate_config(skus=3, stores=2, dcs=1, factories=1, days=60, seed=1)
    document["arcs"][0]["to_node"] = "DC-9"
    document["items"][0]["unit_cost"] = -5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError) as exc:
        _call("import_config", str(path))
    assert "arcs[0].to_node" in str(exc.value) and "DC-9" in str(exc.value)
    assert "items[0].unit_cost" in str(exc.value)
    assert not ConfigVersion.objects.exists()


def test_import_config_refuses_a_file_over_the_upload_limit_like_the_api(tmp_path, settings):
    path = tmp_path / "net.json"
    path.write_text(
        json.dumps(generate_config(skus=3, stores=2, dcs=1, factories=1, days=60, seed=1))
    )
    settings.SCPLN_MAX_UPLOAD_BYTES = path.stat().st_size - 1
    with pytest.raises(CommandError) as exc:
        _call("import_config", str(path))
    assert f"net.json: The file is {path.stat().st_size} bytes" in str(exc.value)
    assert "SCPLN_MAX_UPLOAD_BYTES" in str(exc.value)
    assert not ConfigVersion.objects.exists()


def test_import_config_imports_a_large_file_through_a_job(tmp_path, settings):
    document = generate_config(skus=3, stores=2, dcs=1, factories=1, days=60, seed=1)
    path = tmp_path / "net.json"
    path.write_text(json.dumps(document))
    settings.SCPLN_CONFIG_INLINE_BYTES = path.stat().st_size - 1

    out = _call("import_config", str(path), "--name", "big")

    job = Job.objects.get(type="config_import")
    version = ConfigVersion.objects.get()
    assert out.strip() == str(version.pk) and version.name == "big"
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["config_version_id"] == version.pk
    assert not ConfigUpload.objects.exists()  # the kept upload is gone once imported
    # The same file again finds the stored version, through a job as well.
    assert _call("import_config", str(path)).strip() == str(version.pk)
    assert ConfigVersion.objects.count() == 1


def test_import_config_as_a_job_refuses_an_invalid_file_with_its_problems(tmp_path, settings):
    document = generate_config(skus=3, stores=2, dcs=1, factories=1, days=60, seed=1)
    document["arcs"][0]["to_node"] = "DC-9"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    settings.SCPLN_CONFIG_INLINE_BYTES = 0

    with pytest.raises(CommandError) as exc:
        _call("import_config", str(path))

    assert "arcs[0].to_node" in str(exc.value) and "DC-9" in str(exc.value)
    assert Job.objects.get(type="config_import").status == Job.Status.FAILED
    assert not ConfigVersion.objects.exists()


@pytest.mark.reference
@pytest.mark.parametrize(
    "name", ["mono_node_sample_2Mths", "multi_node_sample_3Mths", "multi_node_sample_6Mths"]
)
def test_reference_configs_import_as_they_are(reference_dir, name):
    out = _call("import_config", str(reference_dir / "canonical" / f"{name}.json"))
    version = ConfigVersion.objects.get(pk=int(out))
    assert version.name == name.replace("_", "-").lower() or version.name


@pytest.mark.django_db(transaction=True)
def test_create_plan_wait_prints_the_version_job_run_and_kpis(network, base_scenario):
    from celery import current_app as app

    # As with CELERY_TASK_ALWAYS_EAGER=1 for one-off scripts: the job is sent
    # when plan creation commits and runs right there, and --wait reports it.
    app.conf.task_always_eager = True
    try:
        out = _call("create_plan", "--scenario", "Base", "--config", str(network.pk), "--wait")
    finally:
        app.conf.task_always_eager = False
    lines = out.splitlines()
    version = PlanVersion.objects.get()
    assert lines[0] == f"plan_version_id {version.pk}"
    assert lines[1] == f"job {version.jobs.get().pk}"
    assert lines[2].startswith("run ")
    assert json.loads("\n".join(lines[3:]))["fill_rate"] is not None


def test_create_plan_refuses_a_locked_scenario_with_a_non_zero_exit(network, base_scenario):
    scenario_lock(scenario=base_scenario, user=User.objects.create_user("bob"))
    with pytest.raises(CommandError, match=r"base_scenario: .*locked.*bob"):
        _call("create_plan", "--scenario", "Base", "--config", str(network.pk))
    with pytest.raises(CommandError, match="--scenario"):
        _call("create_plan", "--scenario", "Nope", "--config", str(network.pk))


def test_seed_demo_is_idempotent(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    _call("seed_demo")
    password = (tmp_path / "demo.password").read_text().strip()
    _call("seed_demo")
    assert ConfigVersion.objects.count() == 1
    assert set(Scenario.objects.values_list("name", flat=True)) == {"Base", "Demand +20%"}
    assert User.objects.get(username="demo").check_password(password)


@pytest.mark.reference
def test_import_planning_inputs_reads_the_reference_set(reference_dir):
    out = _call("import_planning_inputs", str(reference_dir / "planning"), "--name", "reference")
    input_set = PlanningInputSet.objects.get(pk=int(out))
    assert "demand_family.csv" in input_set.files and "planning_calendar.json" in input_set.files
    assert input_set.family_count >= 1 and input_set.sku_count >= input_set.family_count
