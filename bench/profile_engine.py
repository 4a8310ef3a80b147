"""Where a ``simulate`` spends its time: one phase after another, wall and CPU seconds.

    .venv/bin/python -m bench.profile_engine [--size 200k] [--mode deterministic]
                                              [--kernels numpy,compiled] [--repeat N]

Each kernel runs in a child process of its own (``SCPLN_PSI_KERNEL``), which first
simulates a tiny network (so the compiled loop's machine code is loaded, as in a
long-running worker) and builds the generated config outside the clock. The child then
runs the steps of ``simulate_network`` one by one and prints, per phase: wall seconds,
CPU seconds of the process (all threads: the history's prefault helper included),
minor page faults and the RSS afterwards. CPU seconds are the steadier number on a
shared machine; the load average is printed before and after.

Phases of ``simulate``: ``compile_network``; the kernel's set-up (levels, state, the
recorder's buffers); the day loop; the P&L accounts per day; the KPIs; the input hash;
the warnings; ``simulate`` is their sum. Then what a reader of the result pays on first
access: the PSI table and the P&L table (built lazily).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_engine import SIZES, Size, _load, _rss, warm_loop

PHASES = ("compile", "setup", "loop", "accounts", "kpis", "hash", "warnings", "simulate")
ON_DEMAND = ("psi_frame", "pl_frame")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="200k")
    parser.add_argument("--mode", choices=("stochastic", "deterministic"), default="deterministic")
    parser.add_argument("--kernels", default="numpy,compiled")
    parser.add_argument("--repeat", type=int, default=1, metavar="N")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(json.loads(args.child))))
        return
    size = next(s for s in SIZES if s.name == args.size)
    print(f"load average before: {_load()}  (cpus: {os.cpu_count()})")
    print(f"{'kernel':<10}{'phase':<12}{'wall s':>9}{'cpu s':>9}{'minflt':>11}{'rss GB':>9}")
    for kernel in args.kernels.split(","):
        runs = [_spawn(size, args.mode, kernel) for _ in range(args.repeat)]
        for phase in (*PHASES, *ON_DEMAND):
            wall = statistics.median(r[phase]["wall"] for r in runs)
            cpu = statistics.median(r[phase]["cpu"] for r in runs)
            flt = statistics.median(r[phase]["minflt"] for r in runs)
            rss = statistics.median(r[phase]["rss"] for r in runs)
            print(f"{kernel:<10}{phase:<12}{wall:>9.3f}{cpu:>9.3f}{flt:>11,.0f}{rss:>9.2f}")
        print(f"{kernel:<10}{'peak RSS':<12}{max(r['peak'] for r in runs) / 1024**3:>36.2f}")
    print(f"load average after:  {_load()}")


def _spawn(size: Size, mode: str, kernel: str) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.profile_engine",
            "--child",
            json.dumps({"size": size.__dict__, "mode": mode}),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "SCPLN_PSI_KERNEL": kernel},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(job: dict) -> dict:
    import gc

    import numpy as np

    from scpln.engine.psi import api, compile_network, kernel
    from scpln.engine.psi.constraints import Constraints
    from scpln.engine.psi.costs import daily_accounts, pl_frame
    from scpln.engine.psi.frames import psi_frame
    from scpln.engine.psi.kpis import compute_kpis

    size, stochastic = Size(**job["size"]), job["mode"] == "stochastic"
    warm_loop(stochastic=stochastic)
    config = size.config()
    gc.collect()
    out: dict = {}
    last = [time.perf_counter(), time.process_time(), _minflt()]

    def mark(phase: str) -> None:
        now = [time.perf_counter(), time.process_time(), _minflt()]
        out[phase] = {
            "wall": now[0] - last[0],
            "cpu": now[1] - last[1],
            "minflt": now[2] - last[2],
            "rss": _rss() / 1024**3,
        }
        last[:] = now

    net = compile_network(config)
    mark("compile")
    days = net.horizon_days
    rng = np.random.default_rng(1) if stochastic else None
    net = Constraints().apply(net)
    k = kernel._Kernel(net, days, rng, None)
    mark("setup")
    if kernel.use_compiled(net, days=days, schedule=None):
        raw = kernel.run_compiled(k, days, None)
    else:
        try:
            for t in range(days):
                k.day(t)
        finally:
            k.rec.prefault.close()
        raw = k.rec.result()
    mark("loop")
    accounts = daily_accounts(raw)
    mark("accounts")
    compute_kpis(raw, accounts)
    mark("kpis")
    api._input_hash(net, days, stochastic, 1, None)
    mark("hash")
    api.supply_warnings(net) + api.assumed_warnings(net, raw)
    mark("warnings")
    simulated = dict(out)  # what ``simulate`` does; the tables below are built on demand
    psi = psi_frame(raw)
    mark("psi_frame")
    pl_frame(accounts)
    mark("pl_frame")
    out["simulate"] = {
        key: sum(phase[key] for phase in simulated.values()) for key in ("wall", "cpu", "minflt")
    } | {"rss": simulated["warnings"]["rss"]}
    out["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    del psi
    return out


def _minflt() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


if __name__ == "__main__":
    main()
