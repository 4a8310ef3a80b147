"""numpy's transparent huge pages are off in a process that uses the engine, unless the
operator turns them on with numpy's own ``NUMPY_MADVISE_HUGEPAGE=1`` (docs/engine.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "{first}import scpln.engine, numpy._core.multiarray as m; print(m._get_madvise_hugepage())"


@pytest.mark.parametrize("first", ["", "import numpy; "], ids=["engine first", "numpy first"])
@pytest.mark.parametrize(("setting", "expected"), [(None, "False"), ("0", "False"), ("1", "True")])
def test_huge_pages_follow_numpys_setting_and_are_off_by_default(first, setting, expected):
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if setting is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = setting
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(first=first)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == expected
