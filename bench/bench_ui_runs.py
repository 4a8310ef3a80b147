"""Run history page (``/ui/runs``) speed with 100,000 runs, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.bench_ui_runs [--runs 100000] [--samples 30] [--only sqlite|postgres]

For each database, a child process builds a fresh registry of ``--runs`` runs
with :mod:`bench.bench_runs`'s builder (200 plan versions, 20 scenarios, every
run with a stored result), signs a planner in, and measures the median server
time — the request handled in-process by Django: middleware, session, the
FilterSet, the count and page queries and the template — of these pages:

- ``first_page``: ``/ui/runs`` (newest 50);
- ``by_plan_version``: ``?plan_version_id=…`` (a version with ~500 runs);
- ``by_scenario_name``: ``?scenario_name=scenario 07`` (contains, ~5,000 runs);
- ``sorted_by_fill_rate``: ``?ordering=-fill_rate``;
- ``combined_filters``: status, pinned, a start-date range and a sort by profit;
- ``last_page``: ``?page=last`` (the deepest offset).

Target: 150 ms each. It also reports how long the CSV of all runs takes to
stream (``export_all_s``), without a target. SQLite lives in a temporary folder; PostgreSQL is
``postgres://postgres@127.0.0.1:5432/bench_ui`` (``BENCH_UI_DATABASE_URL``
overrides; the database is dropped and created again).
"""

from __future__ import annotations

import os
import statistics
import time

from bench.bench_runs import per_database, report, set_up_child

PG_URL = os.environ.get("BENCH_UI_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_ui")
TARGET_MS = 150.0
PAGES = (
    "first_page",
    "by_plan_version",
    "by_scenario_name",
    "sorted_by_fill_rate",
    "combined_filters",
    "last_page",
)


def main() -> None:
    measured = per_database(
        __doc__, "bench.bench_ui_runs", samples=30, pg_url=PG_URL, measure=_measure
    )
    if measured is None:
        return
    results, runs = measured
    _report(results, runs)
    if any(r and max(r["median_ms"].values()) > TARGET_MS for r in results.values()):
        raise SystemExit(1)


def _report(results: dict, runs: int) -> None:
    report(
        f"/ui/runs benchmark: {runs:,} runs, median server time (ms), "
        f"ratio = median/target ({TARGET_MS:.0f} ms)",
        "page",
        dict.fromkeys(PAGES, TARGET_MS),
        results,
    )


# --- the child: one database ---------------------------------------------------------


def _measure(n_runs: int, samples: int) -> dict:
    info, seed_s = set_up_child(n_runs)
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    client = Client()
    client.force_login(User.objects.get(username="bench"))
    since = (timezone.now() - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M")
    queries = {
        "first_page": {},
        "by_plan_version": {"plan_version_id": info["plan_version_id"]},
        "by_scenario_name": {"scenario_name": "scenario 07"},
        "sorted_by_fill_rate": {"ordering": "-fill_rate"},
        "combined_filters": {
            "status": "succeeded",
            "pinned": "false",
            "started_after": since,
            "ordering": "-profit_total",
        },
        "last_page": {"page": "last"},
    }
    median = {}
    rows = {}
    query_counts = {}
    for key in PAGES:
        median[key], rows[key] = _time_get(client, "/ui/runs", queries[key], samples)
        with CaptureQueriesContext(connection) as ctx:
            client.get("/ui/runs", queries[key])
        query_counts[key] = len(ctx.captured_queries)
    info["rows_shown"] = rows["first_page"]
    info["queries_per_page"] = max(query_counts.values())
    # The CSV of every run streams (no target: it is a download, not a page).
    started = time.perf_counter()
    response = client.get("/ui/runs/export")
    lines = sum(chunk.count(b"\n") for chunk in response)
    info["export_all_s"] = round(time.perf_counter() - started, 2)
    info["export_lines"] = lines
    return {"median_ms": median, "info": info, "seed_s": seed_s}


def _time_get(client, path: str, params: dict, samples: int) -> tuple[float, int]:
    times = []
    for i in range(samples + 3):
        started = time.perf_counter()
        response = client.get(path, params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:500]
        if i >= 3:  # warm-up
            times.append(elapsed)
    rows = response.content.count(b"<tr data-run-id=")
    assert rows, f"{path} {params}: no rows on the page"
    return round(statistics.median(times), 2), rows


if __name__ == "__main__":
    main()
