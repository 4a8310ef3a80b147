"""Plan & Run end to end: create a plan on a reference config, generate it, run it.

    .venv/bin/python -m bench.bench_plan_flow [--repeat 7] [--config NAME]

In a fresh SQLite database (a temporary folder) the reference configs of
``../shared/reference/canonical`` are imported as they are; then, ``--repeat``
times per config, a plan is created (validation, plan, version, job) and its
planning job is executed in this process exactly as a worker executes it
(claim → aggregate → allocate → MRP → reconcile → plan_final → plan-driven PSI
simulation → run recorded). Reported per config: the median of the job's own
time (``finished_at − started_at``, what a worker spends) and of the request
side (``plan_create``), against the 2 s target for job time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.django_setup import django_ready

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "canonical"
CONFIGS = ("mono_node_sample_2Mths", "multi_node_sample_3Mths", "multi_node_sample_6Mths")
TARGET_JOB_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--config", choices=CONFIGS, action="append")
    args = parser.parse_args()
    if not REFERENCE.is_dir():
        sys.exit(f"reference configs not found at {REFERENCE}")
    with tempfile.TemporaryDirectory(prefix="scpln-bench-flow-") as folder:
        django_ready(folder)
        rows = [_measure(name, args.repeat) for name in args.config or CONFIGS]
    print(f"{'config':<26}{'job median s':>14}{'job max s':>11}{'create ms':>11}{'x target':>10}")
    for name, job_s, job_max, create_ms in rows:
        ratio = job_s / TARGET_JOB_S
        print(f"{name:<26}{job_s:>14.3f}{job_max:>11.3f}{create_ms:>11.1f}{ratio:>10.2f}")


def _measure(name: str, repeat: int) -> tuple[str, float, float, float]:
    from jobs import runner
    from jobs.models import Job
    from plans.services import plan_create
    from scenarios.models import Scenario
    from scenarios.services import config_import

    config, _ = config_import(document=(REFERENCE / f"{name}.json").read_bytes())
    scenario, _ = Scenario.objects.get_or_create(name="Base")
    job_times, create_times = [], []
    for n in range(repeat):
        started = time.perf_counter()
        version = plan_create(
            name=f"{name} #{n}",
            base_scenario=scenario,
            config_version=config,
            parameters={"recon_window_days": 7 + n},  # distinct requests, no deduplication
        )
        create_times.append(time.perf_counter() - started)
        job = runner.run(version.jobs.get(type="planning").pk)
        if job is None or job.status != Job.Status.SUCCEEDED:
            sys.exit(f"{name}: planning job did not succeed: {job and job.error}")
        assert job.finished_at is not None and job.started_at is not None  # it succeeded
        job_times.append((job.finished_at - job.started_at).total_seconds())
    return (
        name,
        statistics.median(job_times),
        max(job_times),
        1000 * statistics.median(create_times),
    )


if __name__ == "__main__":
    main()
