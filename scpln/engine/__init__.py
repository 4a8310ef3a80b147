"""scpln engine: pure numpy/pandas planning and PSI simulation library (no Django).

Importing this package stays cheap on purpose: the CLI and the Django apps import it
for ``ENGINE_VERSION`` alone, so submodules are imported where they are used.

It does one thing on import: numpy's transparent huge pages are off unless
``NUMPY_MADVISE_HUGEPAGE`` says otherwise (:func:`_without_huge_pages`).
"""

import os
import sys

ENGINE_VERSION = "1.1.0"


def _without_huge_pages() -> None:
    """Let numpy allocate its large arrays in ordinary pages, unless the operator chose.

    numpy asks the kernel for transparent huge pages (``madvise``) for every array of
    4 MB or more. The engine makes many such arrays once and drops them (a run's recorded
    history, the cost trace's parts and columns, the tables it stores), and on the
    2-core VMs scpln is measured on every one of them then cost far more system time
    than its fewer TLB misses saved: building a 50,000-node-item year's cost trace
    (54 million rows) took 25 s of system time with huge pages and 3.6 s in all without;
    that size's planning job went from 33.9 to 16.3 s (docs/engine.md, "Huge pages").
    ``NUMPY_MADVISE_HUGEPAGE=1`` (numpy's own setting) turns them back on. numpy reads it
    once, when it is imported: set here before that, or switched now if numpy came first.
    """
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    numpy = sys.modules.get("numpy")
    switch = getattr(getattr(numpy, "_core", None), "multiarray", None)
    if switch is not None and hasattr(switch, "_set_madvise_hugepage"):
        switch._set_madvise_hugepage(os.environ["NUMPY_MADVISE_HUGEPAGE"] != "0")


_without_huge_pages()
