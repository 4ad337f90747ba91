"""Playing a take from the command line through the shared audio Player."""

from __future__ import annotations

from typing import Any

import numpy as np


class CliPlayer:
    """Opens the output device on first use; a missing device raises a clear error."""

    def __init__(self, device: str | int | None = None) -> None:
        from studio.audio.devices import audio_available
        from studio.audio.player import Player
        from studio.errors import DeviceUnavailable

        ok, reason = audio_available(None, "output")
        if not ok:
            raise DeviceUnavailable(reason)
        self._player = Player(device=device)

    def start_stream(self, expected_s: float | None = None, progress: Any = None) -> None:
        """Start a growing take; with a length guess, playback waits until it won't stall
        (forecast from the maker's ``progress``, a ProgressBox, when it publishes one)."""
        if expected_s:
            from studio.audio.policy import AdaptiveStart

            self._player.policy = AdaptiveStart(expected_s, progress=progress)
        self._player.begin_stream()

    def append(self, chunk: np.ndarray) -> None:
        self._player.append(chunk)

    def end_stream(self) -> None:
        self._player.end_of_stream()

    def play(self, audio: np.ndarray, sample_rate: int) -> None:
        self._player.play(audio, sample_rate)

    def wait(self) -> None:
        try:
            while not self._player.wait_done(0.2):
                pass
        except KeyboardInterrupt:
            self._player.stop()

    def close(self) -> None:
        self._player.close()
