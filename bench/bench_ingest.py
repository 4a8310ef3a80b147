"""Config ingest benchmark: from a JSON file to a compiled network, stage by stage.

    .venv/bin/python -m bench.bench_ingest [--skus N --stores N] [--repeat N]

Writes a generated config (canonical generator, seed 1, 365 days) to a temporary file,
then times, median of ``--repeat`` runs each: parsing it with the standard library's
``json`` and with orjson (what ``read_json`` uses), reading it into a ``CanonicalConfig``,
validating it and compiling it to arrays; and, in fresh processes, the whole
``python -m scpln.engine validate`` command on the 3-month reference sample (where the
interpreter and its imports dominate). The machine's load average is printed before and
after: these are wall-clock numbers on a shared machine.
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
from typing import Any

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "canonical"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=100)
    parser.add_argument("--stores", type=int, default=490, help="default: about 50k node-items")
    parser.add_argument("--repeat", type=int, default=3, metavar="N")
    args = parser.parse_args()

    import orjson

    from scpln.engine.canonical import check_config, load_config
    from scpln.engine.canonical.generator import generate_config
    from scpln.engine.canonical.loader import read_json
    from scpln.engine.psi import compile_network

    print(f"load average before: {_load()}  (cpus: {os.cpu_count()})")
    document = generate_config(
        skus=args.skus, stores=args.stores, dcs=10, factories=5, days=365, seed=1
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.json"
        path.write_bytes(orjson.dumps(document))
        del document
        size = path.stat().st_size / 1e6
        parsed, _ = read_json(path)
        config = load_config(parsed)
        stages: list[tuple[str, Callable[[], Any]]] = [
            ("json.loads (standard library)", lambda: json.loads(path.read_text("utf-8"))),
            ("read_json (orjson)", lambda: read_json(path)),
            ("load_config (dataclasses)", lambda: load_config(parsed)),
            ("check_config (validation)", lambda: check_config(config)),
            ("compile_network", lambda: compile_network(config)),
        ]
        print(f"config: {size:.1f} MB, {len(config.demands):,} demand rows")
        for name, stage in stages:
            print(f"{name:<34}{_median(stage, args.repeat):>8.3f} s")
    sample = REFERENCE / "multi_node_sample_3Mths.json"
    command = [sys.executable, "-m", "scpln.engine", "validate", str(sample)]
    whole = _median(lambda: subprocess.run(command, capture_output=True, check=True), args.repeat)
    print(f"{'validate command, 3-month sample':<34}{whole:>8.3f} s")
    print(f"load average after:  {_load()}")


def _median(stage: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        stage()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
