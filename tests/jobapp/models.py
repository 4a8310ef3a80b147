from __future__ import annotations

from django.db import models


class Widget(models.Model):
    """A subject for the test app's jobs: it counts how often a job touched it."""

    name = models.CharField(max_length=50)
    touches = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/widgets/{self.pk}"
