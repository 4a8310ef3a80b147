"""Bounded config inputs: size limits (400/413 naming the field) and large work as jobs (202)."""

from __future__ import annotations

import io
import json

import pytest

from core.api.testing import api_user, token_client
from jobs import runner
from jobs.models import Job
from scenarios.models import ConfigUpload, ConfigVersion
from scenarios.services import config_import
from scpln.engine.canonical.generator import NetworkShape, generate_config

pytestmark = pytest.mark.django_db

SMALL = NetworkShape(skus=3, stores=2, dcs=1, factories=1, materials=1, days=30, seed=3)


@pytest.fixture
def editor():
    return token_client(api_user("editor", "scenarios.add_configversion"))


@pytest.fixture
def planner(client):
    client.force_login(api_user("planner", "scenarios.add_configversion"))
    return client


def _file(document: dict | bytes, name: str = "network.json") -> io.BytesIO:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _run(job_id: int) -> Job:
    finished = runner.run(job_id)
    assert finished is not None
    return finished


# --- Refused: too large -----------------------------------------------------------


def test_a_file_over_the_upload_limit_is_a_413_naming_the_file(editor, planner, settings):
    settings.SCPLN_MAX_UPLOAD_BYTES = 2048
    big = _file(b" " * 3000 + b"{}")
    response = editor.post("/configs", {"file": big}, format="multipart")
    assert response.status_code == 413
    assert "SCPLN_MAX_UPLOAD_BYTES" in response.json()["file"][0]

    page = planner.post("/ui/configs/import", {"file": _file(b" " * 3000 + b"{}")})
    assert page.status_code == 413
    assert "SCPLN_MAX_UPLOAD_BYTES" in page.content.decode()
    assert not ConfigUpload.objects.exists() and not ConfigVersion.objects.exists()


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(editor, planner, settings):
    declared = str(settings.SCPLN_MAX_UPLOAD_BYTES + 2 * 1024 * 1024)
    response = editor.post(
        "/configs", b"{}", content_type="application/json", CONTENT_LENGTH=declared
    )
    assert response.status_code == 413
    assert declared in response.json()["detail"]
    page = planner.post(
        "/ui/configs/import",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=declared,
    )
    assert page.status_code == 413 and "SCPLN_MAX_UPLOAD_BYTES" in page.content.decode()


@pytest.mark.parametrize(
    ("setting", "section"),
    [
        ("SCPLN_MAX_CONFIG_NODES", "nodes"),
        ("SCPLN_MAX_CONFIG_ITEMS", "items"),
        ("SCPLN_MAX_DEMAND_ROWS", "demands"),
    ],
)
def test_a_config_with_more_rows_than_allowed_is_a_400_naming_the_limit(
    editor, settings, setting, section
):
    document = generate_config(**SMALL)
    setattr(settings, setting, len(document[section]) - 1)
    response = editor.post("/configs", {"document": document}, format="json")
    assert response.status_code == 400
    message = " ".join(response.json()["document"])
    assert section in message and setting in message
    assert not ConfigVersion.objects.exists()


def test_a_horizon_longer_than_allowed_is_a_400(editor, settings):
    settings.SCPLN_MAX_HORIZON_DAYS = 20
    response = editor.post("/configs", {"document": generate_config(**SMALL)}, format="json")
    assert response.status_code == 400
    assert "SCPLN_MAX_HORIZON_DAYS" in " ".join(response.json()["document"])


# --- Large imports run as jobs ------------------------------------------------------


def test_a_large_upload_is_imported_by_a_job_answered_202(editor, settings):
    settings.SCPLN_CONFIG_INLINE_BYTES = 100
    response = editor.post(
        "/configs", {"file": _file(generate_config(**SMALL))}, format="multipart"
    )
    assert response.status_code == 202
    body = response.json()
    assert body["type"] == "config_import" and body["status"] == "queued"
    assert response["Location"].endswith(f"/jobs/{body['id']}")
    assert not ConfigVersion.objects.exists()  # nothing was imported inside the request

    job = _run(body["id"])
    assert job.status == Job.Status.SUCCEEDED, job.error
    config = ConfigVersion.objects.get(pk=job.result["config_version_id"])
    assert config.source_filename == "network.json" and job.result["created"] is True
    assert not ConfigUpload.objects.exists()
    assert editor.get(f"/jobs/{job.pk}").json()["status"] == "succeeded"


def test_a_large_json_body_is_imported_by_a_job_too(editor, settings):
    settings.SCPLN_CONFIG_INLINE_BYTES = 100
    response = editor.post("/configs", {"document": generate_config(**SMALL)}, format="json")
    assert response.status_code == 202
    assert _run(response.json()["id"]).status == Job.Status.SUCCEEDED
    assert ConfigVersion.objects.count() == 1


def test_a_large_invalid_config_fails_its_job_with_every_problem(editor, settings):
    settings.SCPLN_CONFIG_INLINE_BYTES = 100
    document = generate_config(**SMALL)
    document["arcs"][0]["to_node"] = "NOWHERE"
    response = editor.post("/configs", {"file": _file(document)}, format="multipart")
    job = _run(response.json()["id"])
    assert job.status == Job.Status.FAILED
    assert "document: arcs[0].to_node: unknown node 'NOWHERE'" in job.error
    assert "Traceback" not in job.error
    assert not ConfigUpload.objects.exists() and not ConfigVersion.objects.exists()


def test_the_ui_sends_a_large_import_to_its_job_page(planner, settings):
    settings.SCPLN_CONFIG_INLINE_BYTES = 100
    response = planner.post("/ui/configs/import", {"file": _file(generate_config(**SMALL))})
    job = Job.objects.get(type="config_import")
    assert response.status_code == 302 and response["Location"] == f"/ui/jobs/{job.pk}"
    _run(job.pk)
    page = planner.get(f"/ui/jobs/{job.pk}").content.decode()
    config_id = Job.objects.get(pk=job.pk).result["config_version_id"]
    assert f"/ui/configs/{config_id}" in page


# --- Large diffs run as jobs --------------------------------------------------------


def test_a_diff_of_large_configs_is_a_job_and_then_its_answer(editor, planner, settings):
    old, _ = config_import(document=generate_config(**SMALL))
    document = generate_config(**NetworkShape(**{**SMALL, "seed": 4}))
    new, _ = config_import(document=document)
    settings.SCPLN_CONFIG_INLINE_BYTES = 100

    url = f"/configs/{old.pk}/diff?to={new.pk}&limit=5"
    first = editor.get(url)
    assert first.status_code == 202
    job_id = first.json()["id"]
    assert first.json()["config_version_id"] == str(old.pk)
    assert editor.get(url).json()["id"] == job_id  # the same job while it waits
    assert _run(job_id).status == Job.Status.SUCCEEDED

    answer = editor.get(url)
    assert answer.status_code == 200
    body = answer.json()
    assert body["to_config_version_id"] == new.pk
    demands = next(e for e in body["entities"] if e["entity"] == "demands")
    assert demands["counts"]["changed"] >= len(demands["changed"])
    assert Job.objects.filter(type="config_diff").count() == 1

    page = planner.get(f"/ui/configs/diff?from={old.pk}&to={new.pk}")
    assert page.status_code == 302  # a new job for the page's own limit
    diff_job = Job.objects.filter(type="config_diff").latest("created_at")
    _run(diff_job.pk)
    shown = planner.get(f"/ui/configs/diff?from={old.pk}&to={new.pk}")
    assert shown.status_code == 200 and shown.context["diff"] is not None
