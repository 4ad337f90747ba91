"""Writing an audio file so that a failure never leaves a wrong one: every audio file the
app writes (an exported take, ``speak -o``, a voice's reference clip, an unsaved clip) goes
through :class:`AudioPartFile`.

The file grows under a hidden name beside its target (``.<name>.<random>.part``) and is
renamed into place only when complete and on disk, so the real name holds either nothing or
the whole file. libsndfile writes through Python callbacks here, not its own file handle:
an error inside a C callback is only printed ("Exception ignored from cffi callback") and
libsndfile reports a vague "System error", so :class:`GuardedFile` keeps the first OSError and
it is raised afterwards, as it happened. A full disk becomes one
:class:`~studio.errors.DiskFull` saying how much room is left where, the part file removed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import soundfile as sf

from studio.fsutil import as_disk_full, default_mode, fsync_dir


class GuardedFile:
    """A file for libsndfile's (or PyAV's) callbacks that records the first OSError instead
    of raising it inside a C callback, and refuses every write after it; the caller raises
    ``error`` afterwards."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.error: OSError | None = None

    def _failed(self, exc: OSError) -> None:
        if self.error is None:
            self.error = exc

    def write(self, data: bytes) -> int:
        if self.error is not None:
            return 0
        try:
            return self.fh.write(data)
        except OSError as exc:
            self._failed(exc)
            return 0

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        try:
            return self.fh.seek(offset, whence)
        except OSError as exc:
            self._failed(exc)
            return self.fh.tell()

    def tell(self) -> int:
        return self.fh.tell()

    def seekable(self) -> bool:
        return True

    def flush(self) -> None:
        try:
            self.fh.flush()
        except OSError as exc:
            self._failed(exc)

    def read(self, size: int = -1) -> bytes:
        try:
            return self.fh.read(size)
        except OSError as exc:
            self._failed(exc)
            return b""


class AudioPartFile:
    """An audio file written under a hidden part name and renamed to ``path`` by
    :meth:`commit`; :meth:`discard` (or leaving the ``with`` block without committing)
    removes it. Any failure removes it too and is raised as it happened (DiskFull for a
    full disk)."""

    def __init__(self, path: Path | str, sample_rate: int, channels: int = 1, *,
                 format: str, subtype: str | None = None,
                 tags: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.folder = self.path.parent
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part",
                                    dir=self.folder)
        self.part: Path | None = Path(part)
        default_mode(fd)
        self._fh: BinaryIO | None = os.fdopen(fd, "w+b")
        self._guard = GuardedFile(self._fh)
        try:
            self._sound: Any = sf.SoundFile(self._guard, "w", int(sample_rate), channels,
                                            subtype, format=format)
            for name, value in (tags or {}).items():  # "title", "artist"...
                setattr(self._sound, name, value)
        except BaseException as exc:
            self._fail(exc)

    def write(self, frames: np.ndarray) -> None:
        try:
            self._sound.write(frames)
        except BaseException as exc:
            self._fail(exc)
        if self._guard.error is not None:
            self._fail(self._guard.error)

    def commit(self) -> Path:
        """Finish the file, make it durable and give it its real name."""
        try:
            self._sound.close()
            if self._guard.error is not None:
                raise self._guard.error
            assert self._fh is not None and self.part is not None
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            os.replace(self.part, self.path)
            self.part = None
        except BaseException as exc:
            self._fail(exc)
        fsync_dir(self.folder)
        return self.path

    def discard(self) -> None:
        """Remove the part file (quietly: this runs while another error is on its way)."""
        with contextlib.suppress(Exception):
            if getattr(self, "_sound", None) is not None and not self._sound.closed:
                self._sound.close()
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None
        if self.part is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.part)
            self.part = None

    def _fail(self, exc: BaseException) -> None:
        """Remove the part file and raise what really went wrong: the OSError a callback
        kept (as DiskFull when the disk is full) rather than libsndfile's vague error."""
        cause: BaseException = self._guard.error or exc
        self.discard()
        raise as_disk_full(cause, self.folder, f"write {self.path.name}")

    def __enter__(self) -> AudioPartFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.part is not None:
            self.discard()


def write_audio(path: Path | str, data: np.ndarray, sample_rate: int, *, format: str,
                subtype: str | None = None, tags: dict[str, str] | None = None) -> Path:
    """Write a whole clip through an AudioPartFile."""
    frames = np.asarray(data)
    channels = 1 if frames.ndim == 1 else int(frames.shape[1])
    with AudioPartFile(path, sample_rate, channels, format=format, subtype=subtype,
                       tags=tags) as out:
        out.write(frames)
        return out.commit()
