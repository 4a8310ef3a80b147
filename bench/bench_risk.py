"""Replication sets on real worker processes, and service-level optimisation at scale.

    .venv/bin/python -m bench.bench_risk [--n 1000] [--chunk 25] [--config NAME] [--skip-optimise]

Part 1 — scale-out. In a fresh SQLite database (a temporary folder, the embedded
filesystem broker) a reference config of ``../shared/reference/canonical`` is imported
(default ``multi_node_sample_6Mths``, 27 node-items over 181 days: the largest sample
there — there is no 12-month one), a plan is created and its planning job executed in
this process (so the version has its run); then a Celery worker is started with
``--concurrency 1``, a set of ``--n`` replications in chunks of ``--chunk`` is queued and
timed from the request to the set job's success; the worker is stopped and the same set
(same seed) is timed on a worker with ``--concurrency 2``. Printed: wall seconds for each,
seconds per replication, the speed-up and its ratio to the 1.8× target (two cores),
whether both sets gave the same mean fill rate (they must: same seed), and the speed-up
the bare engine gets from two processes on this machine right now (other load caps both).

Part 2 — optimisation. A 10,000 node-item network from the canonical generator (365 days)
is compiled outside the clock, then ``optimise_levels`` is timed (first guess, echelon
levels, replications before and after, refinement rounds), against the 5-minute target.

Wall-clock numbers on a shared machine: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.reference import CANONICAL, SAMPLES

ROOT = Path(__file__).resolve().parent.parent
TARGET_SPEED_UP = 1.8
TARGET_OPTIMISE_S = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="replications per set")
    parser.add_argument("--chunk", type=int, default=25, help="replications per chunk task")
    parser.add_argument("--config", choices=SAMPLES, default=SAMPLES[-1])
    parser.add_argument("--skip-optimise", action="store_true")
    parser.add_argument("--skip-scale-out", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    if not args.skip_scale_out:
        scale_out(args.config, args.n, args.chunk)
    if not args.skip_optimise:
        optimise()
    print(f"load average after: {os.getloadavg()}")


def scale_out(config_name: str, n: int, chunk: int) -> None:
    if not CANONICAL.is_dir():
        sys.exit(f"reference configs not found at {CANONICAL}")
    with tempfile.TemporaryDirectory(prefix="scpln-bench-risk-") as folder:
        env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")
        }
        env.pop("REDIS_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SCPLN_DATA_DIR=folder,
            SCPLN_DB=str(Path(folder) / "bench.db"),
            SCPLN_BROKER_DIR=str(Path(folder) / "broker"),
            SCPLN_REPLICATIONS_MAX=str(max(n, 10_000)),
            SCPLN_REPLICATION_CHUNK=str(chunk),
            SCPLN_BACKUP_CRON="off",
            SCPLN_RETENTION_CRON="off",
        )
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        version = _planned_version(config_name)
        timings = {}
        means = {}
        for concurrency in (1, 2):
            seconds, mean = _timed_set(version, n, concurrency, env, Path(folder))
            timings[concurrency], means[concurrency] = seconds, mean
            print(
                f"{config_name}: {n} replications in chunks of {chunk}, {concurrency} "
                f"process(es): {seconds:.1f} s ({1000 * seconds / n:.0f} ms a replication)"
            )
        speed_up = timings[1] / timings[2]
        verdict = "meets" if speed_up >= TARGET_SPEED_UP else "misses"
        print(
            f"speed-up {speed_up:.2f}× on 2 processes: {speed_up / TARGET_SPEED_UP:.2f} of the "
            f"{TARGET_SPEED_UP}× target ({verdict} it; {os.cpu_count()} CPUs here)"
        )
        print(f"same mean fill rate on 1 and 2 processes: {means[1] == means[2]} ({means[1]!r})")
        ceiling = _bare_engine_speed_up(CANONICAL / f"{config_name}.json", n=min(n, 200))
        print(
            f"the bare engine (no Celery, no database) in 2 processes: {ceiling:.2f}× here — "
            "what this machine allows now; the set's speed-up is measured against it "
            f"({speed_up / ceiling:.2f})"
        )


def _replicate_alone(args: tuple[str, int, int]) -> None:
    """Replications ``start … stop − 1`` of a config with the engine alone (seed 2026)."""
    import json

    from scpln.engine.canonical import load_config
    from scpln.engine.psi import compile_network
    from scpln.engine.risk import run_replication

    path, start, stop = args
    with open(path, encoding="utf-8") as handle:
        network = compile_network(load_config(json.load(handle)))
    for index in range(start, stop):
        run_replication(network, seed=2026, index=index)


def _import_engine() -> None:
    import scpln.engine.risk  # noqa: F401


def _bare_engine_speed_up(path: Path, *, n: int) -> float:
    """Wall time of ``n`` replications in one process over that in two (halves each)."""
    import multiprocessing

    timings = []
    for processes in (1, 2):
        bounds = [
            (str(path), k * n // processes, (k + 1) * n // processes) for k in range(processes)
        ]
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            pool.map(
                _replicate_alone, [(str(path), 0, 1)] * processes
            )  # imports, outside the clock
            started = time.perf_counter()
            pool.map(_replicate_alone, bounds)
            timings.append(time.perf_counter() - started)
    return timings[0] / timings[1]


def _planned_version(config_name: str):
    from jobs import runner
    from jobs.models import Job
    from plans.services import plan_create
    from scenarios.models import Scenario
    from scenarios.services import config_import

    config, _ = config_import(document=(CANONICAL / f"{config_name}.json").read_bytes())
    scenario, _ = Scenario.objects.get_or_create(name="Base")
    version = plan_create(name=f"{config_name} risk", base_scenario=scenario, config_version=config)
    job = runner.run(version.jobs.get(type="planning").pk)
    if job is None or job.status != Job.Status.SUCCEEDED:
        sys.exit(f"planning job did not succeed: {job and job.error}")
    return version


def _timed_set(version, n: int, concurrency: int, env: dict, folder: Path) -> tuple[float, float]:
    from jobs.models import Job
    from risk import selectors
    from risk.services import replication_set_create

    log = (folder / f"worker-{concurrency}.log").open("w")
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "WARNING"]
    command += ["--concurrency", str(concurrency), "--without-mingle", "--without-gossip"]
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(5)  # the worker's start is not what is measured
        started = time.perf_counter()
        replication_set = replication_set_create(plan_version=version, n=n, seed=2026)
        job_id = replication_set.job_id
        assert job_id is not None
        while True:
            job = Job.objects.get(pk=job_id)
            if job.status in Job.TERMINAL:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        if job.status != Job.Status.SUCCEEDED:
            sys.exit(f"replication set failed: {job.error}")
        fresh = selectors.replication_set_get(plan_version_id=version.pk, set_id=replication_set.pk)
        summary = selectors.replication_set_summary(replication_set=fresh)
        return seconds, summary.kpis["fill_rate"]["mean"]
    finally:
        worker.terminate()
        worker.wait(timeout=120)
        log.close()


def optimise() -> None:
    from scpln.engine.canonical import load_config
    from scpln.engine.canonical.generator import generate_config
    from scpln.engine.psi import compile_network
    from scpln.engine.risk.optimise import optimise_levels

    document = generate_config(skus=50, stores=190, dcs=10, factories=5, days=365, seed=1)
    network = compile_network(load_config(document))
    started = time.perf_counter()
    result = optimise_levels(network, seed=1, n=10)
    seconds = time.perf_counter() - started
    sized = len(result.stores.ni) + len(result.warehouses.ni)
    print(
        f"optimise: {network.size} node-items ({sized} sized), 365 days, 10 replications a "
        f"round, {result.rounds} refinement round(s), targets reached: {result.reached}: "
        f"{seconds:.1f} s ({seconds / TARGET_OPTIMISE_S:.2f} of the 5-minute target)"
    )
    target = result.stores.target
    short_before = result.before.service + result.before.half_width < target
    short_after = result.after.service + result.after.half_width < target
    raised = result.levels[result.warehouses.ni] > result.first_guess[result.warehouses.ni]
    print(
        f"  stores short of their target (mean + 95 % half-width below it): "
        f"{short_before.sum()} → {short_after.sum()} of {len(target)}; "
        f"warehouse levels raised by the refinement: {raised.sum()} of {len(raised)}"
    )
    before, after = result.before.kpis, result.after.kpis
    print(
        f"  avg on-hand {before['avg_on_hand'].mean:,.0f} → {after['avg_on_hand'].mean:,.0f}; "
        f"fill rate {before['fill_rate'].mean:.4f} → {after['fill_rate'].mean:.4f}"
    )


if __name__ == "__main__":
    main()
