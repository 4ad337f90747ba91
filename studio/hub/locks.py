"""The in-progress lock: one download of a model at a time, across windows and processes.

An OS file lock (flock/msvcrt) rather than a marker file, so a crashed download never
leaves a model locked.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from studio.hub.errors import DownloadInProgress


class DownloadLock:
    """An exclusive, non-blocking lock on a file; freed by the OS if the process dies."""

    def __init__(self, path: Path, repo_id: str, staging: Path | None = None) -> None:
        self.path = path
        self.repo_id = repo_id
        self.staging = staging  # no staging left on exit: the lock file goes too
        self.fd: int | None = None
        self.remove_file = False

    @staticmethod
    def _try_lock(fd: int) -> bool:
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    @staticmethod
    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            if os.name == "nt":
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)

    @classmethod
    def is_held(cls, path: Path) -> bool:
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            return False
        try:
            if cls._try_lock(fd):
                cls._unlock(fd)
                return False
            return True
        finally:
            os.close(fd)

    def __enter__(self) -> DownloadLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not self._try_lock(fd):
            os.close(fd)
            raise DownloadInProgress(self.repo_id)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is None:
            return
        if self.staging is not None and not self.staging.exists():
            self.remove_file = True
        if self.remove_file and os.name != "nt":
            with contextlib.suppress(OSError):
                self.path.unlink()
        self._unlock(self.fd)
        os.close(self.fd)
        self.fd = None
        if self.remove_file and os.name == "nt":
            with contextlib.suppress(OSError):
                self.path.unlink()
        if self.remove_file:
            with contextlib.suppress(OSError):
                self.path.parent.rmdir()
