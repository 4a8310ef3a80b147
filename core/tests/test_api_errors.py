"""The API answers JSON errors everywhere, also before a view runs; deep JSON is a 400."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.api.errors import is_api_path
from core.api.testing import api_user, token_client
from core.json_input import MAX_DEPTH

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000
# Parses (Python's limit is about 1000) but is deeper than scpln accepts.
NESTED = json.loads("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))


@pytest.fixture
def editor():
    return token_client(api_user("editor", "scenarios.add_scenario", "scenarios.add_configversion"))


@pytest.mark.parametrize("path", ["/scenarios/abc", "/runs/not-a-run/psi/x", "/api/nothing"])
def test_unknown_api_paths_are_json_404(editor, path):
    response = editor.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_unknown_ui_paths_stay_pages(client):
    response = client.get("/ui/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_oversized_json_body_is_a_json_413(editor, settings):
    body = json.dumps({"name": "x", "description": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = editor.post("/scenarios", body, content_type="application/json")
    assert response.status_code == 413
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/token", "/scenarios", "/configs"])
def test_deeply_nested_json_bodies_are_400_not_500(editor, client, path):
    caller = client if path == "/api/token" else editor  # the token endpoint needs no login
    response = caller.post(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]
    nested = caller.post(path, json.dumps({"document": NESTED}), content_type="application/json")
    assert nested.status_code == 400


def test_deeply_nested_configs_in_uploads_and_form_fields_are_400(editor, client):
    upload = io.BytesIO(DEEP.encode())
    upload.name = "deep.json"
    response = editor.post("/configs", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    as_field = editor.post("/configs", {"document": DEEP}, format="multipart")
    assert as_field.status_code == 400 and "document" in as_field.json()

    client.force_login(api_user("planner", "scenarios.add_configversion"))
    page = client.post("/ui/configs/import", {"file": io.BytesIO(DEEP.encode())})
    assert page.status_code == 400
    assert "nested deeper" in page.content.decode()


def _routes(patterns, prefix="/"):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry, prefix + str(entry.pattern)


def test_every_api_route_is_an_api_path_and_no_ui_route_is():
    api_modules = ("core.api.", "plans.api.", "runs.api.", "jobs.api.", "scenarios.api.")
    api_routes = []
    for entry, route in _routes(get_resolver().url_patterns):
        module = getattr(entry.callback, "__module__", "")
        if module.startswith(api_modules) or module.startswith("drf_spectacular"):
            api_routes.append(route)
            assert is_api_path(route.split("<")[0]), route
        elif route.startswith(("/ui/", "/admin/", "/accounts/")):
            assert not is_api_path(route), route
    assert len(api_routes) >= 20  # the walk found the API (/runs, /plans, /jobs, ...)


@pytest.mark.parametrize("path", ["/jobs", "/plans", "/runs"])
def test_time_filters_take_any_offset_python_reads_and_refuse_what_overflows(editor, path):
    name = "started_before" if path == "/runs" else "created_before"
    # PostgreSQL refuses an offset of -18:49; scpln queries in UTC.
    assert editor.get(path, {name: "0404-03-18T15:35:57-18:49"}).status_code == 200
    refused = editor.get(path, {name: "0001-01-01T00:00:00+05:00"})
    assert refused.status_code == 400 and name in refused.json()
