"""Login, health and metrics: the operational front door."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from scpln import health


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_user_logs_in_with_password(client):
    User.objects.create_user("planner", password="correct-horse-1")
    response = client.post(reverse("login"), {"username": "planner", "password": "correct-horse-1"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200

    bad = client.post(reverse("login"), {"username": "planner", "password": "wrong"})
    assert bad.status_code == 200
    assert "correct username and password" in bad.content.decode()


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}, "broker": {"status": "ok"}},
    }


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broken_dependency(client, monkeypatch):
    monkeypatch.setattr(health, "_check_broker", lambda: "ConnectionRefusedError: refused")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == {
        "status": "error",
        "error": "ConnectionRefusedError: refused",
    }
    assert body["checks"]["database"] == {"status": "ok"}


@pytest.mark.django_db
def test_metrics_endpoint_exposes_scpln_and_django_metrics(client):
    text = client.get("/metrics").content.decode()
    assert "runs_total" in text
    assert "jobs_duration_seconds" in text
    assert "django_http_requests_total_by_method" in text
