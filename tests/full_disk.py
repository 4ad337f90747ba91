"""A disk that fills up at a chosen byte, for tests: a fault injector, not a fake engine.

While active, every file this process opens for writing (``open``, ``io.open`` as pathlib
uses it, ``os.fdopen`` as the atomic and audio writers use it) shares ``room`` bytes; the
write that would pass them raises ``OSError(ENOSPC)``, as a full disk does. ``shutil``'s
sendfile shortcut is turned off so that copies write through Python too.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
from typing import Any

import pytest

_WRITES = ("w", "a", "x", "+")


class FullFile:
    """A writable file that draws on the disk's room for every byte it writes."""

    def __init__(self, fh: Any, disk: FullDisk) -> None:
        self._fh, self._disk = fh, disk

    def write(self, data: Any) -> int:
        size = len(data.encode() if isinstance(data, str) else bytes(data))
        self._disk.take(size)
        return self._fh.write(data)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __enter__(self) -> FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.__exit__(*exc)

    def __iter__(self) -> Any:
        return iter(self._fh)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


class FullDisk:
    def __init__(self, room: int) -> None:
        self.room = room
        self.used = 0
        self.refused = 0  # writes refused with ENOSPC

    def take(self, size: int) -> None:
        if self.used + size > self.room:
            self.refused += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.used += size

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FullDisk:
        real_open, real_fdopen = builtins.open, os.fdopen

        def wrap(fh: Any, mode: str) -> Any:
            return FullFile(fh, self) if any(m in mode for m in _WRITES) else fh

        def full_open(file: Any, mode: str = "r", *args: Any, **kw: Any) -> Any:
            return wrap(real_open(file, mode, *args, **kw), mode)

        def full_fdopen(fd: int, mode: str = "r", *args: Any, **kw: Any) -> Any:
            return wrap(real_fdopen(fd, mode, *args, **kw), mode)

        monkeypatch.setattr(builtins, "open", full_open)
        monkeypatch.setattr(io, "open", full_open)
        monkeypatch.setattr(os, "fdopen", full_fdopen)
        monkeypatch.setattr(shutil, "_USE_CP_SENDFILE", False)
        return self


@pytest.fixture(name="full_disk")
def full_disk_fixture(monkeypatch: pytest.MonkeyPatch):
    """``full_disk(room)`` makes the disk full after ``room`` more bytes."""
    return lambda room: FullDisk(room).install(monkeypatch)
