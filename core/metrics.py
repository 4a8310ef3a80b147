"""``/metrics``: every process's samples plus what the database knows, in one scrape.

Each app defines its own counters and histograms beside its code
(``jobs/metrics.py``, ``runs/metrics.py``, ``plans/metrics.py``). Label sets are
deliberately small and fixed (a job type, a run source, an outcome) so that the
series count never grows with data.

Counters and histograms are written by whichever process observes them
(multiprocess mode, config/multiproc.py) and merged at scrape time. What the
database already knows — jobs waiting, jobs running, the last verified
backup — is read from it at scrape time instead, by collectors that apps
register here (:func:`register_collector`): it is the same answer from every
process, survives restarts, and cannot drift from the rows the UI shows.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.registry import Collector

_collectors: list[Collector] = []


def register_collector(collector: Collector) -> None:
    """Add a collector whose metrics are read at scrape time (an app's ``ready()``)."""
    if not any(type(existing) is type(collector) for existing in _collectors):
        _collectors.append(collector)


def registry() -> CollectorRegistry:
    """Everything ``/metrics`` shows: all processes' samples plus the registered collectors.

    django-prometheus's request and database metrics are ordinary metrics in
    the same multiprocess files, so they are merged along with scpln's.
    """
    reg = CollectorRegistry(auto_describe=True)
    multiprocess.MultiProcessCollector(reg)
    for collector in _collectors:
        reg.register(collector)
    return reg


def metrics_allowed(request: HttpRequest) -> bool:
    """May this request read /metrics? (``SCPLN_METRICS_TOKEN``, ``SCPLN_METRICS_ALLOW``)

    Open when neither is set (the metrics hold counts and timings, no
    business data; a deployment behind a proxy may restrict the path there).
    Otherwise a scrape passes with ``Authorization: Bearer <token>`` or from
    an allowed address: either is enough, so Prometheus on the same host can
    be allowed by address and a remote one by token.
    """
    token, allowed = settings.SCPLN_METRICS_TOKEN, settings.SCPLN_METRICS_ALLOW
    if not token and not allowed:
        return True
    if token:
        sent = request.headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    if allowed:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net) for net in allowed)
    return False


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition of every scpln process (web, workers, beat)."""
    if not metrics_allowed(request):
        response = HttpResponse("Forbidden: see SCPLN_METRICS_TOKEN\n", status=403)
        if settings.SCPLN_METRICS_TOKEN:
            response.status_code = 401
            response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
