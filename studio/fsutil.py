"""Atomic writes: a crash or kill at any moment leaves either the old file or the new one.

Write to a temporary file in the same folder, fsync it, rename over the target, then fsync
the folder so the rename itself is durable. A write that fails because the disk is full
removes its temporary file and becomes a :class:`~studio.errors.DiskFull` that says how much
room is left and where.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from studio.errors import DiskFull
from studio.humanize import human_bytes

_FULL = (errno.ENOSPC, errno.EDQUOT)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = _umask()


def default_mode(fd: int) -> None:
    """mkstemp creates 0600 files; user files get the usual 0666 & ~umask."""
    with contextlib.suppress(OSError, AttributeError):
        os.fchmod(fd, 0o666 & ~UMASK)


def fsync_dir(path: Path) -> None:
    """Make a rename or creation inside ``path`` durable (no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _FULL


def free_bytes(path: Path | str) -> int | None:
    """Free space on the disk holding ``path`` (or its nearest existing folder)."""
    where = Path(path)
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        return shutil.disk_usage(where).free
    except OSError:
        return None


def disk_full(path: Path | str | None, action: str | None = None) -> DiskFull:
    """The error for a write into ``path`` (a file or folder; None: not known) that ran out
    of space; ``action`` ("save the voice") says what could not be done."""
    what = f"Could not {action}: the disk" if action else "The disk"
    if path is None:
        return DiskFull(f"{what} is full. Free some space and try again.")
    folder = Path(path)
    free = free_bytes(folder)
    room = f"{human_bytes(free)} free" if free is not None else "no room left"
    return DiskFull(f"{what} is full ({room} at {folder}). Free some space and try again.",
                    str(folder))


def as_disk_full(exc: BaseException, path: Path | str,
                 action: str | None = None) -> BaseException:
    """``exc`` as a DiskFull for a write into ``path`` when it is one, else ``exc`` itself."""
    if isinstance(exc, DiskFull) or not is_disk_full(exc):
        return exc
    full = disk_full(path, action)
    full.__cause__ = exc
    return full


@contextlib.contextmanager
def atomic_open(path: Path | str, mode: str = "wb", private: bool = False) -> Iterator[BinaryIO]:
    """Open a temporary sibling of ``path`` for writing; on success it replaces ``path``.
    ``private``: readable by its owner only (0600), as secrets need, from the first byte."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    if not private:  # mkstemp's file is 0600 already
        default_mode(fd)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh  # type: ignore[misc]
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        full = as_disk_full(exc, path.parent, f"write {path.name}")
        if full is not exc:
            raise full from exc
        raise


def atomic_write_bytes(path: Path | str, data: bytes, private: bool = False) -> None:
    with atomic_open(path, "wb", private) as fh:
        fh.write(data)


def atomic_write_text(path: Path | str, text: str, private: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), private)


def atomic_write_json(path: Path | str, obj: Any, private: bool = False) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                      private)


def atomic_copy(src: Path | str, dst: Path | str) -> None:
    with open(src, "rb") as fin, atomic_open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


def fsync_tree(path: Path) -> None:
    """fsync every file and folder below ``path`` (before renaming a staged folder into place)."""
    for dirpath, _dirnames, filenames in os.walk(path):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))
