"""Schema-driven fuzzing of the whole REST API: zero server errors.

Schemathesis generates requests from the OpenAPI schema at ``/api/schema`` —
valid ones and deliberately invalid ones (wrong types, missing fields,
out-of-range numbers, odd strings) — and sends them in-process through the
WSGI application with a superuser's token, so writes reach the services.
Every answer must be anything but a 5xx: bad input is a 400 naming the field.
Path ids are sometimes swapped for rows that exist, so detail, pin, lock,
retry and delete endpoints are exercised past their 404s.

Examples per operation are capped (``FUZZ_EXAMPLES``) to keep the suite fast;
raise it locally (``SCPLN_FUZZ_EXAMPLES=500``) for a deeper run.
"""

from __future__ import annotations

import json
import os
import random

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

FUZZ_EXAMPLES = int(os.environ.get("SCPLN_FUZZ_EXAMPLES", "20"))


def _api_schema():
    # Generated in-process, exactly what /api/schema serves (pytest-django has
    # set Django up before test modules are imported).
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))


schema = _api_schema()


@pytest.fixture
def fuzz_env(db):
    """A superuser's token and a few real rows for path ids to point at."""
    from core.tokens import api_token_issue
    from jobs.models import Job
    from jobs.tests.factories import JobFactory
    from runs.tests.factories import record

    admin = User.objects.create_superuser("fuzz-admin")
    _token, token = api_token_issue(user=admin)
    run = record()
    ids = {
        "run_id": [str(run.run_id)],
        "plan_version_id": [run.plan_version_id],
        "id": [
            run.scenario_id,
            run.config_version_id,
            JobFactory.create(status=Job.Status.FAILED).pk,
            JobFactory.create().pk,
        ],
    }
    # The WSGI handler would close the test's connection (and its transaction)
    # at the end of each request; Django's test client avoids that the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {"headers": {"Authorization": f"Token {token}"}, "ids": ids}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def wsgi_app():
    return get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case, fuzz_env, wsgi_app):
    for name, choices in fuzz_env["ids"].items():
        if name in (case.path_parameters or {}) and random.random() < 0.5:
            case.path_parameters[name] = random.choice(choices)
    response = case.call(app=wsgi_app, headers=fuzz_env["headers"])
    case.validate_response(response, checks=[not_a_server_error])
