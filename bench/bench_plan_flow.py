"""Plan & Run end to end: create a plan on a reference config, generate it, run it.

    .venv/bin/python -m bench.bench_plan_flow [--repeat 7] [--config NAME]
    .venv/bin/python -m bench.bench_plan_flow --generated 200k [--repeat 3]

In a fresh SQLite database (a temporary folder) the reference configs of
``../shared/reference/canonical`` are imported as they are; then, ``--repeat``
times per config, a plan is created (validation, plan, version, job) and its
planning job is executed in this process exactly as a worker executes it
(claim → aggregate → allocate → MRP → reconcile → plan_final → plan-driven PSI
simulation → run recorded). Reported per config: the median of the job's own
time (``finished_at − started_at``, what a worker spends) and of the request
side (``plan_create``), against the 2 s target for job time.

``--generated SIZE`` runs the same flow on one of ``bench.bench_engine``'s generated
networks instead (10k, 50k or 200k node-items × 365 days, seed 1), against issue 15's
target for the planning job on the 200k network (30 s, exceptions included), and prints
the job's own stage times and the process's peak RSS; the installation's size limits
are lifted for it (a 200k network has more demand rows than the default allows).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.django_setup import django_ready
from bench.reference import CANONICAL, SAMPLES

TARGET_JOB_S = 2.0
TARGET_GENERATED_JOB_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--config", choices=SAMPLES, action="append")
    parser.add_argument("--generated", choices=("10k", "50k", "200k"), metavar="SIZE")
    args = parser.parse_args()
    if not args.generated and not CANONICAL.is_dir():
        sys.exit(f"reference configs not found at {CANONICAL}")
    with tempfile.TemporaryDirectory(prefix="scpln-bench-flow-") as folder:
        django_ready(folder)
        if args.generated:
            _generated(args.generated, args.repeat)
            return
        rows = [_measure(name, args.repeat) for name in args.config or SAMPLES]
    print(f"{'config':<26}{'job median s':>14}{'job max s':>11}{'create ms':>11}{'x target':>10}")
    for name, job_s, job_max, create_ms in rows:
        ratio = job_s / TARGET_JOB_S
        print(f"{name:<26}{job_s:>14.3f}{job_max:>11.3f}{create_ms:>11.1f}{ratio:>10.2f}")


def _measure(name: str, repeat: int) -> tuple[str, float, float, float]:
    from scenarios.services import config_import

    config, _ = config_import(document=(CANONICAL / f"{name}.json").read_bytes())
    jobs = [_plan_and_run(config, f"{name} #{n}", n) for n in range(repeat)]
    job_times = [job_s for job_s, _, _ in jobs]
    return (
        name,
        statistics.median(job_times),
        max(job_times),
        1000 * statistics.median(create_s for _, create_s, _ in jobs),
    )


def _plan_and_run(config: Any, name: str, n: int) -> tuple[float, float, dict[str, Any]]:
    """Create a plan on ``config`` and run its planning job as a worker does: the job's
    own seconds, the request side's seconds and the job's result (its stage times)."""
    from jobs import runner
    from jobs.models import Job
    from plans.services import plan_create
    from scenarios.models import Scenario

    scenario, _ = Scenario.objects.get_or_create(name="Base")
    started = time.perf_counter()
    version = plan_create(
        name=name,
        base_scenario=scenario,
        config_version=config,
        parameters={"recon_window_days": 7 + n},  # distinct requests, no deduplication
    )
    create_s = time.perf_counter() - started
    job = runner.run(version.jobs.get(type="planning").pk)
    if job is None or job.status != Job.Status.SUCCEEDED:
        sys.exit(f"{name}: planning job did not succeed: {job and job.error}")
    assert job.finished_at is not None and job.started_at is not None  # it succeeded
    return (job.finished_at - job.started_at).total_seconds(), create_s, job.result or {}


def _generated(size_name: str, repeat: int) -> None:
    from django.test import override_settings

    from bench.bench_engine import SIZES
    from scenarios.services import config_import

    size = next(size for size in SIZES if size.name == size_name)
    print(f"load average before: {_load()}", flush=True)
    document = size.document()
    unlimited = {
        name: 10**12
        for name in (
            "SCPLN_MAX_UPLOAD_BYTES",
            "SCPLN_MAX_CONFIG_NODES",
            "SCPLN_MAX_CONFIG_ITEMS",
            "SCPLN_MAX_DEMAND_ROWS",
        )
    }
    with override_settings(**unlimited):
        started = time.perf_counter()
        config, _ = config_import(document=document)
        import_s = time.perf_counter() - started
        del document
        jobs = [_plan_and_run(config, f"{size_name} #{n}", n) for n in range(repeat)]
    job_s = statistics.median(job for job, _, _ in jobs)
    print(
        f"{size_name}: config import {import_s:.1f} s (a service call, not timed against a target)"
    )
    print(
        f"planning job median {job_s:.1f} s of {[round(job, 1) for job, _, _ in jobs]}, "
        f"x target {job_s / TARGET_GENERATED_JOB_S:.2f} (target {TARGET_GENERATED_JOB_S:.0f} s)"
    )
    print(f"  last job's stage seconds: {jobs[-1][2].get('stage_seconds')}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak RSS of this process {peak:.2f} GB; load average after: {_load()}")


def _load() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0]


if __name__ == "__main__":
    main()
