"""The project's configuration: settings, URL map, Celery app, WSGI/ASGI entry points.

Importing the Celery app here (Django imports this package first, to read its
settings) makes every process — web, worker, beat, management commands — use
scpln's configured app when it sends a job's message.
"""

from config.celery import app as celery_app

__all__ = ["celery_app"]
