"""Files that hold secrets are the running account's alone: folders 0700, files 0600.

The database, its backups and the secret key hold everything scpln knows
(password hashes, token digests, sessions); with a 0644 default anyone with a
shell on the machine could copy them. These helpers create or tighten a path
and leave alone one that belongs to another account (a mounted volume the
operator manages), which chmod could not change anyway.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing; make it 0700 if this account owns it."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if missing; make it 0600 if this account owns it.

    Creating it first (rather than letting SQLite or ``open()`` create it
    under the umask) means there is no moment in which it is readable by others.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    _tighten(path, FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o777 != mode:
        path.chmod(mode)
