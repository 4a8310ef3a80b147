"""Large output arrays in fresh memory that is cheap to fill.

The PSI history is gigabytes written exactly once, row by row, and on the 2-core
benchmark VM touching fresh memory for the first time is expensive: the host backs each
page on first touch. Two things keep that cost down:

- no transparent huge pages: numpy asks for them on every large allocation, and where
  they must be assembled on first touch (``defrag=madvise``) filling them measured
  2.2–3.2 s per GB against 0.35–0.6 s per GB for ordinary pages;
- :class:`RowPrefault`: a helper thread faults the rows of the history in ahead of the
  day loop, so the page faults are taken on the other core while the loop computes. On
  Linux it asks the kernel to populate a row's pages (``MADV_POPULATE_WRITE``, 5.14 on):
  0.34 CPU s per GB against 0.55 for writing zeros into them, page by page, on the
  benchmark VM. The loop never writes a row before the helper has finished with it.

Elsewhere (no ``mmap`` flags, or small arrays) this is plain ``np.zeros``.

A long-running worker can skip the faulting altogether from its second run on: with
``SCPLN_PSI_KEEP_ARENAS`` set to a number of bytes, the history buffers of a result that
has been dropped are kept (up to that many bytes, already faulted in) and handed to the
next run asking for the same size (:func:`reusable`). Such a buffer still holds the old
run's numbers; the day loops overwrite every row of the history, so nothing leaks.
"""

from __future__ import annotations

import ctypes
import math
import mmap
import sys
import threading
import weakref
from collections.abc import Callable

import numpy as np

from .environment import whole_number

_SMALL = 1 << 22  # numpy asks for huge pages from 4 MB on
_PREFAULT_FROM = 1 << 26  # below 64 MB touching memory costs too little to bother
KEEP_ARENAS_ENV = "SCPLN_PSI_KEEP_ARENAS"
_MADV_POPULATE_WRITE = 23  # Linux 5.14 (not in Python 3.11's mmap module)

_kept: dict[int, list[mmap.mmap]] = {}  # released history buffers, by size in bytes
_kept_lock = threading.Lock()


def keep_limit() -> int:
    """Bytes of released history buffers this process keeps warm (0: none)."""
    return whole_number(KEEP_ARENAS_ENV, "bytes") or 0


def kept_bytes() -> int:
    """Bytes of history buffers kept warm for the next run."""
    with _kept_lock:
        return sum(size * len(buffers) for size, buffers in _kept.items())


def _give_back(buffer: mmap.mmap, size: int) -> None:
    """Keep a dropped result's buffer for the next run, within the limit."""
    limit = keep_limit()
    with _kept_lock:
        held = sum(s * len(b) for s, b in _kept.items())
        if held + size <= limit:
            _kept.setdefault(size, []).append(buffer)


def reusable(shape: tuple[int, ...], dtype: type[np.generic] | np.dtype) -> tuple[np.ndarray, bool]:
    """A C-contiguous array whose every element the caller overwrites, and whether its
    pages are already faulted in (a kept buffer: no need to touch them ahead).

    Without ``SCPLN_PSI_KEEP_ARENAS`` this is ``zeros(shape, dtype, populate=False)``.
    """
    dtype = np.dtype(dtype)
    count = math.prod(shape)
    size = count * dtype.itemsize
    if size < _SMALL or not hasattr(mmap, "MAP_ANONYMOUS") or keep_limit() == 0:
        return zeros(shape, dtype, populate=False), False
    with _kept_lock:
        spare = _kept.get(size)
        buffer = spare.pop() if spare else None
    warm = buffer is not None
    if buffer is None:
        buffer = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    flat = np.frombuffer(buffer, dtype=dtype, count=count)
    weakref.finalize(flat, _give_back, buffer, size)  # once every view of it is gone
    return flat.reshape(shape), warm


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
        populate = _populator()
        for row in range(rows):
            if self._stop:
                break
            for array in arrays:
                if populate is None or not populate(array[row]):
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
        """Stop the helper and wait for it: no thread of a run outlives the run."""
        self._stop = True
        thread = getattr(self, "_thread", None)
        if thread is not None and thread is not threading.current_thread():
            thread.join()


def _populator() -> Callable[[np.ndarray], bool] | None:
    """A function that faults in the pages under a C-contiguous array without writing
    them (False where the kernel refuses), or None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        madvise = ctypes.CDLL(None, use_errno=True).madvise  # releases the GIL while it runs
    except (OSError, AttributeError):
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    page = mmap.PAGESIZE

    def populate(array: np.ndarray) -> bool:
        start = array.ctypes.data
        first = start - start % page
        end = start + array.nbytes
        return madvise(first, end - first, _MADV_POPULATE_WRITE) == 0

    return populate
