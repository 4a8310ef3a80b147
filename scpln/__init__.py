"""scpln: a plan-centric supply-chain planning hub."""

from scpln.celery import app as celery_app

__all__ = ["celery_app"]
