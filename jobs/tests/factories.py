from __future__ import annotations

import factory

from jobs.models import Job


class JobFactory(factory.django.DjangoModelFactory[Job]):
    class Meta:
        model = Job

    type = "backup"
