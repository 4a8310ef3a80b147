"""Liveness and readiness checks for load balancers and operators.

``/healthz`` needs no login (load balancers call it), so it says only which
check failed, never why: the driver's message names hosts, ports and users.
The reason goes to the log, where operators read it.
"""

from __future__ import annotations

import logging

from celery import current_app as celery_app
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "not reachable"
        logger.exception("healthz: the database is not reachable")
        return False
    return True


def _check_broker() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises transport-specific errors
        logger.exception("healthz: the broker is not reachable")
        return False
    return True


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database and the broker are reachable, 503 otherwise."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: {"status": "ok" if ok else "error"} for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)
