from __future__ import annotations

import factory

from plans.models import Plan, PlanVersion
from scenarios.tests.factories import ConfigVersionFactory, ScenarioFactory


class PlanFactory(factory.django.DjangoModelFactory[Plan]):
    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"plan-{n}")


class PlanVersionFactory(factory.django.DjangoModelFactory[PlanVersion]):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    base_scenario = factory.SubFactory(ScenarioFactory)
    config_version = factory.SubFactory(ConfigVersionFactory)
