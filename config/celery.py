"""The Celery application shared by the web process, workers and beat.

Every scpln process imports this module first (it is imported by the
``config`` package itself), which is why Prometheus multiprocess mode is
switched on here, before anything can import prometheus_client: see
config/multiproc.py.
"""

from __future__ import annotations

import os

from config import multiproc

multiproc.configure()

from celery import Celery  # noqa: E402  (after the metrics mode is chosen)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("scpln")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
