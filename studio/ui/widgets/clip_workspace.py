"""The clip to clone: record it or import it, see it, choose the part to keep, and read the
reference check of that part.

Every clip goes into the library's preview area as soon as it exists (with the original
file, for an import), so a crash before saving loses nothing. Whether a clip may be
replaced is asked through ``confirm`` (the page's unsaved-work question).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.audio.clip import Clip
from studio.audio.files import import_clip
from studio.audio.reference_check import check_reference
from studio.audio.samplerate import SAMPLE_RATE
from studio.errors import StudioError
from studio.ui.widgets.clip_editor import ClipEditor
from studio.ui.widgets.recorder_panel import RecorderPanel
from studio.ui.widgets.report_view import ReportView

AUDIO_FILTER = ("Audio files (*.wav *.flac *.ogg *.oga *.opus *.mp3 *.aif *.aiff *.au *.caf "
                "*.w64 *.rf64);;All files (*)")
DROP_HINT = "Record, import a file, or drop an audio file anywhere on this page."


class ClipWorkspace(QWidget):
    clip_changed = Signal()  # a new clip, or none (a recording began)
    selection_changed = Signal(float, float)  # the report is up to date when this fires

    def __init__(self, ctx: Any, notice: Any, owner: object, confirm: Callable[[], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.notice, self.owner, self.confirm = ctx, notice, owner, confirm
        self.clip: Clip | None = None
        self.item: Any = None  # the clip's PreviewItem, if it could be kept on disk
        self.origin = ""  # "import" | "recording"
        self.label = ""  # the file's name, or "Recording"
        self.report: Any = None  # the check of the selection
        self.serial = 0  # changes with every clip (for caches keyed on the clip)
        self._play_offset = 0.0  # where the played selection starts, for the playhead
        # (start, end) -> a TranscriptCheck of the selection, or None: set by the page
        self.transcript_check: Callable[[float, float], Any] | None = None

        self.recorder = RecorderPanel(ctx.sd, ctx.settings)
        self.import_button = QPushButton("Import file…")
        self.import_button.setToolTip("Import a recording: WAV, FLAC, OGG, MP3 or any format "
                                      "libsndfile reads. You can also drop a file on the page.")
        self.import_button.clicked.connect(self.import_dialog)
        self.clip_label = QLabel(DROP_HINT)
        self.clip_label.setObjectName("hint")
        self.clip_label.setWordWrap(True)
        self.editor = ClipEditor()
        self.report_view = ReportView()

        info = QHBoxLayout()
        info.addWidget(self.clip_label, 1)
        info.addWidget(self.import_button)
        clip_row = QHBoxLayout()
        clip_row.addWidget(self.editor, 1)
        clip_row.addWidget(self.report_view)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.recorder)
        col.addLayout(info)
        col.addLayout(clip_row, 1)

        self.recorder.record_requested.connect(self._record_requested)
        self.recorder.started.connect(self._recording_started)
        self.recorder.chunk.connect(self.editor.wave.append)
        self.recorder.stopped.connect(self._recording_stopped)
        self.recorder.failed.connect(lambda m: self.notice.show_message(m, "error"))
        self.editor.selection_changed.connect(self._selection_changed)
        self.editor.play_requested.connect(self.play_selection)
        self.editor.wave.seek_requested.connect(self._seek)
        self.editor.message.connect(self.notice.show_message)
        ctx.playback.position_changed.connect(self._on_position)
        ctx.playback.state_changed.connect(self._on_play_state)
        ctx.playback.watch_output(self.editor.set_output)

    # --- importing -------------------------------------------------------------------------

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a recording", str(Path.home()),
                                              AUDIO_FILTER)
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> bool:
        """Import ``path`` as the clip; asks before an unsaved clip is replaced.

        The file is decoded first, so a bad file is refused without a pointless question
        and the current clip stays as it was."""
        path = Path(path)
        if self.recorder.state != "idle":
            self.notice.show_message("Stop recording first, then import the file.", "warning")
            return False
        try:
            clip = import_clip(path)
        except StudioError as exc:
            self.notice.show_message(f"Could not import the file: {exc}", "error")
            return False
        if not self.confirm():
            return False
        item = self._keep(clip.audio, "import", {"file": path.name}, original=path)
        self._show(clip, "import", item, path.name)
        return True

    def open_audio(self, audio: np.ndarray, label: str, origin: str) -> bool:
        """Show audio made in the app (e.g. takes combined) as the clip; asks before an
        unsaved clip is replaced, and keeps it on disk like a recording."""
        if self.recorder.state != "idle":
            self.notice.show_message("Stop recording first.", "warning")
            return False
        if not self.confirm():
            return False
        clip = Clip(audio, SAMPLE_RATE)
        item = self._keep(clip.audio, "recording", {"seconds": round(clip.duration, 2),
                                                    "label": label})
        self._show(clip, origin, item, label)
        return True

    def _keep(self, audio: np.ndarray, kind: str, meta: dict, original: Path | None = None) -> Any:
        try:
            return self.ctx.library.previews.add_audio(audio, SAMPLE_RATE, kind, meta, original=original)
        except (OSError, StudioError) as exc:
            self.notice.show_message(f"The clip could not be kept on disk ({exc}); it is only "
                                     "in memory, so save it as a voice before closing.",
                                     "warning")
            return None

    # --- recording -------------------------------------------------------------------------

    def _record_requested(self) -> None:
        if self.confirm():
            self.recorder.start()

    def _recording_started(self, device_rate: int) -> None:
        self.ctx.playback.stop(self.owner)
        self._set(None, "", None, "")
        self.editor.begin_live(device_rate)
        self.report_view.set_report(None)
        self.clip_label.setText("Recording… speak a few full sentences (5-15 s is best).")
        self.clip_changed.emit()

    def _recording_stopped(self, clip: Clip, reason: str) -> None:
        if clip.duration < 0.1:
            self.editor.set_clip(None, None)
            self.clip_label.setText(DROP_HINT)
            self.notice.show_message("Nothing was recorded. Check that the right input is "
                                     "selected and not muted, then record again.", "warning")
            return
        item = self._keep(clip.audio, "recording", {"seconds": round(clip.duration, 2)})
        self._show(clip, "recording", item, "Recording")
        if reason == "limit":
            self.notice.show_message(
                f"Recording stopped at the {self.recorder.max_seconds:.0f} s limit. Select "
                "the best 5-15 s (or use the suggested window).", "info")

    # --- the clip --------------------------------------------------------------------------

    def _set(self, clip: Clip | None, origin: str, item: Any, label: str) -> None:
        self.clip, self.origin, self.item, self.label = clip, origin, item, label
        self.report = None
        self.serial += 1

    def _show(self, clip: Clip, origin: str, item: Any, label: str) -> None:
        self.ctx.playback.stop(self.owner)
        self._set(clip, origin, item, label)
        whole = check_reference(clip.audio, SAMPLE_RATE, source=self._source())
        self.editor.set_clip(clip.audio, whole.best_window)
        self.clip_label.setText(f"{label} · {clip.duration:.1f} s. Drag the edges of the "
                                "shaded region to choose the part to keep.")
        self.clip_changed.emit()
        self._selection_changed(*self.editor.selection())

    def forget_item(self) -> None:
        """The clip was saved into a voice: its preview item is gone."""
        self.item = None

    def _source(self) -> Any:
        """The original's facts (channels, rate) matter for an import, not a recording."""
        return self.clip.source if self.clip is not None and self.origin == "import" else None

    def selection(self) -> tuple[float, float]:
        return self.editor.selection()

    def selected_audio(self) -> np.ndarray:
        return self.editor.selected_audio()

    def whole_selected(self) -> bool:
        a, b = self.selection()
        return self.clip is not None and a * SAMPLE_RATE < 1 and b * SAMPLE_RATE > len(self.clip.audio) - 1

    def _selection_changed(self, start: float, end: float) -> None:
        if self.clip is None:
            self.report = None
            self.report_view.set_report(None)
        else:
            check = self.transcript_check(start, end) if self.transcript_check else None
            self.report = check_reference(self.clip.audio, SAMPLE_RATE, source=self._source(),
                                          selection=(start, end), transcript=check)
            what = ("the whole clip" if self.whole_selected()
                    else f"the selection, {end - start:.1f} s")
            self.report_view.set_report(self.report, what)
        self.selection_changed.emit(start, end)

    def refresh_report(self) -> None:
        """Check the selection again (the transcript or its check changed)."""
        self._selection_changed(*self.selection())

    # --- playing the selection -------------------------------------------------------------

    def play_selection(self) -> None:
        playback = self.ctx.playback
        if playback.reason:
            return  # the button says why
        if playback.owner is self.owner and playback.state in ("playing", "buffering"):
            playback.stop(self.owner)
            return
        self._play_offset = self.selection()[0]
        if not playback.play(self.selected_audio(), SAMPLE_RATE, self.owner):
            self.notice.show_message(f"Cannot play the clip: {playback.last_error}", "error")

    def _seek(self, seconds: float) -> None:
        """A click in the waveform while the selection plays jumps there."""
        playback = self.ctx.playback
        a, b = self.selection()
        if playback.owner is self.owner and playback.state != "idle" and a <= seconds <= b:
            playback.seek(seconds - a, self.owner)

    def _on_position(self, owner: object, seconds: float) -> None:
        if owner is self.owner:
            self.editor.wave.set_playhead(self._play_offset + seconds)

    def _on_play_state(self, owner: object, state: str) -> None:
        if owner is self.owner:
            playing = state in ("playing", "buffering")
            self.editor.play_button.setText("■ Stop" if playing else "▶ Play")
            if not playing:
                self.editor.wave.set_playhead(None)

    def shutdown(self) -> None:
        self.recorder.shutdown()
        self.ctx.playback.stop(self.owner)
