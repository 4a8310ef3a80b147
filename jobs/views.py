"""The job pages: /ui/jobs (refreshing itself while jobs are active) and /ui/jobs/<id>.

Retry and cancel call ``jobs.services.job_retry`` / ``job_cancel``, the same
services as ``POST /jobs/{id}/retry`` and ``/cancel``, with the same
permissions (``jobs.add_job``, ``jobs.change_job``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from core.pages import PageHead, filtered_list, flash_errors, found_or_404, require_permission
from core.users import acting_user
from jobs import registry, selectors
from jobs.models import Job
from jobs.services import job_cancel, job_retry

PAGE_SIZE = 50
# static/scpln/app.js asks for the job table alone with this header while jobs are active.
FRAGMENT_HEADER = "X-Scpln-Fragment"


def _job_or_404(pk: int) -> Job:
    return found_or_404(lambda: selectors.job_get(job_id=pk), _("No job %(id)s.") % {"id": pk})


class JobListView(LoginRequiredMixin, View):
    """Jobs, newest first, filtered with THE job FilterSet (type, status, subject)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = selectors.job_filterset(request.GET)
        listing = filtered_list(request, filterset, page_size=PAGE_SIZE)
        context = {
            **listing.context,
            "page_head": PageHead(_("Jobs")),
            "jobs": listing.page.object_list,
            "active": listing.valid and filterset.qs.filter(status__in=Job.ACTIVE).exists(),
        }
        fragment = request.headers.get(FRAGMENT_HEADER) == "1"
        response = render(
            request, "jobs/_job_table.html" if fragment else "jobs/list.html", context
        )
        patch_vary_headers(response, [FRAGMENT_HEADER])
        return response


class JobDetailView(LoginRequiredMixin, View):
    """One job: parameters, timings, error, result; retry/cancel only where they would work."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _job_or_404(pk)
        user = request.user
        kind = registry.get_job_type(job.type) if job.type in registry.job_type_names() else None
        return render(
            request,
            "jobs/detail.html",
            {
                "job": job,
                "outputs": selectors.job_outputs(job=job),
                "result_links": kind.result_links(job) if kind and kind.result_links else [],
                "retries": list(job.retries.order_by("-created_at").only("id", "status")),
                "can_retry": user.has_perm("jobs.add_job")
                and job.status in (Job.Status.FAILED, Job.Status.CANCELED),
                "can_cancel": user.has_perm("jobs.change_job") and job.is_active,
            },
        )


class JobRetryView(LoginRequiredMixin, View):
    """POST: a clean new attempt of a failed or canceled job (``jobs.add_job``)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_permission(request, "jobs.add_job")
        job = _job_or_404(pk)
        try:
            new = job_retry(job=job, user=acting_user(request))
        except ValidationError as error:
            flash_errors(request, error, {"status": _("Status")})
            return redirect(job)
        messages.success(
            request, _("Job #%(old)s is retried as job #%(new)s.") % {"old": job.pk, "new": new.pk}
        )
        return redirect(new)


class JobCancelView(LoginRequiredMixin, View):
    """POST: cancel a queued or running job (``jobs.change_job``)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_permission(request, "jobs.change_job")
        job = _job_or_404(pk)
        try:
            job = job_cancel(job=job)
        except ValidationError as error:
            flash_errors(request, error, {"status": _("Status")})
            return redirect(job)
        if job.status == Job.Status.CANCELED:
            messages.success(request, _("Job #%(id)s is canceled.") % {"id": job.pk})
        else:
            messages.info(
                request,
                _("Job #%(id)s will stop at its next progress point.") % {"id": job.pk},
            )
        return redirect(job)
