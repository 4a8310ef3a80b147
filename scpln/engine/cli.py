"""``python -m scpln.engine``: the engine without the web app, for analysts and checks.

Each subcommand is one ``_<name>`` function taking the parsed arguments and returning the
exit status, registered by one ``_register_<name>`` function listed in ``COMMANDS``.
Exit status: 0 success, 1 the input has problems (or, for ``diff``, the configs differ),
2 the input could not be read at all or the command line is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from scpln.engine import ENGINE_VERSION

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2

Subparsers = Any  # argparse's private _SubParsersAction


def _fail(message: str, stream: TextIO | None = None) -> int:
    print(f"error: {message}", file=stream or sys.stderr)
    return EXIT_UNREADABLE


def _validate(args: argparse.Namespace) -> int:
    from scpln.engine.canonical import check_config, read_config
    from scpln.engine.canonical.loader import read_json

    document, unreadable = read_json(Path(args.config))
    if unreadable:
        return _fail("; ".join(str(problem) for problem in unreadable))
    config, structural = read_config(document)
    # a readable config is checked as loaded; otherwise the document is, to get every problem
    report = check_config(config if config is not None and not structural else document)
    problems = report.problems
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if problems or config is None:
        for problem in problems:
            print(problem)
        count = len(problems)
        print(f"{args.config}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"OK {args.config}: valid {config.meta.schema_version} — {len(config.items)} items, "
        f"{len(config.nodes)} nodes, {len(config.arcs)} arcs, {len(config.demands)} demand rows"
    )
    return EXIT_OK


def _register_validate(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a canonical config and list every problem, path first"
    )
    parser.add_argument("config", metavar="CONFIG.json")
    parser.set_defaults(run=_validate)


def _generate(args: argparse.Namespace) -> int:
    from scpln.engine.canonical.generator import generate_config

    try:
        document = generate_config(
            skus=args.skus,
            stores=args.stores,
            dcs=args.dcs,
            factories=args.factories,
            materials=args.materials,
            days=args.days,
            seed=args.seed,
        )
    except ValueError as exc:
        return _fail(str(exc))
    try:
        with Path(args.out).open("w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=args.indent)
            out.write("\n")
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}")
    node_items = sum(len(node.get("inventory_policies", ())) for node in document["nodes"])
    print(
        f"wrote {args.out}: {len(document['items'])} items, {len(document['nodes'])} nodes, "
        f"{node_items} node-items, {len(document['demands'])} demand rows",
        file=sys.stderr,
    )
    return EXIT_OK


def _register_generate(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "generate", help="write a deterministic, valid canonical config of a given size"
    )
    for name in ("skus", "stores", "dcs", "factories"):
        parser.add_argument(f"--{name}", type=int, required=True, metavar="N")
    parser.add_argument(
        "--materials", type=int, default=None, metavar="N", help="default: one per four SKUs"
    )
    parser.add_argument("--days", type=int, required=True, metavar="N", help="planning horizon")
    parser.add_argument("--seed", type=int, required=True, metavar="N")
    parser.add_argument("--out", required=True, metavar="FILE")
    parser.add_argument(
        "--indent", type=int, default=None, metavar="N", help="pretty-print (default: compact)"
    )
    parser.set_defaults(run=_generate)


def _diff(args: argparse.Namespace) -> int:
    from scpln.engine.canonical import ConfigError
    from scpln.engine.canonical.diff import diff_configs

    try:
        result = diff_configs(Path(args.a), Path(args.b))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_UNREADABLE
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(result.render_text(limit=args.limit))
    return EXIT_OK if result.is_empty else EXIT_PROBLEMS


def _register_diff(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "diff", help="entity-by-entity differences from A to B (exit 1 when they differ)"
    )
    parser.add_argument("a", metavar="A.json")
    parser.add_argument("b", metavar="B.json")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--limit", type=int, default=50, metavar="N", help="rows listed per entity kind"
    )
    parser.set_defaults(run=_diff)


def _simulate(args: argparse.Namespace) -> int:
    from scpln.engine.psi.command import run_simulate

    return run_simulate(args)


def _register_simulate(subparsers: Subparsers) -> None:
    # Declared here, not in psi.command: importing the psi package loads numpy and pandas.
    parser = subparsers.add_parser(
        "simulate", help="run the daily PSI simulation of a valid config and report its KPIs"
    )
    parser.add_argument("config", metavar="CONFIG.json")
    parser.add_argument("--seed", type=int, default=None, metavar="N", help="demand draws")
    parser.add_argument(
        "--days", type=int, default=None, metavar="N", help="default: the planning horizon"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--stochastic", action="store_true", help="draw demand from its models (seeded)"
    )
    mode.add_argument(
        "--deterministic", action="store_true", help="use the demand means (the default)"
    )
    parser.add_argument("--summary-json", metavar="PATH", help="write the KPIs as JSON")
    parser.add_argument("--psi-csv", metavar="PATH", help="write the daily PSI table as CSV")
    parser.set_defaults(run=_simulate)


COMMANDS: list[Callable[[Subparsers], None]] = [
    _register_validate,
    _register_generate,
    _register_diff,
    _register_simulate,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scpln.engine", description="scpln engine: canonical configs and PSI runs"
    )
    parser.add_argument("--version", action="version", version=f"scpln engine {ENGINE_VERSION}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit status (argparse exits 2 on a bad command line)."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status
