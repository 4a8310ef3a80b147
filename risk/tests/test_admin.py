"""Operators find replication sets in the admin, linked to their plan version and job."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from risk.services import replication_set_create


def test_operators_list_and_open_replication_sets(planned_version) -> None:
    replication_set = replication_set_create(plan_version=planned_version, n=3, seed=8)
    client = Client()
    client.force_login(User.objects.create_superuser("operator"))
    listing = client.get(reverse("admin:risk_replicationset_changelist") + "?q=8")
    assert listing.status_code == 200
    assert reverse("admin:risk_replicationset_change", args=[replication_set.pk]) in (
        listing.content.decode()
    )
    page = client.get(reverse("admin:risk_replicationset_change", args=[replication_set.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert reverse("admin:plans_planversion_change", args=[planned_version.pk]) in text
    assert reverse("admin:jobs_job_change", args=[replication_set.job_id]) in text
    assert client.post(reverse("admin:risk_replicationset_add")).status_code == 403


def test_operators_open_a_level_optimisation(planned_version) -> None:
    from risk.services.optimisation import level_optimisation_create

    optimisation = level_optimisation_create(
        scenario=planned_version.base_scenario, plan_version=planned_version, n=3, seed=2
    )
    client = Client()
    client.force_login(User.objects.create_superuser("operator"))
    assert client.get(reverse("admin:risk_leveloptimisation_changelist")).status_code == 200
    page = client.get(reverse("admin:risk_leveloptimisation_change", args=[optimisation.pk]))
    assert page.status_code == 200
    assert reverse("admin:jobs_job_change", args=[optimisation.job_id]) in page.content.decode()
