"""What computing a run's exceptions adds to the run, per network size (target: < 10 %).

    .venv/bin/python -m bench.bench_exceptions [--only 200k] [--repeat N]

The sizes are bench_engine's (the reference configs, generated 10k, 50k and 200k
node-item networks over 365 days). Each run happens in a child process of its own:
it builds the config outside the clock, times one deterministic ``simulate`` (compile,
day loop, outputs, KPIs — what the planning job pays for the run) and then
``run_exceptions`` on its result, as the exceptions app does when the run is recorded.
Printed: node-items, the run's seconds, the exceptions' seconds, their ratio, how many
exceptions were found, and the extra peak memory the exceptions took. Wall-clock numbers
on a shared machine: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_engine import SIZES, Size

TARGET = 0.10
GB = 1024**3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="SIZE", help="run one size (e.g. 200k)")
    parser.add_argument("--quick", action="store_true", help="skip the 200k size")
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="runs per size")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child)))
        return
    sizes = [s for s in SIZES if args.only in (None, s.name)]
    sizes = [s for s in sizes if not (args.quick and s.name == "200k")]
    print(f"load average before: {_load()}  (cpus: {os.cpu_count()})")
    print(
        f"{'size':<32}{'node-items':>11}{'run s':>9}{'exceptions s':>14}{'added':>8}"
        f"{'found':>8}{'extra GB':>10}{'added/target':>14}"
    )
    for size in sizes:
        for _ in range(args.repeat):
            row = _spawn(size)
            added = row["exceptions"] / row["run"]
            print(
                f"{size.name:<32}{row['node_items']:>11,}{row['run']:>9.3f}"
                f"{row['exceptions']:>14.3f}{added:>8.1%}{row['found']:>8,}"
                f"{row['extra'] / GB:>10.3f}{added / TARGET:>14.2f}",
                flush=True,
            )
    print(f"load average after:  {_load()}")


def _spawn(size: Size) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_exceptions", "--child", json.dumps(size.__dict__)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(spec: str) -> dict:
    from scpln.engine.exceptions import run_exceptions
    from scpln.engine.psi import simulate

    size = Size(**json.loads(spec))
    config = size.config()
    gc.collect()
    start = time.perf_counter()
    result = simulate(config)
    simulated = time.perf_counter()
    peak_run = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    found = run_exceptions(result.raw)
    end = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "node_items": result.raw.network.size,
        "run": simulated - start,
        "exceptions": end - simulated,
        "found": len(found),
        "extra": peak - peak_run,
    }


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
