"""Liveness and readiness checks for load balancers and operators."""

from __future__ import annotations

from celery import current_app as celery_app
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        return f"{type(exc).__name__}: {exc}"
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database and the broker are reachable, 503 otherwise."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(error is None for error in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {
            name: {"status": "ok"} if error is None else {"status": "error", "error": error}
            for name, error in checks.items()
        },
    }
    return JsonResponse(body, status=200 if healthy else 503)
