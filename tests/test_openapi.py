"""The OpenAPI schema documents every endpoint, its filters and error shapes, and
the interactive docs work with no internet access."""

from __future__ import annotations

import re

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/runs",
    "/runs/{run_id}",
    "/runs/{run_id}/psi",
    "/runs/{run_id}/pl",
    "/runs/{run_id}/trace",
    "/runs/{run_id}/pin",
    "/runs/{run_id}/unpin",
    "/runs/compare",
    "/plans",
    "/plans/{plan_version_id}",
    "/jobs",
    "/jobs/{id}",
    "/jobs/{id}/retry",
    "/jobs/{id}/cancel",
    "/scenarios",
    "/scenarios/{id}",
    "/scenarios/{id}/lock",
    "/scenarios/{id}/unlock",
    "/configs",
    "/configs/{id}",
    "/configs/{id}/document",
    "/configs/{id}/diff",
    "/api/token",
]


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema")  # anonymous: integrations read it first
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_openapi_3_with_every_contract_path(schema):
    assert schema["openapi"].startswith("3.")
    missing = [path for path in CONTRACT_PATHS if path not in schema["paths"]]
    assert missing == []


def test_schema_generates_without_warnings_and_validates(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_run_history_documents_its_filters_ordering_and_pagination(schema):
    params = {p["name"] for p in schema["paths"]["/runs"]["get"]["parameters"]}
    assert params >= {
        "plan_version_id",
        "scenario_id",
        "scenario_name",
        "config_version_id",
        "status",
        "pinned",
        "started_after",
        "started_before",
        "ordering",
        "page",
        "page_size",
    }
    ok = schema["paths"]["/runs"]["get"]["responses"]["200"]["content"]["application/json"]
    page = schema["components"]["schemas"][ok["schema"]["$ref"].rsplit("/", 1)[1]]
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    row = schema["components"]["schemas"]["RunList"]["properties"]
    assert "plan_version_id" in row and "scenario_name" in row


def test_every_operation_documents_its_error_shapes(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path != "/api/token":
                assert "401" in responses, (method, path)
            if method != "get" and path != "/api/token":
                assert "403" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in ("post", "put", "patch"):
                assert "400" in responses, (method, path)
    errors = schema["components"]["schemas"]
    assert "detail" in errors["Error"]["properties"]
    assert errors["ValidationError"]["type"] == "object"


def test_tables_and_compare_offer_csv(schema):
    for path in ("/runs/{run_id}/psi", "/runs/compare"):
        operation = schema["paths"][path]["get"]
        assert "text/csv" in operation["responses"]["200"]["content"], path
        assert "format" in {p["name"] for p in operation["parameters"]}


def test_token_auth_is_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    assert any(
        s.get("type") == "apiKey" and s.get("name") == "Authorization" for s in schemes.values()
    )


def test_interactive_docs_load_only_local_assets(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html[:500]
    static = [a for a in assets if a.startswith("/" + settings.STATIC_URL.lstrip("/"))]
    assert static, assets
    for asset in assets:
        assert not asset.startswith(("http://", "https://", "//")), asset
    for asset in static:
        relative = asset.split("?")[0][len("/" + settings.STATIC_URL.lstrip("/")) :]
        assert finders.find(relative), f"{asset} is not a local static file"


# Generated clients name their methods after these ids. Most are derived from the path
# (drf-spectacular), so renaming a route would rename a client's method with it: the
# contract endpoints' ids are written down here, and a change to one fails.
CONTRACT_OPERATION_IDS = {
    ("/runs", "get"): "runs_list",
    ("/runs/{run_id}", "get"): "runs_retrieve",
    ("/runs/{run_id}", "delete"): "runs_destroy",
    ("/runs/{run_id}/psi", "get"): "runs_psi",
    ("/runs/{run_id}/pl", "get"): "runs_pl",
    ("/runs/{run_id}/trace", "get"): "runs_trace",
    ("/runs/{run_id}/pin", "post"): "runs_pin",
    ("/runs/{run_id}/unpin", "post"): "runs_unpin",
    ("/runs/compare", "get"): "runs_compare",
    ("/plans", "get"): "plans_list",
    ("/plans", "post"): "plans_create",
    ("/plans/{plan_version_id}", "get"): "plans_retrieve",
    ("/jobs", "get"): "jobs_list",
    ("/jobs/{id}", "get"): "jobs_retrieve",
    ("/jobs/{id}/retry", "post"): "jobs_retry",
    ("/jobs/{id}/cancel", "post"): "jobs_cancel",
    ("/scenarios", "get"): "scenarios_list",
    ("/scenarios", "post"): "scenarios_create",
    ("/scenarios/{id}", "get"): "scenarios_retrieve",
    ("/scenarios/{id}", "put"): "scenarios_update",
    ("/scenarios/{id}", "patch"): "scenarios_partial_update",
    ("/scenarios/{id}", "delete"): "scenarios_destroy",
    ("/scenarios/{id}/lock", "post"): "scenarios_lock",
    ("/scenarios/{id}/unlock", "post"): "scenarios_unlock",
    ("/configs", "get"): "configs_list",
    ("/configs", "post"): "configs_import",
    ("/configs/{id}", "get"): "configs_retrieve",
    ("/configs/{id}", "patch"): "configs_partial_update",
    ("/configs/{id}/document", "get"): "configs_document",
    ("/configs/{id}/diff", "get"): "configs_diff",
    ("/api/token", "post"): "api_token_create",
    ("/api/token", "delete"): "api_token_revoke",
}


def test_contract_operations_keep_their_ids_and_every_id_is_unique(schema):
    found = {
        (path, method): schema["paths"][path][method]["operationId"]
        for path, method in CONTRACT_OPERATION_IDS
        if method in schema["paths"].get(path, {})
    }
    assert found == CONTRACT_OPERATION_IDS
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_every_operation_is_grouped_under_its_resource(schema):
    # The docs group operations by tag; a path's group is its first segment ("auth" for
    # the token), so an endpoint never lands in a group of its own or in none.
    for path, operations in schema["paths"].items():
        group = "auth" if path.startswith("/api/token") else path.strip("/").split("/")[0]
        for method, operation in operations.items():
            assert operation.get("tags") == [group], (path, method)
