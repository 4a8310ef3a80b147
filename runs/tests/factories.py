from __future__ import annotations

import factory

from plans.tests.factories import PlanVersionFactory
from runs.models import Run


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    plan_version = factory.SubFactory(PlanVersionFactory)
    scenario = factory.LazyAttribute(lambda o: o.plan_version.base_scenario)
    config_version = factory.LazyAttribute(lambda o: o.plan_version.config_version)
    fill_rate = 0.95
    profit_total = 1000.0
    duration_ms = 120
    summary = factory.LazyAttribute(
        lambda o: {"fill_rate": o.fill_rate, "profit_total": o.profit_total}
    )
