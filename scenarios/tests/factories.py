from __future__ import annotations

import hashlib
import json

import factory

from scenarios.models import ConfigVersion, Scenario


def _tiny_document(name: str) -> dict:
    return {
        "meta": {
            "name": name,
            "schema_version": "canonical-1.0",
            "attributes": {"planning_horizon": 28},
        },
        "items": [{"code": "SKU-1", "item_type": "product"}],
        "nodes": [{"code": "STORE-1", "node_type": "store"}],
        "arcs": [],
        "bom": [],
        "capacities": [],
        "calendars": [],
        "demands": [],
        "hierarchies": [],
    }


class ConfigVersionFactory(factory.django.DjangoModelFactory[ConfigVersion]):
    class Meta:
        model = ConfigVersion

    name = factory.Sequence(lambda n: f"network-{n}")
    schema_version = "canonical-1.0"
    document = factory.LazyAttribute(lambda o: _tiny_document(o.name))
    content_hash = factory.LazyAttribute(
        lambda o: hashlib.sha256(json.dumps(o.document, sort_keys=True).encode()).hexdigest()
    )
    horizon_days = 28
    item_count = 1
    node_count = 1


class ScenarioFactory(factory.django.DjangoModelFactory[Scenario]):
    class Meta:
        model = Scenario

    name = factory.Sequence(lambda n: f"scenario-{n}")
    description = "what-if"
