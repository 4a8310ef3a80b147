"""Start-up checks in a process of their own: settings are read once, at import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage_check(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py check [args]`` with ``env`` on top of this environment, on a scratch data
    folder and the embedded SQLite database (a ``DATABASE_URL`` of the test run is dropped)."""
    environ = {
        **os.environ,
        **env,
        "SCPLN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    environ.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
