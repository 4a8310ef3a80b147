"""Config ingest benchmark: from a JSON file to a compiled network, and the whole command.

    .venv/bin/python -m bench.bench_ingest [--skus N --stores N] [--repeat N] [--no-rows]

Writes a generated config (canonical generator, seed 1, 365 days, 10 DCs, 5 factories;
``--skus 100 --stores 1990`` is ``bench_engine``'s "200k" size) to a temporary file, then:

- times each ingest stage (median of ``--repeat`` runs, wall and CPU seconds): parsing with
  the standard library's ``json``, with orjson and with ``read_json`` (demands decoded by
  msgspec into typed rows, the other sections by orjson), reading it into a
  ``CanonicalConfig``, validating it, compiling it to arrays — with the demands read
  column-wise (``RowTable``, what a file of 20,000 demand rows or more gets) and, unless
  ``--no-rows``, row by row into dataclasses as before columnar ingest;
- times the simulate command's steps one by one in a fresh process (median of
  ``--repeat``), naming the day loop the command takes (``SCPLN_PSI_KERNEL``'s ``auto``, from
  ``command.COMPILED_FROM`` node-item-days compiled);
- runs the whole ``python -m scpln.engine simulate FILE`` command in a fresh process
  (median of ``--repeat``) and prints its wall and CPU seconds and peak RSS (``wait4``'s
  ``ru_maxrss``) over issue 15's targets (8 s, 4 GB);
- times ``python -m scpln.engine validate`` on the 3-month reference sample (where the
  interpreter and its imports dominate).

The machine's load average is printed with every measurement: on a shared machine the
wall-clock seconds depend on it, the CPU seconds much less.
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
from functools import partial
from pathlib import Path
from typing import Any

from bench.reference import CANONICAL

TARGET_SECONDS = 8.0  # issue 15: the whole command from the 200k JSON file to KPIs
TARGET_RSS_GB = 4.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=100)
    parser.add_argument("--stores", type=int, default=1990, help="default: the 200k size")
    parser.add_argument("--repeat", type=int, default=3, metavar="N")
    parser.add_argument("--no-rows", action="store_true", help="skip the row-by-row stages")
    args = parser.parse_args()

    import orjson

    from scpln.engine.canonical.generator import generate_config

    print(f"load average before: {_load()}  (cpus: {os.cpu_count()})")
    document = generate_config(
        skus=args.skus, stores=args.stores, dcs=10, factories=5, days=365, seed=1
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.json"
        path.write_bytes(orjson.dumps(document))
        print(
            f"config: {path.stat().st_size / 1e6:.1f} MB, {len(document['demands']):,} demand rows"
        )
        del document
        _stages(path, args.repeat, rows=not args.no_rows)
        _command_stages(path, args.repeat)
        _whole_command(path, args.repeat)
    sample = CANONICAL / "multi_node_sample_3Mths.json"
    command = [sys.executable, "-m", "scpln.engine", "validate", str(sample)]
    whole = _median(lambda: subprocess.run(command, capture_output=True, check=True), args.repeat)
    print(f"{'validate command, 3-month sample':<44}{whole[0]:>8.3f} s wall  load {_load()}")
    print(f"load average after:  {_load()}")


def _stages(path: Path, repeat: int, *, rows: bool) -> None:
    import orjson

    from scpln.engine.canonical import check_config, codec, load_config
    from scpln.engine.canonical.loader import read_json
    from scpln.engine.psi import compile_network

    typed, _ = read_json(path)  # demands as typed rows (msgspec), read into columns
    ways = [("columns", codec.TABLE_ROWS)] + ([("rows (before)", sys.maxsize)] if rows else [])
    for name, threshold in ways:
        codec.TABLE_ROWS = threshold
        parsed = typed if name == "columns" else orjson.loads(path.read_bytes())
        config = load_config(parsed)
        stages: list[tuple[str, Callable[[], Any]]] = [
            ("load_config", partial(load_config, parsed)),
            ("check_config (validation)", partial(check_config, config)),
            ("compile_network", partial(compile_network, config)),
        ]
        if name == "columns":
            stages[:0] = [
                ("json.loads (standard library)", lambda: json.loads(path.read_text("utf-8"))),
                ("orjson.loads (every row a dict)", lambda: orjson.loads(path.read_bytes())),
                ("read_json (msgspec demands)", lambda: read_json(path)),
            ]
        print(f"stages, demands read as {name}:")
        for label, stage in stages:
            wall, cpu = _median(stage, repeat)
            print(f"  {label:<42}{wall:>8.3f} s wall {cpu:>8.3f} s CPU  load {_load()}")
        del config
    codec.TABLE_ROWS = ways[0][1]


# Started by a fresh interpreter, not forked from this one: a forked child's peak RSS
# (``ru_maxrss``) starts at the resident size of the process it was forked from — here the
# stages' parsed documents, 3.9 GB — so the command's own peak was hidden under it.
_RUNNER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
if status:
    sys.exit("simulate failed: " + child.stderr.read().decode())
print(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


# The simulate command's steps (scpln/engine/psi/command.py) timed one by one in a fresh
# process, so that the whole command's seconds can be told apart: imports, parsing, reading,
# validating, freeing the parsed document, compiling, simulating. (No peak RSS here: this
# child is forked from the benchmark, see ``_RUNNER``.)
_STAGES = """
import gc, sys, time
marks = [("start", time.perf_counter(), time.process_time())]
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
from scpln.engine.canonical import check_config, read_config
from scpln.engine.canonical.loader import read_json
from scpln.engine.psi.api import simulate_network
from scpln.engine.psi.compile import compile_network
from scpln.engine.psi.command import COMPILED_FROM
from scpln.engine.psi.fused import use_compiled
mark("imports")
gc.disable()  # as the command: no cycle collections from reading to compiling
document, _ = read_json(sys.argv[1]); mark("read_json (msgspec demands)")
config, _ = read_config(document); mark("read_config")
report = check_config(config); mark("check_config")
del document; mark("freeing the parsed document")
network = compile_network(config); mark("compile_network")
del config
gc.enable()
compiled = use_compiled(network, days=network.horizon_days, schedule=None, threshold=COMPILED_FROM)
result = simulate_network(network, compiled_from=COMPILED_FROM); result.kpis
mark(f"simulate_network ({'compiled' if compiled else 'numpy'} loop)")
for (_, w0, c0), (name, w1, c1) in zip(marks, marks[1:]):
    print(f"{name}|{w1 - w0}|{c1 - c0}")
"""


def _command_stages(path: Path, repeat: int) -> None:
    """The whole command's steps in fresh processes: median wall and CPU seconds of each."""
    runs: list[dict[str, tuple[float, float]]] = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", _STAGES, str(path)], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        lines = (line.split("|") for line in done.stdout.splitlines())
        runs.append({name: (float(wall), float(cpu)) for name, wall, cpu in lines})
    print(f"the simulate command's steps in a fresh process (median of {repeat}):")
    for name in runs[0]:
        wall, cpu = (statistics.median(run[name][i] for run in runs) for i in range(2))
        print(f"  {name:<42}{wall:>8.3f} s wall {cpu:>8.3f} s CPU  load {_load()}")


def _whole_command(path: Path, repeat: int) -> None:
    """The simulate command in fresh processes: wall, CPU (user + system) and peak RSS."""
    command = [sys.executable, "-m", "scpln.engine", "simulate", str(path)]
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", _RUNNER, *command], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        wall, cpu, rss = (float(x) for x in done.stdout.split())
        runs.append((wall, cpu, rss / 1e6))
        print(f"  run: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss / 1e6:.2f} GB  load {_load()}")
    wall, cpu, rss = (statistics.median(r[i] for r in runs) for i in range(3))
    print(
        f"simulate command (median of {repeat}): {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"→ {wall / TARGET_SECONDS:.2f}× / {cpu / TARGET_SECONDS:.2f}× the {TARGET_SECONDS:g} s "
        f"target; peak RSS {rss:.2f} GB → {rss / TARGET_RSS_GB:.2f}× the "
        f"{TARGET_RSS_GB:g} GB target"
    )


def _median(stage: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        stage()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
