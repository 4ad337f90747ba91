"""Where a take goes on the command line: a file (written atomically) and/or the speakers."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from studio.audio.samplerate import SAMPLE_RATE
from studio.engine.take import Take
from studio.errors import InvalidInput, StudioError
from studio.fsutil import default_mode

FORMATS = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".mp3": "MP3"}


def format_for(path: Path) -> str:
    import soundfile as sf

    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput(f"Cannot write {path.name}: use a .wav, .flac, .ogg or .mp3 file name.")
    if fmt not in sf.available_formats():
        raise InvalidInput(f"This installation cannot write {fmt} files; use .wav or .flac.")
    return fmt


class TakeSink:
    """Receives chunks. ``live``: the file grows (as ``.<name>.part``) and playback starts
    with the first chunk; otherwise both happen at the end. The file appears under its
    real name only when complete (or when the user stopped early: what was made is kept)."""

    def __init__(self, path: Path | None, play: bool = False, live: bool = False,
                 expected_s: float | None = None, progress: Any = None) -> None:
        self.expected_s = expected_s
        self.progress = progress  # the take's ProgressBox, for the start policy
        self.path = path
        self.play = play
        self.live = live
        self._file: Any = None
        self._tmp: str | None = None
        self._chunks: list[np.ndarray] = []
        self._player: Any = None

    def open(self) -> None:
        if self.path is not None:
            fmt = format_for(self.path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.live:
                import soundfile as sf

                fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part",
                                                 dir=self.path.parent)
                default_mode(fd)
                os.close(fd)
                self._file = sf.SoundFile(self._tmp, "w", SAMPLE_RATE, 1, format=fmt)
        if self.play:
            try:
                self._player = _open_player()
                if self.live:
                    self._player.start_stream(self.expected_s, self.progress)
            except StudioError as exc:
                if self.path is None:
                    raise
                from studio.cli.output import info

                info(f"Not playing: {exc} Writing {self.path} only.")
                self.play, self._player = False, None

    def add(self, chunk: np.ndarray) -> None:
        self._chunks.append(chunk)
        if self._file is not None:
            self._file.write(chunk)
            self._file.flush()
        if self._player is not None:
            self._player.append(chunk)

    def close(self, take: Take | None) -> None:
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        try:
            if self._file is not None:
                self._file.close()
                if audio.size:
                    os.replace(self._tmp, self.path)  # type: ignore[arg-type]
                else:
                    os.unlink(self._tmp)  # type: ignore[arg-type]
                    self.path = None
            elif self.path is not None:
                if audio.size:
                    import soundfile as sf

                    from studio.fsutil import atomic_open

                    with atomic_open(self.path) as fh:
                        sf.write(fh, audio, SAMPLE_RATE, format=format_for(self.path))
                else:
                    self.path = None
            if self.play and audio.size and self._player is not None:
                if self.live:
                    self._player.end_stream()
                else:
                    self._player.play(audio, SAMPLE_RATE)
                self._player.wait()
        finally:
            if self._tmp and os.path.exists(self._tmp):
                with contextlib.suppress(OSError):
                    os.unlink(self._tmp)
            if self._player is not None:
                self._player.close()


def _open_player() -> Any:
    from studio.cli.playback import CliPlayer

    return CliPlayer()
