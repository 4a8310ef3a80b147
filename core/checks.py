"""scpln's own ``manage.py check --deploy`` findings, beside Django's security checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def metrics_protected(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """/metrics is open unless SCPLN_METRICS_TOKEN or SCPLN_METRICS_ALLOW restricts it."""
    if settings.SCPLN_METRICS_TOKEN or settings.SCPLN_METRICS_ALLOW:
        return []
    return [
        Warning(
            "/metrics is readable by anyone who can reach the web port.",
            hint="Set SCPLN_METRICS_TOKEN (Prometheus sends it as a bearer token) or "
            "SCPLN_METRICS_ALLOW (addresses or networks of your Prometheus).",
            id="scpln.W001",
        )
    ]
