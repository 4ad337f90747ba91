"""Atomic writes: a crash or kill at any moment leaves either the old file or the new one.

Write to a temporary file in the same folder, fsync it, rename over the target, then fsync
the folder so the rename itself is durable.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO


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
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
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
