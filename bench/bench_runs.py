"""RunRegistry speed with 100,000 runs, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.bench_runs [--runs 100000] [--samples 40] [--only sqlite|postgres]

For each database, a child process builds a fresh registry of ``--runs`` runs
(each with a stored result), then measures the median server time — the
request handled in-process by Django, authentication included — of:

- ``GET /runs?plan_version_id=…`` (a plan version with ~500 runs),
- the first page of ``GET /runs``,
- recording a run (``run_record``: run + Parquet result + retention) with
  ``RUNS_DB_MAX_ROWS`` equal to the table size, so every recording prunes one.

Targets: 50 ms for the two lists, 20 ms for recording. SQLite lives in a
temporary folder; PostgreSQL is ``postgres://postgres@127.0.0.1:5432/bench_runs``
(``BENCH_DATABASE_URL`` overrides; the database is dropped and created again).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.django_setup import migrated

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_runs")
TARGETS_MS = {"list_by_plan_version": 50.0, "list_first_page": 50.0, "record_with_retention": 20.0}
PLAN_VERSIONS = 200
SCENARIOS = 20


def main() -> None:
    measured = per_database(
        __doc__, "bench.bench_runs", samples=40, pg_url=PG_URL, measure=_measure
    )
    if measured is not None:
        _report(*measured)


def per_database(
    doc: str | None,
    module: str,
    *,
    samples: int,
    pg_url: str,
    measure: Callable[[int, int], dict],
) -> tuple[dict[str, dict | None], int] | None:
    """The command line of the benchmarks that measure a registry on each database.

    As ``--child DATABASE``, measure and print the JSON (None: nothing to report);
    else run a child per database asked for and return their results by database,
    with the number of runs, for the report.
    """
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=samples)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.runs, args.samples)))
        return None
    results = {
        database: spawn_child(module, database, args, pg_url=pg_url)
        for database in ("sqlite", "postgres")
        if not args.only or args.only == database
    }
    return results, args.runs


def spawn_child(
    module: str, database: str, args: argparse.Namespace, *, pg_url: str
) -> dict | None:
    """Run ``module --child DATABASE`` in a fresh data folder and return the JSON it prints.

    A child per database keeps one database's caches and memory out of the other's numbers;
    None when PostgreSQL cannot be reached (the SQLite numbers still count).
    """
    with tempfile.TemporaryDirectory(prefix="scpln-bench-") as folder:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RUNS_DB_MAX_ROWS")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SCPLN_DATA_DIR=folder,
            REGISTRY_BACKEND="db",
            DJANGO_DEBUG="0",
        )
        if database == "sqlite":
            env["SCPLN_DB"] = str(Path(folder) / "bench.db")
        else:
            try:
                _recreate_postgres_database(pg_url)
            except Exception as exc:  # report and go on with the other database
                print(f"postgres: skipped ({exc})", file=sys.stderr)
                return None
            env["DATABASE_URL"] = pg_url
        print(f"{database}: building {args.runs:,} runs and measuring …", file=sys.stderr)
        started = time.perf_counter()
        command = [sys.executable, "-m", module, "--child", database]
        command += ["--runs", str(args.runs), "--samples", str(args.samples)]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"{database}: benchmark failed")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["wall_s"] = round(time.perf_counter() - started, 1)
        return result


def _recreate_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _report(results: dict, runs: int) -> None:
    report(
        f"RunRegistry benchmark: {runs:,} runs, median server time (ms), ratio = median/target",
        "measure",
        TARGETS_MS,
        results,
    )


def report(title: str, heading: str, targets: dict[str, float], results: dict) -> None:
    """One line per measure: its target, then each database's median and its ratio to it."""
    print(f"\n{title}")
    print(f"{heading:<24}{'target':>8}" + "".join(f"{db:>22}" for db in results))
    for key, target in targets.items():
        line = f"{key:<24}{target:>8.0f}"
        for result in results.values():
            if result is None:
                line += f"{'skipped':>22}"
                continue
            ms = result["median_ms"][key]
            line += f"{ms:>12.2f} ({ms / target:>5.2f}×)"
        print(line)
    for db, result in results.items():
        if result:
            extra = ", ".join(f"{k}={v}" for k, v in result["info"].items())
            print(f"{db}: {extra}; seeding {result['seed_s']} s, total {result['wall_s']} s")


# --- the child: one database ---------------------------------------------------------


def set_up_child(n_runs: int) -> tuple[dict, float]:
    """In a child: Django on its fresh database, migrated and seeded with ``n_runs``
    runs; returns what the seeding reports and the seconds it took."""
    migrated()
    started = time.perf_counter()
    info = _seed(n_runs)
    return info, round(time.perf_counter() - started, 1)


def _measure(n_runs: int, samples: int) -> dict:
    info, seed_s = set_up_child(n_runs)
    median = {
        "list_by_plan_version": _time_get(
            f"/runs?plan_version_id={info['plan_version_id']}", samples
        ),
        "list_first_page": _time_get("/runs", samples),
        "record_with_retention": _time_record(n_runs, samples),
    }
    from runs.models import Run

    info["runs_after"] = Run.objects.count()
    return {"median_ms": median, "info": info, "seed_s": seed_s}


def _seed(n_runs: int) -> dict:
    import random
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from core.tokens import api_token_issue
    from plans.models import Plan, PlanVersion
    from runs.columnar import frame_to_parquet
    from runs.models import Run, RunResult
    from runs.tests.factories import pl_frame, psi_frame, trace_frame
    from scenarios.models import ConfigVersion, Scenario

    rng = random.Random(20261127)
    config = ConfigVersion.objects.create(
        name="bench",
        schema_version="canonical-1.0",
        document={"meta": {}},
        content_hash="bench",
        horizon_days=90,
    )
    scenarios = Scenario.objects.bulk_create(
        [Scenario(name=f"scenario {i:02d}") for i in range(SCENARIOS)]
    )
    plan = Plan.objects.create(name="bench plan")
    versions = PlanVersion.objects.bulk_create(
        [
            PlanVersion(
                plan=plan,
                number=i + 1,
                base_scenario=scenarios[i % SCENARIOS],
                config_version=config,
            )
            for i in range(PLAN_VERSIONS)
        ]
    )
    psi, pl, trace = (frame_to_parquet(f) for f in (psi_frame(30), pl_frame(30), trace_frame(30)))
    now = timezone.now()
    batch = 5000
    for offset in range(0, n_runs, batch):
        runs, results = [], []
        for i in range(offset, min(offset + batch, n_runs)):
            pv = versions[i % PLAN_VERSIONS]
            fill = rng.uniform(0.6, 1.0)
            run = Run(
                plan_version=pv,
                scenario_id=pv.base_scenario_id,
                config_version=config,
                started_at=now - timedelta(seconds=(n_runs - i) * 300),
                finished_at=now - timedelta(seconds=(n_runs - i) * 300 - 2),
                duration_ms=rng.randint(200, 5000),
                fill_rate=fill,
                cycle_service_level=fill - 0.05,
                avg_on_hand=rng.uniform(50, 500),
                avg_backlog=rng.uniform(0, 20),
                shortage_total=rng.uniform(0, 1000),
                profit_total=rng.uniform(-1e4, 1e5),
                summary={"fill_rate": fill, "costs_by_account": {"storage": 1.0}},
                engine_version="1.0.0",
                input_hash="x" * 64,
                horizon_days=30,
            )
            runs.append(run)
            results.append(
                RunResult(
                    run=run,
                    schema_version="psi-1.0",
                    psi=psi,
                    pl=pl,
                    trace=trace,
                    psi_rows=60,
                    pl_rows=30,
                    trace_rows=60,
                )
            )
        with transaction.atomic():
            Run.objects.bulk_create(runs)
            RunResult.objects.bulk_create(results)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            # Fold the seeding's write-ahead log into the database, as a server
            # that has been running for a while has.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    user = User.objects.create_user("bench")
    _state["token"] = api_token_issue(user=user)[1]
    _state["plan_version"] = versions[7]
    return {
        "database": connection.vendor,
        "runs": Run.objects.count(),
        "plan_version_id": versions[7].pk,
        "runs_per_plan_version": n_runs // PLAN_VERSIONS,
    }


_state: dict = {}


def _time_get(path: str, samples: int) -> float:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {_state['token']}")
    times = []
    for i in range(samples + 3):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:500]
        if i >= 3:  # warm-up
            times.append(elapsed)
    return round(statistics.median(times), 2)


def _time_record(n_runs: int, samples: int) -> float:
    from django.test import override_settings

    from runs.models import Run
    from runs.tests.factories import fake_result, record

    pv = _state["plan_version"]
    result = fake_result(days=30)
    times = []
    with override_settings(RUNS_DB_MAX_ROWS=n_runs):
        for i in range(samples + 3):
            started = time.perf_counter()
            record(pv, result=result)
            elapsed = (time.perf_counter() - started) * 1000
            if i >= 3:
                times.append(elapsed)
    assert Run.objects.count() == n_runs, "retention must hold the table at its cap"
    return round(statistics.median(times), 2)


if __name__ == "__main__":
    main()
