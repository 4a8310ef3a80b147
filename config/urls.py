"""Top-level URL map.

The web UI lives under ``/ui/``; the REST API answers at the site root
(``/runs``, ``/plans``, ...) because those are the paths integrations of the
original system already call; its schema and docs are under ``/api/``.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from core.api import errors
from core.health import healthz
from core.metrics import metrics_view
from core.notifications import notifications_view
from core.timezone import timezone_view

# Each app's web UI (``<app>/urls.py``), in this order: exceptions and risk come before
# plans, whose last route takes any word after a plan version (/ui/plans/{id}/<word> is
# otherwise a plan transition).
UI_APPS = ("exceptions", "risk", "plans", "runs", "jobs", "scenarios")
# Each app's REST API (``<app>/api/urls.py``).
API_APPS = ("core", "plans", "risk", "runs", "jobs", "scenarios", "exceptions")

urlpatterns = [
    path("", login_required(TemplateView.as_view(template_name="home.html")), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    # Every process's metrics (web, workers, beat) plus job state: core/metrics.py.
    path("metrics", metrics_view, name="prometheus-django-metrics"),
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    # Web UI
    path("ui/timezone", timezone_view, name="timezone"),
    path("ui/", include("core.account")),
    path("ui/notifications", notifications_view, name="notifications"),
    *(path("ui/", include(f"{app}.urls")) for app in UI_APPS),
    *(path("", include(f"{app}.api.urls")) for app in API_APPS),
]

# Errors raised outside a DRF view (no matching route, a refused body, a crash)
# are JSON on the API's paths and pages elsewhere: core/api/errors.py.
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
