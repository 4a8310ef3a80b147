"""Top-level URL map: UI under /ui/, the REST API at the paths integrations call."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from scpln.health import healthz

urlpatterns = [
    path("", login_required(TemplateView.as_view(template_name="home.html")), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("", include("django_prometheus.urls")),
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
]
