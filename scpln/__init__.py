"""scpln: a plan-centric supply-chain planning hub.

This package holds the pure planning and simulation engine (``scpln.engine``);
the Django project lives in ``config`` (settings, URLs, Celery) and the apps
``core``, ``jobs``, ``scenarios``, ``runs`` and ``plans`` (docs/architecture.md).
"""
