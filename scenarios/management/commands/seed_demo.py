from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from scenarios.models import ConfigVersion, Scenario
from scenarios.services import config_import
from scpln.engine.canonical.generator import NetworkShape, generate_config

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-planner"
DEMO_CONFIG = NetworkShape(skus=6, stores=3, dcs=1, factories=1, materials=3, days=90, seed=2025)


class Command(BaseCommand):
    help = "Load scpln's own demo data (network, scenarios, demo user); safe to run again."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        document = generate_config(**DEMO_CONFIG)
        document["meta"]["name"] = "Demo network"
        config, _ = config_import(
            document=document, name="Demo network", source_filename="seed_demo", user=user
        )
        base, _ = Scenario.objects.get_or_create(
            name="Base", defaults={"description": "The network as configured.", "created_by": user}
        )
        Scenario.objects.get_or_create(
            name="Demand +20%",
            defaults={
                "description": "Every demand 20% higher.",
                "demand_scale": 1.2,
                "parent": base,
                "created_by": user,
            },
        )
        configs = ConfigVersion.objects.count()
        self.stdout.write(
            f"demo data ready: config version {config.pk} ({config.name}), "
            f"scenarios Base and Demand +20%, user {DEMO_USER!r} "
            f"({configs} config version(s) in total)"
        )
