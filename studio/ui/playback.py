"""The window's one audio player, shared by every page.

Wraps studio.audio.Player (one sounddevice output stream fed from a ring buffer); a take
still being made plays from the same growing track its job appends to (``stream``). A
~30 ms timer reports the position for playheads while something plays. Each play call names an
``owner`` (a page or widget), so only the owner's playhead moves. A missing device never
crashes anything: ``unavailable`` carries the reason and the caller keeps working, and
``reason`` / ``output_changed`` let every play control be disabled up front, with the reason
on it, instead of failing when pressed (``gate_play``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractButton

from studio.audio.forecast import ProgressBox
from studio.audio.player import Player
from studio.audio.policy import AdaptiveStart, prebuffer
from studio.audio.track import Track
from studio.errors import StudioError

log = logging.getLogger(__name__)


def gate_play(button: QAbstractButton, wanted: bool, reason: str, tip: str) -> None:
    """Enable a play control only when sound can come out; otherwise its tooltip says why
    (a disabled button with the reason beats a click that fails)."""
    button.setEnabled(wanted and not reason)
    button.setToolTip(f"Cannot play: {reason}" if reason else tip)


class PlaybackController(QObject):
    position_changed = Signal(object, float)  # owner, seconds
    state_changed = Signal(object, str)  # owner, idle|playing|paused|buffering|finished
    unavailable = Signal(str)  # why audio cannot play
    output_changed = Signal(str)  # the new ``reason`` ("" once output works)

    def __init__(self, sd: object | None = None, device: str | int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sd = sd
        self._device = device
        self._player: Player | None = None
        self.owner: object | None = None
        self._state = "idle"
        self._timer = QTimer(self)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self._tick)
        self.last_error = ""
        self.start_policy: AdaptiveStart | None = None  # the stream's, for its eta
        self.reason = ""  # why nothing can play ("" when an output device is there)
        self.refresh_output()

    # --- the player -----------------------------------------------------------------------

    def _get(self) -> Player:
        if self._player is None:
            self._player = Player(sd=self._sd, device=self._device)
        return self._player

    def prepare(self) -> None:
        """Open the output device ahead of the first take (opening it takes tens of ms, which
        would otherwise stall the window just as the first audio arrives). Quiet on failure:
        the first play reports why."""
        try:
            self._get().open()
        except StudioError:
            self.refresh_output()

    def available(self) -> tuple[bool, str]:
        from studio.audio.devices import audio_available

        try:
            return audio_available(self._sd, "output")
        except StudioError as exc:
            return False, str(exc)

    def refresh_output(self) -> str:
        """Look for an output device again; tell the play controls if that changed."""
        ok, why = self.available()
        reason = "" if ok else why or "No audio output device is available."
        if reason != self.reason:
            self.reason = reason
            self.output_changed.emit(reason)
        return reason

    def watch_output(self, slot: Callable[[str], None]) -> None:
        """Call ``slot`` with ``reason`` now and whenever it changes."""
        slot(self.reason)
        self.output_changed.connect(slot)

    def _report(self, exc: StudioError) -> None:
        """Playback failed: say why, and look at the output devices again."""
        self.last_error = str(exc)
        self.refresh_output()
        self.unavailable.emit(str(exc))

    @property
    def player(self) -> Player | None:
        return self._player

    @property
    def state(self) -> str:
        return self._state

    def position(self) -> float:
        return float(self._player.position) if self._player is not None else 0.0

    # --- commands (GUI thread) ----------------------------------------------------------------

    def play(self, audio: np.ndarray, sample_rate: int, owner: object) -> bool:
        self._switch_owner(owner)
        try:
            self._get().play(audio, sample_rate)
            ok = True
        except StudioError as exc:
            self._report(exc)
            ok = False
        self._timer.start()
        return ok

    def stream(self, owner: object, track: Track, expected_s: float | None = None,
               progress: ProgressBox | None = None) -> bool:
        """Play a take while it is made, from the same ``track`` its maker appends to.
        With ``expected_s`` (a guess of its length) playback starts once it will not stall
        (AdaptiveStart, forecasting from the maker's ``progress`` when it publishes one);
        otherwise after a short buffer."""
        self._switch_owner(owner)
        self.start_policy = AdaptiveStart(expected_s, progress=progress) if expected_s else None
        try:
            player = self._get()
            player.policy = self.start_policy or prebuffer(0.3)
            player.stream(track)
            ok = True
        except StudioError as exc:
            self._report(exc)
            ok = False
        self._timer.start()
        return ok

    def pump(self, owner: object) -> None:
        """Audio arrived for ``owner``'s take: let the player take it in now (the track
        wakes the player's feeder anyway; this keeps the start policy's estimate current
        for a status line shown right away)."""
        if owner is self.owner and self._player is not None:
            self._player.pump()

    def toggle(self, owner: object) -> None:
        """Space: pause what plays, or resume/replay what is paused or finished."""
        if self._player is None or owner is not self.owner:
            return
        if self._state in ("playing", "buffering"):
            self._player.pause()
        else:
            try:
                self._player.resume()
            except StudioError as exc:
                self._report(exc)
            self._timer.start()
        self._tick()

    def pause(self) -> None:
        if self._player is not None:
            self._player.pause()
            self._tick()

    def seek(self, seconds: float, owner: object) -> None:
        if self._player is not None and owner is self.owner:
            self._player.seek(seconds)
            self._timer.start()
            self._tick()

    def stop(self, owner: object | None = None) -> None:
        if self._player is not None and (owner is None or owner is self.owner):
            self._player.stop()
            self._tick()

    def set_device(self, device: str | int | None) -> None:
        self._device = device
        if self._player is not None:
            self._player.set_device(device)
        self.refresh_output()

    def close(self) -> None:
        self._timer.stop()
        if self._player is not None:
            self._player.close()
            self._player = None

    # --- reporting ----------------------------------------------------------------------------

    def _switch_owner(self, owner: object) -> None:
        if self.owner is not None and self.owner is not owner:
            self.state_changed.emit(self.owner, "idle")
        self.owner = owner

    def _tick(self) -> None:
        player = self._player
        if player is None:
            self._timer.stop()
            return
        state = str(player.state)
        self.position_changed.emit(self.owner, float(player.position))
        if state != self._state:
            self._state = state
            self.state_changed.emit(self.owner, state)
        if state in ("idle", "finished", "paused"):
            self._timer.stop()
