from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.reference]


def test_operators_see_exceptions_and_cannot_change_them(admin_client, six_month_plan) -> None:
    from exceptions.models import PlanningException

    _version, run = six_month_plan
    changelist = admin_client.get(
        reverse("admin:exceptions_planningexception_changelist"),
        {"kind__exact": "unsourced_component", "q": "FACTORY-1"},
    )
    assert changelist.status_code == 200
    assert "COMP-X" in changelist.content.decode()
    row = PlanningException.objects.filter(run=run).first()
    assert row is not None
    change = admin_client.get(reverse("admin:exceptions_planningexception_change", args=[row.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
