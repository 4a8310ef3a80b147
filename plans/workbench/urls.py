"""Web UI routes of the planning workbench, under a plan version (``plans/urls.py``
includes them at ``plans/<plan_version_id>/``, in the plans namespace)."""

from django.urls import path

from plans.workbench import views

urlpatterns = [
    path("psi", views.WorkbenchGridView.as_view(), name="psi"),
    path("psi/export.<str:fmt>", views.WorkbenchExportView.as_view(), name="psi-export"),
    path("psi/recalculate", views.WorkbenchRecalculateView.as_view(), name="psi-recalculate"),
    path("psi/upload", views.WorkbenchUploadView.as_view(), name="psi-upload"),
    path("psi/changes", views.WorkbenchChangesView.as_view(), name="psi-changes"),
]
