"""REST API routes of the planning workbench, under a plan version (``plans/api/urls.py``
includes them at ``plans/<plan_version_id>/``, in the plans-api namespace)."""

from django.urls import path

from plans.workbench.api import views

urlpatterns = [
    path("psi", views.PsiView.as_view(), name="psi"),
    path("psi/events", views.PsiEventsView.as_view(), name="psi-events"),
    path("recalculate", views.RecalculateView.as_view(), name="recalculate"),
]
