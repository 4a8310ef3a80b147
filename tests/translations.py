"""The translation catalogues as tests see them: compiled fresh from ``locale/``.

The ``.mo`` files are build output (``bin/test``, ``bin/run`` and the
Dockerfile compile them; git keeps only the ``.po``), so a test must not trust
whatever ``.mo`` a checkout happens to hold. Tests compile the ``.po`` files
into a private folder with GNU ``msgfmt --check`` (which also rejects a
translation that drops or renames a ``%(placeholder)s``) and point
``LOCALE_PATHS`` there; Django's ``setting_changed`` handler drops its cached
catalogues when that setting changes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"


def msg_tool(name: str) -> str:
    """A GNU gettext program; missing gettext fails the test (bin/services installs it)."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} not found: install GNU gettext (apt-get install -y gettext; "
            "bin/services does this)",
            pytrace=False,
        )
    return found


def compile_catalogues(destination: Path) -> Path:
    """Compile every ``locale/<lang>/LC_MESSAGES/*.po`` into ``destination``; return it."""
    msgfmt = msg_tool("msgfmt")
    sources = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
    assert sources, f"no translation catalogues under {LOCALE_DIR}"
    for po in sources:
        mo = destination / po.relative_to(LOCALE_DIR).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [msgfmt, "--check", "-o", str(mo), str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{po.relative_to(ROOT)} does not compile:\n{result.stderr}"
    return destination
