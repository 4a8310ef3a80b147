"""The planning workbench at size: a 10,000-SKU detail plan × 53 weeks.

    .venv/bin/python -m bench.bench_workbench [--skus 10000] [--samples 7]

In a fresh SQLite database (a temporary folder; ``BENCH_DATABASE_URL`` picks PostgreSQL
instead) a generated input set of ``--skus`` SKUs (10 per family) over 12 months — 53 ISO
weeks — is planned by the engine and stored as an executed plan version. Then, as the median
of ``--samples`` server-side timings (the request handled in-process by Django: session,
view, selectors, template or serializer):

- ``grid_first_page_ms``: ``/ui/plans/<id>/psi?level=detail``, the first page (50 SKUs × 6
  measures × 53 weeks) rendered by the server (target < 300 ms);
- ``grid_api_page_ms``: the same page from ``GET /plans/<id>/psi`` (JSON);
- ``patch_1000_cells_ms``: ``PATCH /plans/<id>/psi`` setting 1,000 SKU-week cells of the
  draft in one transaction (target < 300 ms);
- ``recalculation_s`` (target < 2 s): the recalculation job's planning work on the draft, and
  its parts (``recalc_*_s``, each the median of its own samples):
  ``read`` (the stored tables, the sheet, its edits and locks) → ``mrp`` → ``reconcile`` (with
  the pinned cells) → ``plan_final`` → ``store`` (every stage's table written, one
  transaction). **Not included**: the plan-driven simulation and the run recording that the
  job does next (``plan_version_simulate``, shared with the planning job): this generated
  plan has no canonical network behind it (its 10,000 SKUs are made by no factory of the
  bench's config), so the job records no run here; bench/bench_plan_flow.py measures a
  planning job with its simulation.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from bench.django_setup import django_ready

TARGETS = {"grid_first_page_ms": 300.0, "patch_1000_cells_ms": 300.0, "recalculation_s": 2.0}
PARTS = ("read", "mrp", "reconcile", "plan_final", "store")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scpln-bench-workbench-") as folder:
        django_ready(folder, database_url=os.environ.get("BENCH_DATABASE_URL"))
        results = _measure(args.skus, args.samples)
    print(f"workbench benchmark: {args.skus:,} SKUs × 53 weeks, median of {args.samples}")
    failed = False
    for name, value in results.items():
        target = TARGETS.get(name)
        ratio = f"{value / target:.2f} of target" if target else ""
        failed |= bool(target and value > target)
        print(f"{name:<24}{value:>10.3f}  {ratio}")
    print(
        "recalculation = read → mrp → reconcile → plan_final → store; the plan-driven "
        "simulation and the run recording are not in it (see the module docstring)"
    )
    if failed:
        raise SystemExit(1)


def _median(samples: int, step) -> float:
    times = []
    for i in range(samples):
        began = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _measure(skus: int, samples: int) -> dict[str, float]:
    import datetime as dt

    from django.contrib.auth.models import User
    from django.db import transaction
    from django.test import Client

    from plans.models import Plan, PlanVersion
    from plans.services.artifacts import artifact_write
    from plans.workbench.recalculation import recalculated_stages, stages_store
    from scenarios.models import Scenario
    from scenarios.services import config_import
    from scpln.engine.canonical.generator import NetworkShape, generate_config
    from scpln.engine.planning import default_parameters, generate_planning_inputs, run_pipeline

    inputs = generate_planning_inputs(
        families=skus // 10, skus_per_family=10, periods=12, start=dt.date(2025, 1, 1)
    )
    params = default_parameters(inputs)
    result = run_pipeline(inputs, params)
    config, _ = config_import(
        document=generate_config(
            **NetworkShape(skus=2, stores=1, dcs=1, factories=1, materials=1, days=30, seed=1)
        ),
        name="bench network",
    )
    user = User.objects.create_superuser("bench")
    version = PlanVersion.objects.create(
        plan=Plan.objects.create(name="bench"),
        number=1,
        base_scenario=Scenario.objects.create(name="bench"),
        config_version=config,
        state=PlanVersion.State.EXECUTED,
    )
    for kind, frames in result.artifacts().items():
        for name, frame in frames.items():
            artifact_write(plan_version=version, kind=kind, name=name, frame=frame)
    weeks = sorted(set(result.allocation.sku_week["week"]))
    assert len(weeks) == 53, len(weeks)
    client = Client()
    client.force_login(user)
    out: dict[str, float] = {}

    def page(_: int) -> None:
        response = client.get(f"/ui/plans/{version.pk}/psi?level=detail")
        assert response.status_code == 200, response.status_code

    def api_page(_: int) -> None:
        response = client.get(f"/plans/{version.pk}/psi?level=detail")
        assert response.status_code == 200, response.status_code

    page(0)
    out["grid_first_page_ms"] = 1000 * _median(samples, page)
    out["grid_api_page_ms"] = 1000 * _median(samples, api_page)

    first = client.patch(
        f"/plans/{version.pk}/psi",
        {"revision": 0, "edits": [_edit(0, weeks, 0)]},
        content_type="application/json",
    )
    assert first.status_code == 200, first.content
    draft = PlanVersion.objects.get(pk=first.json()["plan_version_id"])

    def patch(i: int) -> None:
        edits = [_edit(n, weeks, i + 1) for n in range(1000)]
        response = client.patch(
            f"/plans/{draft.pk}/psi",
            {"revision": i + 1, "edits": edits, "note": "bench"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content[:300]

    out["patch_1000_cells_ms"] = 1000 * _median(samples, patch)

    laps: list[dict[str, float]] = []

    def recalculate(_: int) -> None:
        seconds: dict[str, float] = {}
        stages = recalculated_stages(draft, inputs, params, seconds=seconds)
        began = time.perf_counter()
        with transaction.atomic():
            stages_store(draft, stages)
        seconds["store"] = time.perf_counter() - began
        laps.append(seconds)

    out["recalculation_s"] = _median(samples, recalculate)
    for part in PARTS:
        out[f"recalc_{part}_s"] = statistics.median(lap[part] for lap in laps)
    return out


def _edit(n: int, weeks: list[str], round_: int) -> dict:
    """The n-th of 1,000 cells: 250 SKUs × 4 weeks, a new value each round."""
    return {
        "key": f"sku:S{n // 4 + 1:05d}",
        "measure": "demand",
        "period": weeks[(n % 4) * 10],
        "value": 10 + round_,
    }


if __name__ == "__main__":
    main()
