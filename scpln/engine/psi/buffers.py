"""Large output arrays in fresh memory that is cheap to fill.

The PSI history is gigabytes written exactly once, row by row, and on the 2-core
benchmark VM touching fresh memory for the first time is expensive: the host backs each
page on first touch. Two things keep that cost down:

- no transparent huge pages: numpy asks for them on every large allocation, and where
  they must be assembled on first touch (``defrag=madvise``) filling them measured
  2.2–3.2 s per GB against 0.35–0.6 s per GB for ordinary pages;
- :class:`RowPrefault`: a helper thread touches the rows of the history ahead of the day
  loop, so the page faults are taken on the other core while numpy (single-threaded)
  computes. The loop never writes a row before the helper has finished with it.

Elsewhere (no ``mmap`` flags, or small arrays) this is plain ``np.zeros``.
"""

from __future__ import annotations

import math
import mmap
import threading

import numpy as np

_SMALL = 1 << 22  # numpy asks for huge pages from 4 MB on
_PREFAULT_FROM = 1 << 26  # below 64 MB touching memory costs too little to bother


def zeros(
    shape: tuple[int, ...], dtype: type[np.generic] | np.dtype, *, populate: bool = True
) -> np.ndarray:
    """A writable, zero-filled C-contiguous array; frees its memory when unreferenced.

    ``populate`` pre-faults the pages in the allocating system call.
    """
    dtype = np.dtype(dtype)
    count = math.prod(shape)
    if count * dtype.itemsize < _SMALL or not hasattr(mmap, "MAP_ANONYMOUS"):
        return np.zeros(shape, dtype)
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
    if populate:
        flags |= getattr(mmap, "MAP_POPULATE", 0)
    buffer = mmap.mmap(-1, count * dtype.itemsize, flags=flags)
    return np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape)


class RowPrefault:
    """Touch row after row of ``arrays`` on a helper thread, ahead of their writer.

    The writer calls :meth:`wait_for` before writing row ``r``; the helper only writes
    (zeros, into memory that is already zero) rows it has not yet released, so the two
    never write the same row. :meth:`close` stops the helper early (e.g. on error).
    """

    def __init__(self, arrays: list[np.ndarray], rows: int) -> None:
        self._ready = rows
        self._rows = rows
        self._stop = False
        self._changed = threading.Condition()
        if sum(a.nbytes for a in arrays) < _PREFAULT_FROM:
            return
        self._ready = 0
        self._thread = threading.Thread(
            target=self._run, args=(arrays, rows), name="psi-prefault", daemon=True
        )
        self._thread.start()

    def _run(self, arrays: list[np.ndarray], rows: int) -> None:
        for row in range(rows):
            if self._stop:
                break
            for array in arrays:
                array[row] = 0  # numpy releases the GIL while it writes the row
            with self._changed:
                self._ready = row + 1
                self._changed.notify_all()
        with self._changed:
            self._ready = rows
            self._changed.notify_all()

    @property
    def active(self) -> bool:
        """Whether rows are still being touched (the writer must wait for them)."""
        return self._ready < self._rows

    def wait_for(self, row: int) -> None:
        """Return once row ``row`` may be written."""
        if self._ready > row:
            return
        with self._changed:
            self._changed.wait_for(lambda: self._ready > row)

    def close(self) -> None:
        self._stop = True
