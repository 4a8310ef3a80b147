from __future__ import annotations

from django.conf import settings
from django.db import transaction

from core.commands import ServiceCommand
from core.demo import demo_account_ensure
from scenarios.models import ConfigVersion, Scenario
from scenarios.services import config_import
from scpln.engine.canonical.generator import NetworkShape, generate_config

# (username, role): accounts with a role's permissions only, never staff or
# superuser: a planner who makes and submits plans, an approver who decides.
DEMO_USERS = (("demo", "planner"), ("approver", "approver"))
DEMO_CONFIG = NetworkShape(skus=6, stores=3, dcs=1, factories=1, materials=3, days=90, seed=2025)
DEMO_DESCRIPTION = (
    f"Generated for the demo: {DEMO_CONFIG['skus']} items, {DEMO_CONFIG['stores']} stores, "
    f"{DEMO_CONFIG['dcs']} distribution centre, {DEMO_CONFIG['factories']} factory and "
    f"{DEMO_CONFIG['materials']} materials over {DEMO_CONFIG['days']} days."
)


class Command(ServiceCommand):
    """Load scpln's own demo data (network, scenarios, a demo planner and a demo approver); safe to
    run again. Each account's password is generated at the first run and printed then; it is kept
    in SCPLN_DATA_DIR/<user>.password (0600). No superuser is created."""

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        logins = [
            demo_account_ensure(username=username, role=role, data_dir=settings.DATA_DIR)
            for username, role in DEMO_USERS
        ]
        user = logins[0].user
        document = generate_config(**DEMO_CONFIG)
        document["meta"]["name"] = "Demo network"
        # Generated, not uploaded: no source file to name (the page shows none, a download is
        # named after the config), and the description says what the network holds.
        config, _ = config_import(
            document=document, name="Demo network", description=DEMO_DESCRIPTION, user=user
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
            f"scenarios Base and Demand +20% ({configs} config version(s) in total)"
        )
        for login in logins:
            name = login.user.get_username()
            if login.new_password is not None:
                self.stdout.write(
                    f'  Log in as "{name}" with password "{login.new_password}" '
                    f"(shown this once; kept in {login.password_file}, readable by you only)."
                )
            else:
                self.stdout.write(
                    f'  Log in as "{name}"; its password was printed at the first start and '
                    f"is kept in {login.password_file} (manage.py changepassword {name} sets "
                    "a new one)."
                )
