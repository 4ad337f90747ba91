"""Speak: pick a voice, type text, Generate streams it to the speakers and the waveform."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.audio.samplerate import SAMPLE_RATE
from studio.engine import text as textmod
from studio.engine.speak_request import SpeakRequest
from studio.engine.take import Take
from studio.errors import StudioError
from studio.library.anyvoice import DESIGN_PRESET, SAVED, SPEAKER, VoiceRef
from studio.ui.context import AppContext
from studio.ui.jobs import TakeJob
from studio.ui.pages.base import Page
from studio.ui.playback import gate_play
from studio.ui.shortcuts import PLAY_PAUSE, RUN, STOP, add_shortcuts
from studio.ui.take_export import export_take
from studio.ui.take_notices import show_take_notices
from studio.ui.widgets.language_combo import language_combo
from studio.ui.widgets.new_voice import NewVoiceButton
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.play_button import PlayPauseButton
from studio.ui.widgets.sampling_box import SamplingBox
from studio.ui.widgets.take_history import TakeHistory, TakeRecord
from studio.ui.widgets.waveform import WaveformView


class SpeakPage(Page):
    take_finished = Signal(object)  # TakeRecord (tests and other pages listen)
    state_changed = Signal(str)  # idle | generating

    def __init__(self, ctx: AppContext, notice: NoticeBar) -> None:
        super().__init__(ctx, notice)
        self.voice: VoiceRef | None = None
        self.take: TakeJob | None = None  # the take being generated
        self._started = 0.0
        self._shown: TakeRecord | None = None
        self.max_frames: int | None = None  # a length cap (tests, previews); None: no cap
        self.last_take = None  # the engine's Take of the last finished generation
        self._ab_partner: TakeRecord | None = None  # compare with this when the take ends

        self.voice_label = QLabel("Choose a voice in the list on the left")
        self.voice_label.setObjectName("title")
        self.voice_detail = QLabel("")
        self.voice_detail.setObjectName("hint")
        self.voice_detail.setWordWrap(True)
        self.new_voice = NewVoiceButton(ctx.library.root)
        self.new_voice.drawn_anew.connect(self._drawn_anew)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("Type or paste what the voice should say. Long texts are "
                                     "welcome: they are spoken sentence by sentence.")
        self.text.textChanged.connect(self._text_changed)
        self.estimate = QLabel("")
        self.estimate.setObjectName("hint")
        self.language = language_combo(ctx.settings.default_language)
        self.instruct = QLineEdit()
        self.instruct.setPlaceholderText("Style, e.g. 'cheerful and fast' (1.7B CustomVoice)")
        self.sampling = SamplingBox()
        self.sampling.load(ctx.settings.sampling)
        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("primary")
        self.generate_button.setToolTip("Generate and play (Ctrl+Enter)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop generating and playing (Esc)")
        self.stop_button.setEnabled(False)
        self.generate_button.clicked.connect(self.generate)
        self.stop_button.clicked.connect(self.stop)
        self.status = QLabel("")
        self.status.setObjectName("hint")

        self.wave = WaveformView(SAMPLE_RATE, empty_text="Generated audio appears here as it streams")
        self.wave.seek_requested.connect(lambda s: ctx.playback.seek(s, self))
        self.play_button = PlayPauseButton()
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.clicked.connect(self.toggle_play)
        self.history = TakeHistory()
        self.history.play_requested.connect(self.play_record)
        self.history.compare_requested.connect(self.compare)
        self.history.regenerate_requested.connect(self.regenerate)
        self.history.other_mode_requested.connect(self.other_mode)
        self.history.export_requested.connect(lambda r: export_take(self, notice, r))
        self.history.selected.connect(self._show_record)

        top = QWidget()
        col = QVBoxLayout(top)
        col.setContentsMargins(12, 10, 12, 4)
        title = QHBoxLayout()
        title.addWidget(self.voice_label, 1)
        title.addWidget(self.new_voice)
        col.addLayout(title)
        col.addWidget(self.voice_detail)
        col.addWidget(self.text, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Language"))
        row.addWidget(self.language)
        row.addWidget(self.instruct, 1)
        col.addLayout(row)
        col.addWidget(self.sampling)
        actions = QHBoxLayout()
        actions.addWidget(self.generate_button)
        actions.addWidget(self.stop_button)
        actions.addWidget(self.estimate, 1)
        col.addLayout(actions)
        bottom = QWidget()
        col2 = QVBoxLayout(bottom)
        col2.setContentsMargins(12, 4, 12, 10)
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.status, 1)
        col2.addLayout(transport)
        col2.addWidget(self.wave, 1)
        col2.addWidget(QLabel("Takes"))
        col2.addWidget(self.history, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([330, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        add_shortcuts(self, RUN, self.generate)
        add_shortcuts(self, STOP, self.stop)
        add_shortcuts(self, PLAY_PAUSE, self.toggle_play)

        ctx.playback.position_changed.connect(self._on_position)
        ctx.playback.state_changed.connect(self._on_play_state)
        ctx.playback.watch_output(self._show_output)
        self._text_changed()
        self._update_voice_ui()

    # --- voice ---------------------------------------------------------------------------

    def set_voice(self, ref: VoiceRef) -> None:
        self.voice = ref
        self._update_voice_ui()

    def _update_voice_ui(self) -> None:
        ref = self.voice
        self.generate_button.setEnabled(ref is not None and self.take is None)
        self.new_voice.show_for(ref)
        if ref is None:
            self.instruct.setEnabled(False)
            return
        kind = {SAVED: "Your voice", DESIGN_PRESET: "Built-in voice (VoiceDesign)",
                SPEAKER: "Preset speaker (CustomVoice)"}[ref.source]
        self.voice_label.setText(ref.name)
        self.voice_detail.setText(f"{kind} · {ref.language}{self._kept_text()}" +
                                  (f" · {ref.description}" if ref.description else ""))
        if ref.source == SPEAKER:
            supports = any(m.kind == "custom_voice" and m.supports_instruct and m.usable
                           for m in self.ctx.pool.available())
            self.instruct.setEnabled(supports)
            self.instruct.setPlaceholderText(
                "Style, e.g. 'cheerful and fast'" if supports else
                "Style instructions need the 1.7B CustomVoice model (Models menu)")
        elif ref.source == DESIGN_PRESET:
            self.instruct.setEnabled(True)
            self.instruct.setPlaceholderText("Another description: a new voice every take "
                                             "(leave empty for this voice's kept speaker)")
        else:
            self.instruct.setEnabled(False)
            self.instruct.setPlaceholderText("Cloned voices speak in the style of their clip")
        if ref.sample_text and not self.text.toPlainText().strip():
            self.text.setPlainText(ref.sample_text)

    def _kept_text(self) -> str:
        if self.voice is None or self.voice.source != DESIGN_PRESET:
            return ""
        return (" · the same speaker every take" if self.new_voice.kept() else
                " · the next take draws a speaker and keeps it")

    def _drawn_anew(self, message: str) -> None:
        self._update_voice_ui()
        self.status.setText(message)

    def _text_changed(self) -> None:
        text = self.text.toPlainText()
        segments = textmod.segment(text) if text.strip() else []
        if not segments:
            self.estimate.setText("")
            return
        secs = sum(textmod.expected_seconds(s) for s, _ in segments) / 1.6
        parts = f"{len(segments)} parts, " if len(segments) > 1 else ""
        self.estimate.setText(f"{len(text)} characters, {parts}about {secs:.0f} s of speech")

    # --- generating ----------------------------------------------------------------------

    def build_request(self, seed: int | None = None) -> SpeakRequest:
        if self.voice is None:
            raise StudioError("Choose a voice in the list on the left first.")
        from dataclasses import replace

        from studio.engine.options import Streaming

        first = max(1, int(self.ctx.settings.first_chunk_frames))
        sampling = replace(self.sampling.sampling(seed), max_frames=self.max_frames)
        return self.voice.request(
            self.text.toPlainText(), self.ctx.library,
            language=self.language.currentData(), instruct=self.instruct.text().strip() or None,
            sampling=sampling, streaming=Streaming(first_chunk=first))

    def generate(self, seed: int | None = None) -> TakeJob | None:
        """Start a take from the text; returns its job (None if nothing started)."""
        if self.take is not None or not self.generate_button.isEnabled():
            return None
        if not self.text.toPlainText().strip():
            self.notice.show_message("Type some text to speak first.", "warning")
            return None
        try:
            request = self.build_request(seed if isinstance(seed, int) else None)
        except StudioError as exc:
            self.notice.show_message(str(exc), "error")
            return None
        return self._start(request)

    def _start(self, request: SpeakRequest) -> TakeJob:
        self._started = time.monotonic()
        self.take = job = self.ctx.inference.speak(request)
        job.chunk.connect(self._on_chunk)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        self.wave.show_track(job.track)
        expected = textmod.expected_take_seconds(request.text, request.sampling.max_frames)
        self.ctx.playback.stream(self, job.track, expected)
        self._set_generating(True)
        self.status.setText("Starting…")
        return job

    def stop(self) -> None:
        if self.take is not None:
            self.take.cancel()
            self.status.setText("Stopping…")
        self.ctx.playback.stop(self)

    def _set_generating(self, on: bool) -> None:
        self.generate_button.setEnabled(not on and self.voice is not None)
        self.stop_button.setEnabled(on)
        self.new_voice.setEnabled(not on)
        self.state_changed.emit("generating" if on else "idle")

    def _on_chunk(self, _start: int, received: int) -> None:
        self.wave.refresh()
        playback = self.ctx.playback
        playback.pump(self)
        elapsed = max(time.monotonic() - self._started, 1e-6)
        audio_s = received / SAMPLE_RATE
        text = (f"Generating: {audio_s:.1f} s of audio in {elapsed:.1f} s "
                f"({audio_s / elapsed:.2f}× real time)")
        policy = playback.start_policy
        if (playback.owner is self and playback.state in ("buffering", "idle")
                and policy is not None and policy.eta_s):
            text += f" · playback starts in about {policy.eta_s:.0f} s, so it will not stutter"
        self.status.setText(text)

    def _ended(self) -> SpeakRequest | None:
        """The take's job reported its end: the page is free again."""
        job, self.take = self.take, None
        self._set_generating(False)
        self.wave.end_stream()
        return job.request if job is not None else None

    def _on_finished(self, take: Take) -> None:
        request = self._ended()
        self.last_take = take
        ref = self.voice
        mode = (request.speed if request else None) or self.ctx.pool.speed
        name = (ref.name if ref else "") + (" · fast" if mode == "fast" else "")
        record = TakeRecord(text=request.text if request else "", voice_name=name,
                            voice_key=ref.key if ref else "", seed=take.seed, audio=take.audio,
                            sample_rate=take.sample_rate, request=request,
                            stop_reason=take.stop_reason)
        try:
            item = self.ctx.library.previews.add_audio(take.audio, take.sample_rate, "preview",
                                                       {"text": record.text, "seed": take.seed})
            record.preview_id = item.id
        except (OSError, StudioError):
            pass  # the take is still in memory and exportable
        self.history.add(record)
        rtf = take.elapsed_s / take.duration_s if take.duration_s else 0.0
        self.status.setText(f"{take.duration_s:.1f} s in {take.elapsed_s:.1f} s "
                            f"({1 / rtf if rtf else 0:.2f}× real time) · seed {take.seed}")
        show_take_notices(self, self.notice, take)
        if take.voice is not None and ref is not None and ref.source == DESIGN_PRESET:
            self._update_voice_ui()  # its speaker is kept now
        self.take_finished.emit(record)
        partner, self._ab_partner = self._ab_partner, None
        if partner is not None and take.stop_reason != "cancelled":
            self.compare(partner, record)

    def _on_failed(self, message: str) -> None:
        self._on_cancelled()
        self.notice.show_message(message, "error")

    def _on_cancelled(self) -> None:
        self._ended()
        self.ctx.playback.stop(self)
        self.status.setText("")

    # --- playback and history ---------------------------------------------------------------

    def _show_output(self, reason: str) -> None:
        """No sound output: the play controls are off and say why; Generate still works."""
        gate_play(self.play_button, True, reason, "Play / pause (Space)")
        self.history.set_output(reason)

    def toggle_play(self) -> None:
        if self.ctx.playback.reason:
            return  # Space does what the disabled button would
        if self.ctx.playback.owner is self and self.ctx.playback.state != "idle":
            self.ctx.playback.toggle(self)
        elif self._shown is not None:
            self.play_record(self._shown)
        elif self.wave.duration:
            self.ctx.playback.play(self.wave.audio, SAMPLE_RATE, self)

    def _show_record(self, record: TakeRecord | None) -> None:
        if record is None or self.take is not None:
            return
        self._shown = record
        self.wave.set_audio(record.audio, record.sample_rate)

    def play_record(self, record: TakeRecord) -> None:
        self._shown = record
        self.wave.set_audio(record.audio, record.sample_rate)
        self.ctx.playback.play(record.audio, record.sample_rate, self)

    def compare(self, a: TakeRecord, b: TakeRecord) -> None:
        gap = np.zeros(int(0.6 * a.sample_rate), np.float32)
        both = np.concatenate([a.audio, gap, b.audio])
        self.wave.set_audio(both, a.sample_rate)
        self.status.setText(f"Comparing: seed {a.seed}, then seed {b.seed}")
        self.ctx.playback.play(both, a.sample_rate, self)

    def regenerate(self, record: TakeRecord) -> None:
        if record.request is None or self.take is not None:
            return
        from dataclasses import replace

        request = replace(record.request, sampling=replace(record.request.sampling,
                                                           seed=self.sampling.roll()))
        self._start(request)

    def other_mode(self, record: TakeRecord) -> None:
        """Make the same take (same seed) in the other speed mode, then play both."""
        if record.request is None or self.take is not None:
            return
        from dataclasses import replace

        mode = record.request.speed or self.ctx.pool.speed
        other = "exact" if mode == "fast" else "fast"
        self._ab_partner = record
        self._start(replace(record.request, speed=other,
                            sampling=replace(record.request.sampling, seed=record.seed)))
        self.status.setText(f"Making the same take in {other} mode for an A/B listen…")

    def _on_position(self, owner: object, seconds: float) -> None:
        if owner is self:
            self.wave.set_playhead(seconds)

    def _on_play_state(self, owner: object, state: str) -> None:
        if owner is self:
            playing = state in ("playing", "buffering")
            self.play_button.set_playing(playing)
            if state == "idle":
                self.wave.set_playhead(None)

    def shutdown(self) -> None:
        self.ctx.settings.sampling = self.sampling.to_dict()
        if self.take is not None:
            self.take.cancel()
