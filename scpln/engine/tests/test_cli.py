"""``python -m scpln.engine``: exit status and output that checks and analysts rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scpln.engine.cli import main
from scpln.engine.tests.test_canonical_validation import network


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scpln.engine", *args], capture_output=True, text=True, check=False
    )


def write(tmp_path: Path, name: str, document: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def broken() -> dict:
    document = network()
    document["arcs"][2]["to_node"] = "DC-9"
    document["nodes"][3]["service_level"] = 0
    return document


def test_validate_subprocess_ok_and_problems(tmp_path: Path) -> None:
    ok = run("validate", write(tmp_path, "ok.json", network()))
    bad = run("validate", write(tmp_path, "bad.json", broken()))

    assert ok.returncode == 0
    assert ok.stdout.startswith("OK ") and "4 nodes" in ok.stdout
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == [
        "nodes[3].service_level: must be between 0 and 1 (exclusive), got 0",
        "arcs[2].to_node: unknown node 'DC-9'",
    ]
    assert "2 problems" in bad.stderr
    # The broken arc leaves the store without supply: a warning, on stderr.
    assert (
        "warning: demands[0]: STORE has demand for FG but no chain of arcs brings it from a "
        "factory that makes it or a supplier that stocks it"
    ) in bad.stderr.splitlines()


def test_validate_unreadable_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"meta": ')

    result = run("validate", str(bad_json))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {bad_json} is not valid JSON: unexpected end of data at line 1, column 10\n"
    )


def test_validate_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.json")]) == 2
    assert "No such file or directory" in capsys.readouterr().err


def test_validate_non_object_is_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", write(tmp_path, "list.json", [])]) == 1
    assert capsys.readouterr().out == "a canonical config is a JSON object, got a list\n"


def test_generate_subprocess_writes_a_valid_config(tmp_path: Path) -> None:
    out = tmp_path / "net.json"
    args = ["--skus", "6", "--stores", "2", "--dcs", "1", "--factories", "1", "--days", "45"]

    result = run("generate", *args, "--seed", "3", "--out", str(out))

    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"wrote {out}: 7 items, 5 nodes, 20 node-items, 24 demand rows\n")
    assert run("validate", str(out)).returncode == 0
    assert main(["generate", *args, "--seed", "3", "--out", str(tmp_path / "again.json")]) == 0
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()


def test_generate_refuses_bad_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--skus", "0", "--stores", "1", "--dcs", "1", "--factories", "1", "--days", "9"]

    assert main(["generate", *args, "--seed", "1", "--out", str(tmp_path / "x.json")]) == 2
    assert capsys.readouterr().err == "error: skus must be at least 1, got 0\n"


def test_diff_subprocess_text(tmp_path: Path) -> None:
    after = network()
    after["demands"][0]["mean"] = 400

    result = run("diff", write(tmp_path, "a.json", network()), write(tmp_path, "b.json", after))

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "demands: 0 added, 0 removed, 1 changed",
        "  ~ STORE × FG @ M1: mean 310 → 400",
    ]


def test_diff_json_and_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.json", network())
    after = network()
    after["items"].append({"code": "NEW"})
    b = write(tmp_path, "b.json", after)

    assert main(["diff", a, b, "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["identical"] is False
    assert {e["entity"]: e["added"] for e in payload["entities"]}["items"] == ["NEW"]
    assert main(["diff", a, a]) == 0
    assert capsys.readouterr().out == "no differences\n"


def test_diff_of_unreadable_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.json", network())

    assert main(["diff", a, str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["frobnicate"])

    assert raised.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_checking_and_comparing_configs_start_without_numpy_or_pandas(tmp_path: Path) -> None:
    # Registering `simulate` imported the psi package, and with it numpy and pandas, for
    # every command: about half a second before `validate` read a byte.
    config = write(tmp_path, "ok.json", network())
    probe = (
        "import sys\n"
        "from scpln.engine.cli import main\n"
        f"codes = [main(['validate', {config!r}]), main(['diff', {config!r}, {config!r}])]\n"
        "print(codes, sorted(m for m in ('numpy', 'pandas') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[0, 0] []"


def test_a_file_that_is_not_utf8_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"meta": {"name": "Café"}}'.encode("latin-1"))
    result = run("validate", str(latin))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot read {latin}: 'utf-8' codec can't decode")
