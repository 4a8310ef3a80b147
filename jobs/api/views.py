"""The jobs API: list, detail, retry and cancel (thin views over jobs.services)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.users import acting_user
from jobs import selectors
from jobs.api.serializers import JobDetailSerializer, JobListSerializer
from jobs.filters import JobFilter
from jobs.models import Job
from jobs.services import job_cancel, job_retry


def _job(pk: int) -> Job:
    return selectors.job_get(job_id=pk)


class JobListView(ListAPIView):
    serializer_class = JobListSerializer
    queryset = Job.objects.none()
    filterset_class = JobFilter

    def get(self, request: Request) -> Response:
        """Background jobs, newest first; filter by type, status and subject (plan_version_id)."""
        page = self.paginate_queryset(selectors.job_list(params=request.query_params))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class _JobView(GenericAPIView):
    serializer_class = JobDetailSerializer

    def render_job(self, job: Job, *, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(job).data, status=code)


class JobDetailView(_JobView):
    def get(self, request: Request, pk: int) -> Response:
        """One job: state, progress, result or error, its subject (plan version) and runs."""
        return self.render_job(_job(pk))


class JobRetryView(_JobView):
    write_permissions = {"POST": "jobs.add_job"}

    @extend_schema(operation_id="jobs_retry", request=None, responses={201: JobDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """A clean new attempt of a failed or canceled job (`jobs.add_job`).

        Answers 201 with the new job, whose `retry_of_id` is this one.
        """
        job = job_retry(job=_job(pk), user=acting_user(request))
        return self.render_job(job, code=status.HTTP_201_CREATED)


class JobCancelView(_JobView):
    write_permissions = {"POST": "jobs.change_job"}

    @extend_schema(operation_id="jobs_cancel", request=None)
    def post(self, request: Request, pk: int) -> Response:
        """Cancel (`jobs.change_job`): a queued job never starts, a running one stops at its
        next progress point."""
        return self.render_job(job_cancel(job=_job(pk)))
