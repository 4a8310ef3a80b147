"""A run's life: archive, tags, notes, the audit trail, and what is left when it is removed."""

from __future__ import annotations

import pytest
from django.test import override_settings

from core.api.testing import api_user, token_client
from plans.tests.factories import PlanVersionFactory
from runs import services
from runs.models import ExportedRun, Run, RunTombstone
from runs.tests.factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return token_client(api_user("editor", "runs.change_run", "runs.delete_run"))


@pytest.fixture
def reader():
    return token_client(api_user("reader"))


def test_archived_runs_leave_the_default_history_and_come_back(editor, reader):
    kept, hidden = record(), record()
    response = editor.post(f"/runs/{hidden.run_id}/archive", {"note": "old try"}, format="json")
    assert response.status_code == 200 and response.json()["archived"] is True

    default = [r["run_id"] for r in reader.get("/runs").json()["results"]]
    assert default == [str(kept.run_id)]
    only = [r["run_id"] for r in reader.get("/runs", {"archived": "true"}).json()["results"]]
    assert only == [str(hidden.run_id)]

    editor.post(f"/runs/{hidden.run_id}/unarchive", {}, format="json")
    assert reader.get("/runs").json()["count"] == 2
    actions = [e["action"] for e in reader.get(f"/runs/{hidden.run_id}/events").json()]
    assert actions == ["unarchive", "archive"]
    archive = reader.get(f"/runs/{hidden.run_id}/events").json()[1]
    assert archive["actor"] == "editor" and archive["reason"] == "old try"


def test_archiving_needs_the_change_permission(reader):
    run = record()
    assert reader.post(f"/runs/{run.run_id}/archive", {}, format="json").status_code == 403
    assert not Run.objects.get(pk=run.pk).archived


def test_notes_are_listed_newest_first_and_empty_ones_refused(editor, reader):
    run = record()
    assert editor.post(f"/runs/{run.run_id}/notes", {"text": "first"}).status_code == 201
    editor.post(f"/runs/{run.run_id}/notes", {"text": "second"})
    notes = reader.get(f"/runs/{run.run_id}/notes").json()
    assert [n["text"] for n in notes] == ["second", "first"] and notes[0]["author"] == "editor"
    refused = editor.post(f"/runs/{run.run_id}/notes", {"text": "   "})
    assert refused.status_code == 400 and "text" in refused.json()


def test_tags_are_replaced_trimmed_and_deduplicated(editor):
    run = record()
    body = editor.post(
        f"/runs/{run.run_id}/tags", {"tags": [" peak ", "peak", "q4"]}, format="json"
    )
    assert body.status_code == 200 and body.json()["tags"] == ["peak", "q4"]
    assert editor.post(f"/runs/{run.run_id}/tags", {"tags": [""]}, format="json").status_code == 400


@override_settings(RUNS_DB_MAX_ROWS=2)
def test_retention_leaves_a_tombstone_and_the_api_answers_410_with_it(reader, tmp_path):
    pv = PlanVersionFactory.create()
    first = record(pv)
    ExportedRun.objects.create(run_id=first.run_id, path=str(tmp_path / "runs-1"))
    record(pv), record(pv)  # the third recording removes the oldest

    response = reader.get(f"/runs/{first.run_id}")
    assert response.status_code == 410
    body = response.json()
    assert body["reason"] == "retention" and body["plan_version_id"] == pv.pk
    assert body["export_path"] == str(tmp_path / "runs-1")
    assert body["kpis"]["fill_rate"] == first.fill_rate
    assert reader.get(f"/runs/{first.run_id}/events").status_code == 200


@override_settings(RUNS_DB_MAX_ROWS=1)
def test_held_and_pinned_runs_are_never_pruned_nor_deletable(editor):
    pv = PlanVersionFactory.create()
    held = record(pv)
    Run.objects.filter(pk=held.pk).update(held=True)
    pinned = record(pv)
    services.run_pin(run=pinned)
    record(pv), record(pv)
    assert set(Run.objects.values_list("run_id", flat=True)) >= {held.run_id, pinned.run_id}
    refused = editor.delete(f"/runs/{held.run_id}")
    assert refused.status_code == 400 and "held" in refused.json()


def test_deleting_a_run_leaves_a_tombstone_and_an_event(editor):
    run = record()
    assert editor.delete(f"/runs/{run.run_id}").status_code == 204
    tombstone = RunTombstone.objects.get(pk=run.run_id)
    assert tombstone.reason == "deleted"
    events = editor.get(f"/runs/{run.run_id}/events").json()
    assert [e["action"] for e in events] == ["delete"] and events[0]["actor"] == "editor"


def test_events_of_a_run_that_never_existed_are_404(reader):
    assert reader.get("/runs/7e1a2a5c-0000-4000-8000-000000000000/events").status_code == 404
