"""``python -m scpln.engine simulate`` as analysts and outside checks drive it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scpln.engine.canonical.generator import generate_config
from scpln.engine.cli import main
from scpln.engine.psi import command, fused, kernel
from scpln.engine.psi.fused import THRESHOLD_ENV, use_compiled


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.json"
    document = generate_config(skus=3, stores=2, dcs=1, factories=1, days=45, seed=9)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_simulate_writes_the_summary_and_the_psi_table(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary, table = tmp_path / "summary.json", tmp_path / "psi.csv"
    status = main([
        "simulate", str(config_file), "--stochastic", "--seed", "5", "--days", "30",
        "--summary-json", str(summary), "--psi-csv", str(table),
    ])  # fmt: skip
    assert status == 0
    assert "fill rate" in capsys.readouterr().out
    kpis = json.loads(summary.read_text(encoding="utf-8"))
    for name in ("fill_rate", "cycle_service_level", "avg_on_hand", "avg_backlog", "profit_total"):
        assert isinstance(kpis[name], float)
    assert kpis["run"]["seed"] == 5 and kpis["run"]["stochastic"] is True
    with table.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:12] == [
        "day", "node", "item", "demand", "sales", "shortage", "backlog",
        "receipts", "production", "consumption", "on_hand", "in_transit",
    ]  # fmt: skip
    assert {int(r["day"]) for r in rows} == set(range(30))


def test_the_same_seed_gives_the_same_summary(config_file: Path, tmp_path: Path) -> None:
    outputs = []
    for name in ("a.json", "b.json"):
        path = tmp_path / name
        args = ["simulate", str(config_file), "--stochastic", "--seed", "8"]
        assert main([*args, "--summary-json", str(path)]) == 0
        outputs.append(json.loads(path.read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1]


def test_an_invalid_config_lists_its_problems_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"meta": {"name": "x"}, "arcs": [{"from_node": "A"}]}))
    assert main(["simulate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "planning_horizon" in out
    assert "Traceback" not in out


def test_an_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_stochastic_and_deterministic_exclude_each_other(config_file: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", str(config_file), "--stochastic", "--deterministic"])
    assert exit_info.value.code == 2


@pytest.mark.reference
def test_a_reference_config_simulates_from_the_command_line(
    reference_dir: Path, tmp_path: Path
) -> None:
    summary = tmp_path / "s.json"
    config = reference_dir / "canonical" / "mono_node_sample_2Mths.json"
    assert main(["simulate", str(config), "--summary-json", str(summary)]) == 0
    kpis = json.loads(summary.read_text(encoding="utf-8"))
    assert kpis["days"] == 59
    assert 0.0 <= kpis["fill_rate"] <= 1.0


def test_simulate_to_kpis_loads_no_pandas_and_the_psi_table_does(
    config_file: Path, tmp_path: Path
) -> None:
    """Importing pandas costs more than simulating a small config: the command loads it
    only for an output built from it (the PSI CSV)."""
    script = (
        "import sys; from scpln.engine.cli import main; status = main(sys.argv[1:]); "
        "print(status, 'pandas' in sys.modules)"
    )

    def run(*extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, "simulate", str(config_file), *extra],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    assert run() == "0 False"
    assert run("--psi-csv", str(tmp_path / "psi.csv")) == "0 True"


def test_from_compiled_from_node_item_days_the_command_runs_the_compiled_loop(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large network is simulated by the compiled day loop (``command.COMPILED_FROM``,
    lowered here to this small config's size, passed as the run's threshold) with the numpy
    loop's KPIs; a ``SCPLN_PSI_COMPILED_FROM`` the user sets wins, and the command does not
    touch the environment of the process that runs it."""
    monkeypatch.delenv(THRESHOLD_ENV, raising=False)
    monkeypatch.setattr(command, "COMPILED_FROM", 0)
    # as in a fresh process: ``auto`` otherwise keeps a loop another test has loaded
    monkeypatch.setattr(fused, "compiled_loaded", lambda: False)
    chosen: list[bool] = []

    def spied(*args: Any, **kwargs: Any) -> bool:
        chosen.append(use_compiled(*args, **kwargs))
        return chosen[-1]

    monkeypatch.setattr(kernel, "use_compiled", spied)

    def summary(name: str) -> dict[str, Any]:
        path = tmp_path / name
        assert main(["simulate", str(config_file), "--summary-json", str(path)]) == 0
        return dict(json.loads(path.read_text(encoding="utf-8")))

    environment = dict(os.environ)
    compiled = summary("compiled.json")
    assert chosen == [True] and dict(os.environ) == environment
    monkeypatch.setenv(THRESHOLD_ENV, str(10**12))
    numpy_loop = summary("numpy.json")
    assert chosen == [True, False] and os.environ[THRESHOLD_ENV] == str(10**12)
    monkeypatch.setenv(THRESHOLD_ENV, " ")  # blank: as if unset, the command's threshold holds
    summary("blank.json")
    assert chosen == [True, False, True]
    assert compiled == numpy_loop
