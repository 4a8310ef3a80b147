"""Planning pipeline speed: the reference input set, then generated sets ×1, ×10, ×100, ×1000.

Run from the repository root::

    .venv/bin/python -m bench.bench_planning [--repeat N] [--max-scale 1000] [--network]

Each size runs the whole pipeline in process (after one warm-up run) ``--repeat`` times and
reports the fastest run, per stage and in total, with µs per SKU-week and the time ratio to
the ×1 size next to the SKU-week ratio: linear growth shows as the two ratios growing
together (fixed per-call costs make small sizes look worse per SKU-week). The machine is
shared, so the fastest of several runs is the fair number. ``--network`` gives the generated
sets a ``network`` table as a canonical config does (target stock, distribution lead times,
stranded stock and components nothing supplies), so the plan's target netting and its
prediction of the run are timed too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from bench.reference import PLANNING
from scpln.engine.planning import (
    STAGES,
    PlanningInputs,
    PlanParameters,
    PlanResult,
    generate_planning_inputs,
    load_planning_inputs,
    run_pipeline,
)

# The generated ×1 set is the reference's shape: 2 families, 2 SKUs each, 12 months.
BASE_FAMILIES, SKUS_PER_FAMILY, PERIODS = 2, 2, 12


def _best(inputs: PlanningInputs, params: PlanParameters, repeat: int) -> tuple[float, PlanResult]:
    run_pipeline(inputs, params)
    best: tuple[float, PlanResult] | None = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run_pipeline(inputs, params)
        elapsed = time.perf_counter() - began
        if best is None or elapsed < best[0]:
            best = (elapsed, result)
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-scale", type=int, default=1000)
    parser.add_argument(
        "--network", action="store_true", help="generated sets carry a network table"
    )
    args = parser.parse_args()

    sizes: list[tuple[str, PlanningInputs]] = []
    if PLANNING.is_dir():
        sizes.append(("reference", load_planning_inputs(PLANNING)))
    scale = 1
    while scale <= args.max_scale:
        inputs = generate_planning_inputs(
            families=BASE_FAMILIES * scale,
            skus_per_family=SKUS_PER_FAMILY,
            periods=PERIODS,
            network=args.network,
        )
        sizes.append((f"x{scale}", inputs))
        scale *= 10

    stages = [stage.name for stage in STAGES]
    header = (
        f"{'size':>9} {'families':>8} {'SKUs':>6} {'weeks':>5} {'SKU-weeks':>9}  "
        + " ".join(f"{name:>10}" for name in stages)
        + f" {'total s':>8} {'µs/SKU-wk':>9} {'x SKU-wk':>8} {'x time':>7}"
    )
    print(header)
    base: tuple[int, float] | None = None
    for label, inputs in sizes:
        params = PlanParameters(cutover_date=inputs.calendar.start + dt.timedelta(days=90))
        repeat = args.repeat if len(inputs.skus) < 2000 else max(1, args.repeat // 2)
        total, result = _best(inputs, params, repeat)
        weeks = len(inputs.calendar.weeks)
        sku_weeks = len(inputs.skus) * weeks
        if label == "x1":
            base = (sku_weeks, total)
        ratios = (
            f"{sku_weeks / base[0]:>8.0f} {total / base[1]:>7.1f}" if base else f"{'':>8} {'':>7}"
        )
        print(
            f"{label:>9} {len(inputs.families):>8} {len(inputs.skus):>6} {weeks:>5} "
            f"{sku_weeks:>9}  "
            + " ".join(f"{result.seconds[name]:>10.4f}" for name in stages)
            + f" {total:>8.4f} {total / sku_weeks * 1e6:>9.1f} {ratios}"
        )


if __name__ == "__main__":
    main()
