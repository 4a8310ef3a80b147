"""The /scenarios and /configs API: CRUD, lock/unlock, import, download, diff."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError

from core.api.testing import api_user, token_client
from plans.services.inputs import scenario_config
from plans.tests.factories import PlanVersionFactory
from scenarios.models import ConfigVersion, Scenario
from scenarios.services import scenario_lock
from scenarios.tests.factories import ConfigVersionFactory, ScenarioFactory
from scpln.engine.canonical.generator import NetworkShape, generate_config

pytestmark = pytest.mark.django_db

SMALL = NetworkShape(skus=3, stores=2, dcs=1, factories=1, materials=1, days=30, seed=3)


@pytest.fixture
def reader():
    return token_client(api_user("reader"))


@pytest.fixture
def editor():
    return token_client(
        api_user(
            "editor",
            "scenarios.add_scenario",
            "scenarios.change_scenario",
            "scenarios.delete_scenario",
            "scenarios.add_configversion",
            "scenarios.change_configversion",
        )
    )


# --- scenarios ----------------------------------------------------------------------


def test_scenario_list_filters_and_pages_in_constant_queries(reader, django_assert_max_num_queries):
    for i in range(3):
        ScenarioFactory.create(name=f"Peak {i}")
    locked = ScenarioFactory.create(name="Quiet")
    scenario_lock(scenario=locked, user=None, reason="audit")
    body = reader.get("/scenarios", {"name": "peak"}).json()
    assert body["count"] == 3 and [s["name"] for s in body["results"]] == [
        "Peak 0",
        "Peak 1",
        "Peak 2",
    ]
    assert [s["name"] for s in reader.get("/scenarios?locked=true").json()["results"]] == ["Quiet"]
    for _ in range(30):
        ScenarioFactory.create(parent=locked)
    with django_assert_max_num_queries(4):  # token, count, page (with lock holder, parent)
        assert len(reader.get("/scenarios?page_size=40").json()["results"]) == 34
    assert reader.get("/scenarios?locked=perhaps").status_code == 400


def test_create_scenario_needs_add_permission_and_validates_by_field(reader, editor):
    payload = {"name": "Demand +20%", "demand_scale": 1.2, "tags": ["what-if"]}
    assert reader.post("/scenarios", payload, format="json").status_code == 403
    created = editor.post("/scenarios", payload, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["demand_scale"] == 1.2 and body["links"]["runs"].endswith(
        f"/runs?scenario_id={body['id']}"
    )
    bad = editor.post(
        "/scenarios",
        {
            "name": "Demand +20%",
            "demand_scale": 0,
            "capacity_scale_by_node": {"DC-1": -1},
            "horizon_days": 0,
        },
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"horizon_days"}
    # The serializer's type checks pass; the service names each domain rule.
    bad = editor.post(
        "/scenarios",
        {"name": "Demand +20%", "demand_scale": 0, "capacity_scale_by_node": {"DC-1": -1}},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"name", "demand_scale", "capacity_scale_by_node"}


def test_update_and_delete_an_unlocked_scenario(editor):
    scenario = ScenarioFactory.create(name="Draft")
    patched = editor.patch(f"/scenarios/{scenario.pk}", {"capacity_scale": 0.8}, format="json")
    assert patched.status_code == 200 and patched.json()["capacity_scale"] == 0.8
    replaced = editor.put(
        f"/scenarios/{scenario.pk}", {"name": "Final", "description": "ok"}, format="json"
    )
    assert replaced.status_code == 200 and replaced.json()["name"] == "Final"
    assert editor.delete(f"/scenarios/{scenario.pk}").status_code == 204
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_a_scenario_cannot_become_its_own_ancestor(editor):
    parent = ScenarioFactory.create()
    child = ScenarioFactory.create(parent=parent)
    response = editor.patch(f"/scenarios/{parent.pk}", {"parent_id": child.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    response = editor.patch(f"/scenarios/{parent.pk}", {"parent_id": 999999}, format="json")
    assert response.status_code == 400 and "parent_id" in response.json()


def test_locked_scenario_refuses_edit_and_delete_naming_who_and_when(editor):
    scenario = ScenarioFactory.create(name="Frozen")
    locked = editor.post(
        f"/scenarios/{scenario.pk}/lock", {"reason": "quarter close"}, format="json"
    )
    assert locked.status_code == 200
    body = locked.json()
    assert body["locked"] is True and body["locked_by"] == "editor"
    assert body["lock_reason"] == "quarter close" and body["locked_at"]
    for response in (
        editor.patch(f"/scenarios/{scenario.pk}", {"demand_scale": 2}, format="json"),
        editor.delete(f"/scenarios/{scenario.pk}"),
    ):
        assert response.status_code == 400
        message = response.json()["locked"][0]
        assert "editor" in message and "quarter close" in message
        assert str(body["locked_at"][:4]) in message  # the year it was locked
    again = editor.post(f"/scenarios/{scenario.pk}/lock", {}, format="json")
    assert again.status_code == 400 and "locked" in again.json()
    unlocked = editor.post(f"/scenarios/{scenario.pk}/unlock")
    assert unlocked.status_code == 200 and unlocked.json()["locked"] is False
    response = editor.patch(f"/scenarios/{scenario.pk}", {"demand_scale": 2}, format="json")
    assert response.status_code == 200


def test_lock_needs_change_permission(reader):
    scenario = ScenarioFactory.create()
    assert reader.post(f"/scenarios/{scenario.pk}/lock", {}, format="json").status_code == 403


def test_scenario_used_by_a_plan_version_is_not_deleted(editor):
    pv = PlanVersionFactory.create()
    response = editor.delete(f"/scenarios/{pv.base_scenario_id}")
    assert response.status_code == 400 and "scenario" in response.json()


def test_unknown_or_huge_scenario_ids_are_404(reader):
    assert reader.get("/scenarios/424242").status_code == 404
    assert reader.get(f"/scenarios/{2**70}").status_code == 404


# --- configs ------------------------------------------------------------------------


def test_import_a_canonical_config_as_json_then_again_finds_the_same_version(editor):
    document = generate_config(**SMALL)
    created = editor.post("/configs", {"document": document, "name": "gen"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["name"] == "gen" and body["item_count"] > 0
    assert body["links"]["document"].endswith(f"/configs/{body['config_version_id']}/document")
    again = editor.post("/configs", document, format="json")  # the bare document works too
    assert again.status_code == 200
    assert again.json()["config_version_id"] == body["config_version_id"]


def test_a_nul_character_in_an_uploaded_file_is_refused_not_stored(editor):
    upload = io.BytesIO(json.dumps({"meta": {"name": "a\u0000b"}}).encode())
    upload.name = "nul.json"
    response = editor.post("/configs", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert not ConfigVersion.objects.exists()


def test_import_by_file_upload(editor):
    upload = io.BytesIO(json.dumps(generate_config(**SMALL)).encode())
    upload.name = "network.json"
    response = editor.post("/configs", {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert response.json()["source_filename"] == "network.json"


def test_invalid_config_lists_every_problem_and_stores_nothing(editor):
    document = generate_config(**SMALL)
    document["arcs"][0]["to_node"] = "NOWHERE"
    document["items"][0]["code"] = document["items"][1]["code"]
    response = editor.post("/configs", {"document": document}, format="json")
    assert response.status_code == 400
    problems = response.json()["document"]
    assert len(problems) >= 2
    assert any("arcs[0].to_node" in p for p in problems)
    assert not ConfigVersion.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "document"),
        ({"document": [1, 2]}, "document"),
        ({"document": {"meta": {"name": "a\u0000b"}}}, "detail"),  # refused by the parser
        ({"name": "x" * 201, "document": {}}, "name"),
    ],
)
def test_bad_import_requests_are_400(editor, payload, field):
    response = editor.post("/configs", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_import_needs_permission(reader):
    assert reader.post("/configs", {"document": {}}, format="json").status_code == 403


def test_config_list_detail_download_and_rename(reader, editor, django_assert_max_num_queries):
    configs = [ConfigVersionFactory.create() for _ in range(3)]
    with django_assert_max_num_queries(3):
        body = reader.get("/configs").json()
    assert [c["config_version_id"] for c in body["results"]] == [c.pk for c in reversed(configs)]
    assert "document" not in body["results"][0]
    detail = reader.get(f"/configs/{configs[0].pk}").json()
    assert detail["content_hash"] == configs[0].content_hash
    download = reader.get(f"/configs/{configs[0].pk}/document")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert download.json() == configs[0].document
    renamed = editor.patch(
        f"/configs/{configs[0].pk}", {"name": "renamed", "status": "archived"}, format="json"
    )
    assert renamed.json()["name"] == "renamed" and renamed.json()["status"] == "archived"
    assert reader.get("/configs?status=archived").json()["count"] == 1


def test_diff_between_two_config_versions(reader, editor):
    a = generate_config(**SMALL)
    b = json.loads(json.dumps(a))
    b["items"][0]["attributes"] = {**b["items"][0].get("attributes", {}), "sales_price": 999}
    first = editor.post("/configs", {"document": a}, format="json").json()["config_version_id"]
    second = editor.post("/configs", {"document": b}, format="json").json()["config_version_id"]
    body = reader.get(f"/configs/{first}/diff", {"to": second}).json()
    assert body["identical"] is False
    items = next(e for e in body["entities"] if e["entity"] == "items")
    assert items["changed"][0]["key"] == a["items"][0]["code"]
    assert "sales_price" in body["text"]
    assert reader.get(f"/configs/{first}/diff", {"to": first}).json()["identical"] is True
    assert "to" in reader.get(f"/configs/{first}/diff", {"to": 987654}).json()
    assert "to" in reader.get(f"/configs/{first}/diff").json()


def test_inventory_levels_are_stored_shown_and_validated(editor):
    levels = {"STORE-01": {"SKU-01": {"order_up_to": 120.0, "reorder_point": 90.0}}}
    created = editor.post(
        "/scenarios", {"name": "Levels", "inventory_levels": levels}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = editor.get(f"/scenarios/{created.json()['id']}").json()
    assert body["inventory_levels"] == levels
    bad = editor.post(
        "/scenarios",
        {
            "name": "Bad levels",
            "inventory_levels": {"STORE-01": {"SKU-01": {"reorder_point": 5, "up_to": 1}}},
        },
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"inventory_levels"}
    assert "overrides.inventory_levels.STORE-01.SKU-01.up_to" in " ".join(
        bad.json()["inventory_levels"]
    )


def test_inventory_levels_for_an_unknown_node_are_a_400_naming_it_at_planning(editor):
    config = ConfigVersionFactory.create()
    scenario = ScenarioFactory.create(
        name="Wrong node", inventory_levels={"NOPE-9": {"X": {"order_up_to": 1}}}
    )
    with pytest.raises(ValidationError) as raised:
        scenario_config(config_version=config, scenario=scenario)
    messages = raised.value.message_dict["base_scenario"]
    assert any("overrides.inventory_levels.NOPE-9" in m and "unknown node" in m for m in messages)
