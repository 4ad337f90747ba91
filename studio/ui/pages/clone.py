"""Clone: record or import a clip, choose the part to keep (guided by the reference check),
type what is said (or Transcribe it: clone_transcribe.py), preview the cloned voice
streaming, and keep it as a new voice or as another take of one (clone_save.py).

The clip side (recording, importing, the waveform, the check) is the ClipWorkspace; this
page turns the selection into a voice. The clone prompt is built on the inference thread
and cached for the (clip, selection, transcript, mode) it was made from, so Save after
Preview does not build it again. One request runs at a time: ``job``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from studio.audio.clip import Clip
from studio.audio.reference_check import ReferenceReport
from studio.audio.samplerate import SAMPLE_RATE
from studio.engine import text as textmod
from studio.engine.options import Sampling, Streaming
from studio.engine.prompts import VoicePrompt
from studio.engine.speak_request import CLONE, PromptRequest, SpeakRequest
from studio.engine.take import Take
from studio.errors import StudioError
from studio.library.errors import InvalidName
from studio.ui.context import AppContext
from studio.ui.jobs import Job, TakeJob
from studio.ui.pages.base import Page
from studio.ui.pages.clone_save import CloneSaver
from studio.ui.pages.clone_transcribe import CloneTranscriber
from studio.ui.shortcuts import RUN, STOP, add_shortcuts
from studio.ui.widgets.clip_editor import clear_wave
from studio.ui.widgets.clip_workspace import ClipWorkspace
from studio.ui.widgets.clone_form import TRADE_OFF, CloneForm
from studio.ui.widgets.clone_preview import ClonePreview
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.voice_name import check_name, suggest_name

MIN_SECONDS = 1.0  # what the Base model's prompt builder accepts (engine/reference.py)

# what a prompt is made from: (clip serial, first frame, end frame, transcript, x-vector only)
PromptKey = tuple[int, int, int, str, bool]
# what to do once the prompt is there
Then = Callable[[VoicePrompt, PromptKey, PromptRequest], object]


class ClonePage(Page):
    preview_finished = Signal(object)  # the preview's Take (tests listen)
    takes_changed = Signal(str)  # a take was added to the voice with this key

    def __init__(self, ctx: AppContext, notice: NoticeBar) -> None:
        super().__init__(ctx, notice)
        self.max_frames: int | None = None  # a length cap for previews (tests)
        self._prompt: tuple[PromptKey, VoicePrompt] | None = None  # the cached prompt
        self.job: Job | None = None  # the request running now: a prompt, or the preview
        self._save_name = ""
        self._suggested = ""
        self.setAcceptDrops(True)

        self.workspace = ClipWorkspace(ctx, notice, self, lambda: self.confirm_discard(self))
        ws = self.workspace  # its parts, by the names tests and the page use
        self.recorder, self.editor, self.report_view = ws.recorder, ws.editor, ws.report_view
        self.form = CloneForm(ctx.settings.default_language)
        self.preview_box = ClonePreview()
        self.preview_box.preview_button.clicked.connect(self.preview)
        self.preview_box.stop_button.clicked.connect(self.stop)
        self.preview_box.save_button.clicked.connect(self.save)
        self.preview_box.replay_button.clicked.connect(self.replay_preview)
        self.saver = CloneSaver(ctx, notice, self.workspace, self.form, self.preview_box, self)
        self.saver.voice_saved.connect(self.voice_saved)
        self.saver.takes_changed.connect(self.takes_changed)
        menu = self.preview_box.take_menu
        menu.aboutToShow.connect(lambda: self.saver.fill_take_menu(menu, self.add_take_to))
        self.hearing = CloneTranscriber(self)

        top = QWidget()
        col = QVBoxLayout(top)
        col.setContentsMargins(12, 10, 12, 4)
        col.addWidget(self.workspace)
        bottom = QWidget()
        col2 = QVBoxLayout(bottom)
        col2.setContentsMargins(12, 4, 12, 10)
        col2.addWidget(self.form)
        col2.addWidget(self.preview_box)
        col2.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([330, 350])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        add_shortcuts(self, RUN, self.preview)
        add_shortcuts(self, STOP, self.stop)

        self.workspace.clip_changed.connect(self._clip_changed)
        ctx.playback.state_changed.connect(self._on_play_state)
        ctx.playback.watch_output(self.preview_box.set_output)
        self._update_actions()

    # --- the clip --------------------------------------------------------------------------

    @property
    def clip(self) -> Clip | None:
        """The Clip being cloned (mono 24 kHz), or None."""
        return self.workspace.clip

    @property
    def report(self) -> ReferenceReport | None:
        """The reference check of the selection, or None."""
        return self.workspace.report

    @property
    def saved_as(self) -> str | None:
        """What the current clip was saved as, or None."""
        return self.saver.saved_as

    def import_file(self, path: str | Path) -> bool:
        return self.workspace.import_file(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if self.import_file(paths[0]) and len(paths) > 1:
            self.notice.show_message(f"One clip at a time: imported {Path(paths[0]).name} "
                                     "only.", "info")

    def _clip_changed(self) -> None:
        """A new clip (or a recording starting): the old preview and prompt no longer apply."""
        self.stop()
        self.hearing.reset()
        self.saver.saved_as = None
        self.saver.take_label = ""
        self.preview_box.consent.setChecked(False)  # the confirmation is for one clip
        self._prompt = None
        clear_wave(self.preview_box.wave)
        self.preview_box.status.setText("")
        if self.clip is not None and self._name_replaceable():
            ws = self.workspace
            base = Path(ws.label).stem.replace("_", " ") if ws.origin == "import" else ""
            self._suggested = suggest_name(self.ctx.library, base or "My voice")
            self.form.name.setText(self._suggested)
        self._update_actions()

    def _name_replaceable(self) -> bool:
        """Empty, our own suggestion, or taken (e.g. by the voice saved from the last clip)."""
        name = self.form.name.text().strip()
        if not name or name == self._suggested:
            return True
        try:
            check_name(self.ctx.library, name)
        except InvalidName:
            return True
        return False

    def _on_play_state(self, owner: object, state: str) -> None:
        if owner is self.preview_box.wave:
            self.preview_box.replay_button.set_playing(state in ("playing", "buffering"))
            if state in ("idle", "finished"):
                self.preview_box.wave.set_playhead(None)

    def replay_preview(self) -> None:  # the strip's ▶: the last preview again, or pause
        playback, wave = self.ctx.playback, self.preview_box.wave
        if playback.owner is wave and playback.state in ("playing", "buffering", "paused"):
            playback.toggle(wave)
        elif wave.duration > 0 and not self.busy:
            playback.play(wave.audio, SAMPLE_RATE, wave)

    def open_combined(self, voice_id: str, take_ids: list[str]) -> bool:
        """Open a voice's takes joined into one clip, with their words, to check, preview
        and keep as a new take."""
        from studio.library.combine import combine_takes

        try:
            entry = self.ctx.library.get(voice_id)
            joined = combine_takes(entry, take_ids)
        except (OSError, StudioError) as exc:
            self.notice.show_message(f"Could not combine the takes: {exc}", "error")
            return False
        if not self.workspace.open_audio(joined.audio, f"{joined.label} of {entry.name}",
                                         "combined"):
            return False
        self.form.transcript.setPlainText(joined.transcript)
        self.form.x_vector_only.setChecked(False)
        self.saver.take_label = joined.label
        self.notice.show_message(
            f"{joined.label} of “{entry.name}” joined: {joined.seconds:.1f} s. Listen, preview "
            "a sentence, then keep it as a new take.", "info",
            action=(f"Add to {entry.name}", lambda: self.add_take_to(entry.id)))
        return True

    # --- the prompt ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.job is not None

    def _update_actions(self) -> None:
        self.preview_box.set_busy(self.busy, self.clip is not None)

    def reference(self) -> tuple[PromptKey, PromptRequest] | None:
        """The prompt request for the selection, or None after saying what is missing."""
        if self.clip is None:
            self.notice.show_message("Record or import a clip of 5-15 s of clear speech "
                                     "first.", "warning")
            return None
        a, b = self.editor.selection()
        audio = self.editor.selected_audio()
        if len(audio) < MIN_SECONDS * SAMPLE_RATE:
            self.notice.show_message(f"The selection is {len(audio) / SAMPLE_RATE:.1f} s long; "
                                     "select at least 1 s of speech (5-15 s is best).",
                                     "warning")
            return None
        transcript = self.form.transcript_text()
        x_vector = self.form.x_vector_only.isChecked()
        if not transcript and not x_vector:
            self.notice.show_message("Type what is said in the selected part into the "
                                     "Transcript box, or tick “X-vector only”. " + TRADE_OFF,
                                     "warning")
            self.form.transcript.setFocus()
            return None
        key = (self.workspace.serial, int(round(a * SAMPLE_RATE)), int(round(b * SAMPLE_RATE)),
               transcript, x_vector)
        return key, PromptRequest(audio, SAMPLE_RATE, transcript or None, x_vector)

    def _with_prompt(self, then: Then, what: str, key: PromptKey,
                     request: PromptRequest) -> None:
        """Go on with ``then`` now if the prompt is cached, else have it built first;
        ``what`` names the goal in an error message."""
        if self._prompt is not None and self._prompt[0] == key:
            then(self._prompt[1], key, request)
            return
        if not self.need_model("base", "Cloning a voice"):
            return
        self.job = job = self.ctx.inference.make_prompt(request)
        job.finished.connect(partial(self._prompt_made, job, then, key, request))
        job.failed.connect(partial(self._failed, job, what))
        job.cancelled.connect(partial(self._cancelled, job))
        self.preview_box.status.setText("Analysing the voice in the selection…")
        self._update_actions()

    def _prompt_made(self, job: Job, then: Then, key: PromptKey, request: PromptRequest,
                     prompt: VoicePrompt) -> None:
        """Cached even when nobody waits any more (Stop): Save reuses it."""
        if key[0] == self.workspace.serial:
            self._prompt = (key, prompt)
        if self.job is job:
            self.job = None
            self._update_actions()
            then(prompt, key, request)

    # --- preview ---------------------------------------------------------------------------

    def preview(self) -> Job | None:
        """Speak the test sentence in the cloned voice, streamed; returns the job started
        (the prompt's, or the preview's when the prompt is cached)."""
        if self.busy:
            return None
        if self.ctx.playback.reason:  # Ctrl+Enter: say what the disabled button says
            self.notice.show_message(f"{self.ctx.playback.reason} Save voice still works.",
                                     "warning")
            return None
        if not self.preview_box.sentence.text().strip():
            self.notice.show_message("Type a test sentence for the preview to say.", "warning")
            return None
        ref = self.reference()
        if ref is None:
            return None
        self._with_prompt(lambda prompt, _key, _request: self._speak(prompt),
                          "preview the voice", *ref)
        return self.job

    def _speak(self, prompt: VoicePrompt) -> None:
        first = max(1, int(self.ctx.settings.first_chunk_frames))
        request = SpeakRequest(self.preview_box.sentence.text().strip(), CLONE,
                               language=self.form.language.currentData(), prompt=prompt,
                               sampling=Sampling(max_frames=self.max_frames),
                               # a short test sentence sounds most natural said in one piece
                               # (a batch of its sentences would gain little time)
                               streaming=Streaming(enabled=True, first_chunk=first, batch=1))
        self.job = job = self.ctx.inference.speak(request)
        job.chunk.connect(self._preview_grew)
        job.finished.connect(self._preview_done)
        job.failed.connect(partial(self._failed, job, "preview the voice"))
        job.cancelled.connect(partial(self._cancelled, job))
        wave = self.preview_box.wave
        wave.show_track(job.track)
        self.ctx.playback.stream(wave, job.track,
                                 textmod.expected_take_seconds(request.text, self.max_frames))
        self.preview_box.status.setText("Generating the preview…")
        self._update_actions()

    def _preview_grew(self, _start: int, _end: int) -> None:
        self.preview_box.wave.refresh()
        self.preview_box.status.setText(f"Previewing: {self.preview_box.wave.duration:.1f} s")

    def _preview_done(self, take: Take) -> None:
        self.job = None
        self.preview_box.wave.end_stream()
        self.preview_box.status.setText(
            take.message or f"Preview: {take.duration_s:.1f} s. Like it? Save the voice.")
        self._update_actions()
        self.preview_finished.emit(take)

    def stop(self) -> None:
        """Stop the preview (or the prompt being built); the clip and the cache stay."""
        self.ctx.playback.stop(self.preview_box.wave)
        job = self.job
        if job is None:
            return
        job.cancel()
        if not isinstance(job, TakeJob):  # a prompt build is not interruptible: stop waiting
            self.job = None
            self.preview_box.status.setText("Stopped.")
            self._update_actions()

    def _failed(self, job: Job, what: str, message: str) -> None:
        if self.job is not job:
            return  # a prompt nobody waits for any more
        self._cancelled(job)
        self.preview_box.status.setText("")
        window = self.window()
        action = None
        if "Model manager" in message and hasattr(window, "open_model_manager"):
            action = ("Open model manager", lambda: window.open_model_manager("base"))
        self.notice.show_message(f"Could not {what}: {message} The clip is still here.",
                                 "error", action=action)

    def _cancelled(self, job: Job) -> None:
        if self.job is not job:
            return
        self.job = None
        if isinstance(job, TakeJob):
            self.preview_box.wave.end_stream()
            self.ctx.playback.stop(self.preview_box.wave)
        self._update_actions()

    # --- keeping ---------------------------------------------------------------------------

    def save(self) -> None:
        """Save the selection as a new cloned voice (building the prompt first if needed)."""
        if self.busy:
            return
        ref = self.reference()
        if ref is None:
            return
        try:
            self._save_name = check_name(self.ctx.library, self.form.name.text())
        except InvalidName as exc:
            self.notice.show_message(str(exc), "warning")
            self.form.name.setFocus()
            return
        if self.saver.cleared("Save voice"):
            self._with_prompt(self._save, "save the voice", *ref)

    def _save(self, prompt: VoicePrompt, key: PromptKey, request: PromptRequest) -> None:
        """Save the audio and transcript the prompt was made from (the selection may have
        moved while it was built)."""
        _, start, end, transcript, _ = key
        self.saver.new_voice(self._save_name, prompt, transcript, (start, end), request.audio)

    def add_take_to(self, voice_id: str) -> None:
        """Keep the selection as another take of a saved voice (prompt built first if needed)."""
        if self.busy:
            return
        ref = self.reference()
        if ref is not None and self.saver.cleared("Add as take"):
            self._with_prompt(lambda prompt, key, request: self.saver.add_take(
                voice_id, prompt, key[3], request.audio), "add the take", *ref)

    # --- the page --------------------------------------------------------------------------

    def has_unsaved_work(self) -> bool:
        recording = self.recorder.state == "recording"
        return recording or (self.clip is not None and self.saved_as is None)

    def unsaved_description(self) -> str:
        if self.recorder.state == "recording":
            return "a recording in progress"
        what = "an imported clip" if self.workspace.origin == "import" else "a recorded clip"
        return f"{what} that is not saved as a voice yet"

    def shutdown(self) -> None:
        self.hearing.shutdown()
        self.workspace.shutdown()
        if self.job is not None:
            self.job.cancel()
        self.job = None
        self.ctx.playback.stop(self.preview_box.wave)
