"""``python -m scpln.engine simulate``: the run, kept out of ``cli.py``.

Importing anything under ``scpln.engine.psi`` loads numpy and pandas (the package imports
the simulator), so ``cli.py`` declares the subcommand's arguments itself and imports this
module only to run it: the other subcommands start without numpy or pandas.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .network import Network

# From this many node-item-days the command runs the compiled day loop (the threshold it
# passes ``simulate_network`` for ``auto``; ``SCPLN_PSI_COMPILED_FROM``, when the environment
# sets it, wins): loading Numba and its cached machine code costs a fresh process about
# 0.5 CPU s, which the compiled loop wins back from about 35 M node-item-days (measured even
# at 37 M; at 73 M, the 200k network's year, 4.8 against 6.4 CPU s on a loaded machine).
# Below it, the numpy loop.
COMPILED_FROM = 50_000_000


def run_simulate(args: argparse.Namespace) -> int:
    """Validate, simulate, write the requested files; the exit status of ``cli.py``."""
    from scpln.engine.canonical.loader import no_cyclic_gc
    from scpln.engine.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE

    from .api import simulate_network

    if args.days is not None and args.days <= 0:
        print("error: --days must be positive", file=sys.stderr)
        return EXIT_UNREADABLE
    # Reading, checking and compiling make millions of objects and no cycles: with the
    # cycle collector on, the parsed sections, the config and the check each set off
    # collections that walk them (0.7-1 CPU s at 200k). Off until the network is compiled,
    # when the parsed document and the config are gone; the run collects as usual.
    with no_cyclic_gc():
        network = _network(args)
    if isinstance(network, int):
        return network
    try:
        result = simulate_network(
            network,
            seed=args.seed,
            days=args.days,
            stochastic=args.stochastic,
            compiled_from=COMPILED_FROM,
        )
    except ValueError as exc:
        print(f"{args.config}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    summary = {
        **result.kpis,
        "warnings": result.warnings,
        "run": {
            "config": args.config,
            "days": result.days,
            "stochastic": result.stochastic,
            "seed": result.seed,
            "input_hash": result.input_hash,
            "schema_version": result.schema_version,
            "engine_version": result.engine_version,
        },
    }
    try:
        if args.summary_json:
            with Path(args.summary_json).open("w", encoding="utf-8") as out:
                json.dump(summary, out, ensure_ascii=False, indent=2)
                out.write("\n")
        if args.psi_csv:
            result.psi.to_csv(args.psi_csv, index=False)
    except OSError as exc:
        print(f"error: cannot write output: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    k = result.kpis
    mode = f"stochastic, seed {result.seed}" if result.stochastic else "deterministic"
    print(
        f"simulated {args.config}: {result.days} days ({mode}), {k['node_items']} node-items; "
        f"fill rate {k['fill_rate']:.4f}, cycle service level {k['cycle_service_level']:.4f}, "
        f"avg on hand {k['avg_on_hand']:.1f}, avg backlog {k['avg_backlog']:.1f}, "
        f"profit {k['profit_total']:.2f}"
    )
    for note in result.warnings:
        print(f"warning: {note}", file=sys.stderr)
    return EXIT_OK


def _network(args: argparse.Namespace) -> Network | int:
    """The config file read, checked and compiled; the exit status when it cannot be (its
    problems printed). The config is dropped as this returns: the run never holds it
    (0.3 GB at 200k)."""
    from scpln.engine.canonical import check_config, read_config
    from scpln.engine.canonical.loader import read_json
    from scpln.engine.cli import EXIT_PROBLEMS, EXIT_UNREADABLE

    from .compile import compile_network

    document, unreadable = read_json(Path(args.config))
    if unreadable:
        print("error: " + "; ".join(str(p) for p in unreadable), file=sys.stderr)
        return EXIT_UNREADABLE
    config, structural = read_config(document)
    report = check_config(config if config is not None and not structural else document)
    # The parsed document (1.2 GB for a 200k node-item config: the demand rows as structs and
    # the file's text) is not needed any more: the config holds its demands as columns.
    # Dropped before compiling, it never adds to the peak.
    del document
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.problems or config is None:
        for problem in report.problems:
            print(problem)
        count = len(report.problems)
        print(f"{args.config}: {count} problem(s); not simulated", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        return compile_network(config, days=args.days)
    except ValueError as exc:
        print(f"{args.config}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
