"""Login, health and metrics: the operational front door."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from config.celery import app as celery_app
from tests.workers import reset_producer_pool


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


@pytest.fixture
def unreachable_broker():
    """This process's Celery producer pointed at a port where nothing listens."""
    conf = celery_app.conf
    saved = conf.broker_url, dict(conf.broker_transport_options or {})
    conf.broker_url, conf.broker_transport_options = "redis://127.0.0.1:1/0", {}
    reset_producer_pool()
    yield
    conf.broker_url, conf.broker_transport_options = saved
    reset_producer_pool()


@pytest.mark.django_db
def test_healthz_names_the_broken_check_but_never_its_connection_details(
    client, unreachable_broker, caplog
):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": {"status": "ok"}, "broker": {"status": "error"}},
    }
    assert "127.0.0.1" not in response.content.decode()
    # The operator finds the reason in the log.
    assert any("broker" in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_metrics_endpoint_exposes_scpln_and_django_metrics(client):
    text = client.get("/metrics").content.decode()
    assert "runs_total" in text
    assert "jobs_duration_seconds" in text
    assert "django_http_requests_total_by_method" in text


# --- The web UI's shared layout ---------------------------------------------------------


@pytest.fixture
def signed_in(client):
    client.force_login(User.objects.create_user("alice"))
    return client


@pytest.mark.django_db
def test_every_page_has_navigation_the_user_logout_api_docs_and_a_skip_link(signed_in):
    html = signed_in.get(reverse("jobs:list")).content.decode()
    for name in ("plans:list", "runs:list", "jobs:list", "scenarios:list", "scenarios:configs"):
        assert f'href="{reverse(name)}"' in html, name
    assert 'data-testid="nav-jobs" aria-current="page"' in html
    assert 'data-testid="nav-plans" aria-current' not in html
    assert '<span data-testid="signed-in-user">alice</span>' in html
    assert f'<form method="post" action="{reverse("logout")}">' in html
    assert f'href="{reverse("api:docs")}"' in html
    assert '<a class="skip-link" href="#content">' in html and '<main id="content"' in html
    assert f'href="{reverse("admin:index")}"' not in html


@pytest.mark.django_db
def test_staff_get_a_link_to_the_admin(client):
    client.force_login(User.objects.create_user("op", is_staff=True))
    assert f'href="{reverse("admin:index")}"' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("path", "section"),
    [("/ui/plans", "plans"), ("/ui/configs", "configs"), ("/ui/scenarios", "scenarios"), ("/", "")],
)
def test_navigation_marks_the_section_of_the_page(rf, path, section):
    from django.urls import resolve

    from core.context_processors import ui

    request = rf.get(path)
    request.resolver_match = resolve(path)
    assert ui(request)["nav_section"] == section


@pytest.mark.django_db
def test_logging_out_is_a_post_that_ends_the_session(signed_in):
    assert signed_in.post(reverse("logout")).status_code == 302
    assert signed_in.get(reverse("jobs:list")).status_code == 302


@pytest.mark.django_db
def test_language_switcher_switches_the_ui_to_japanese_and_back(signed_in):
    jobs = reverse("jobs:list")
    response = signed_in.post(reverse("set_language"), {"language": "ja", "next": jobs})
    assert response.status_code == 302 and response["Location"] == jobs

    html = signed_in.get(jobs, {"status": "exploded"}).content.decode()
    assert '<html lang="ja">' in html
    assert '<option value="ja" lang="ja" selected>' in html
    # Django's own catalogue answers in Japanese: the filter's error is translated.
    assert "exploded は候補にありません" in html

    signed_in.post(reverse("set_language"), {"language": "en", "next": jobs})
    assert '<html lang="en">' in signed_in.get(jobs).content.decode()


@pytest.mark.django_db
def test_timestamps_are_shown_in_the_planners_time_zone(signed_in):
    from datetime import UTC, datetime

    from jobs.tests.factories import JobFactory

    JobFactory.create(created_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))
    signed_in.cookies["scpln_tz"] = "Asia/Tokyo"
    html = signed_in.get(reverse("jobs:list")).content.decode()
    assert 'datetime="2026-01-05T23:30:00+00:00"' in html
    assert ">2026-01-06 08:30</time>" in html
    assert "Times are shown in Asia/Tokyo." in html

    # A cookie naming no real zone falls back to the server's zone instead of failing.
    signed_in.cookies["scpln_tz"] = "Mars/Olympus_Mons"
    html = signed_in.get(reverse("jobs:list")).content.decode()
    assert ">2026-01-05 23:30</time>" in html and "Times are shown in UTC." in html


@pytest.mark.django_db
def test_time_zone_page_saves_the_choice_and_goes_back(signed_in):
    url = reverse("timezone")
    assert signed_in.get(url, {"next": "/ui/jobs"}).status_code == 200

    response = signed_in.post(url, {"time_zone": "Europe/Berlin", "next": "/ui/jobs"})
    assert response.status_code == 302 and response["Location"] == "/ui/jobs"
    assert response.cookies["scpln_tz"].value == "Europe/Berlin"
    assert "Europe/Berlin" in signed_in.get("/ui/jobs").content.decode()

    elsewhere = signed_in.post(url, {"time_zone": "UTC", "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/"

    bad = signed_in.post(url, {"time_zone": "Nowhere/Land"})
    assert bad.status_code == 200
    assert "Nowhere/Land" in str(bad.context["form"].errors["time_zone"])

    back = signed_in.post(url, {"time_zone": "", "next": "/ui/jobs"})
    assert back.cookies["scpln_tz"].value == ""  # deleted: the browser's zone again


@pytest.mark.django_db
def test_chartjs_is_served_from_the_apps_own_static_files(signed_in):
    from django.contrib.staticfiles import finders

    path = finders.find("vendor/chartjs/chart.umd.min.js")
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        assert "Chart.js v4" in handle.read(200)
    html = signed_in.get(reverse("home")).content.decode()
    assert 'src="http' not in html and "cdn" not in html.lower()


def test_table_cells_and_chart_series_format_what_the_frames_hold():
    import math

    import pandas as pd

    from core.charts import series
    from core.tables import display_table

    frame = pd.DataFrame(
        {"week": ["2026-W01", "2026-W02", "2026-W03"], "qty": [1234.5, float("nan"), 7.0]}
    )
    table = display_table(frame, limit=2)
    assert table.truncated and table.total == 3 and table.shown == 2
    assert [column.numeric for column in table.columns] == [False, True]
    assert table.rows[0] == [("2026-W01", False), ("1,234.50", True)]
    assert table.rows[1][1] == ("", True)
    assert series([1.23456, math.nan, math.inf, "x", None]) == [1.235, None, None, None, None]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.25, "250 ms"), (12.34, "12.3 s"), (245, "4 min 5 s"), (7380, "2 h 3 min"), (None, "—")],
)
def test_durations_read_naturally(seconds, text):
    from core.templatetags.scpln_ui import duration

    assert duration(seconds) == text


@pytest.mark.parametrize("share", [0.25296, 0.99996, 0.5, 0.123449])
def test_a_share_reads_the_same_on_every_page(share):
    # Defect 5 of issue 11: the plan pages' |pct cut digits off (25.2 %) where the run pages
    # rounded (25.3 %). One rounding rule now serves both.
    from core.templatetags.scpln_ui import pct
    from runs.kpis import format_kpi

    assert pct(share) == format_kpi("fill_rate", share)
    assert pct(0.25296) == "25.3 %"


@pytest.mark.django_db
def test_missing_pages_and_refusals_keep_the_layout_and_say_why(signed_in):
    missing = signed_in.get(reverse("plans:detail", args=["pv-nothing"]))
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "No plan version pv-nothing." in html and 'data-testid="nav-plans"' in html
    # The error pages name themselves like every page: window title, trail and heading.
    assert "<title>Not found · scpln</title>" in html
    assert '<li aria-current="page">Not found</li>' in html and "<h1>Not found</h1>" in html

    assert "There is no page at /ui/nowhere." in signed_in.get("/ui/nowhere").content.decode()

    refused = signed_in.post(reverse("jobs:retry", args=[1]))
    assert refused.status_code == 403
    assert "You do not have permission to do this." in refused.content.decode()
    assert "<title>Not allowed · scpln</title>" in refused.content.decode()


@pytest.mark.django_db
def test_metrics_can_require_a_token_or_an_allowed_address(client, settings):
    settings.SCPLN_METRICS_TOKEN = "s3cret-scrape"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape")
    assert ok.status_code == 200 and "runs_total" in ok.content.decode()

    settings.SCPLN_METRICS_TOKEN = ""
    settings.SCPLN_METRICS_ALLOW = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    settings.SCPLN_METRICS_ALLOW = ["127.0.0.1/32"]
    assert client.get("/metrics").status_code == 200
