"""Clone: record or import a clip, choose the part to keep (guided by the reference check),
type what is said (or Transcribe it: clone_transcribe.py), preview the cloned voice
streaming, and save it to the library as a new voice or as another take of one
(clone_takes.py).

The clip side (recording, importing, the waveform, the check) is the ClipWorkspace; this
page turns the selection into a voice. The clone prompt is built by the inference worker and
cached for the (clip, selection, transcript, mode) it was made from, so Save after Preview
does not build it again. One request runs at a time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from studio.engine import text as textmod
from studio.engine.options import Sampling, Streaming
from studio.engine.speak_request import CLONE, PromptRequest, SpeakRequest
from studio.errors import StudioError
from studio.library.errors import InvalidName
from studio.ui.context import AppContext
from studio.ui.pages import clone_takes
from studio.ui.pages.base import Page
from studio.ui.pages.clone_transcribe import CloneTranscriber
from studio.ui.shortcuts import RUN, STOP, add_shortcuts
from studio.ui.widgets.clip_editor import clear_wave
from studio.ui.widgets.clip_workspace import ClipWorkspace
from studio.ui.widgets.clone_form import TRADE_OFF, CloneForm
from studio.ui.widgets.clone_preview import ClonePreview
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.voice_name import check_name, suggest_name

SR = 24000
MIN_SECONDS = 1.0  # what the Base model's prompt builder accepts (engine/reference.py)


class ClonePage(Page):
    preview_finished = Signal(object)  # the preview's Take (tests listen)
    takes_changed = Signal(str)  # a take was added to the voice with this key

    def __init__(self, ctx: AppContext, notice: NoticeBar) -> None:
        super().__init__(ctx, notice)
        self.max_frames: int | None = None  # a length cap for previews (tests)
        self.saved_as: str | None = None  # the voice saved from the current clip
        self._prompt: tuple[tuple, Any] | None = None  # (key, VoicePrompt)
        # prompt request id -> (key, request): what the prompt is made from, so a late
        # result is still cached and Save keeps exactly the audio the prompt was built on
        self._keys: dict[int, tuple[tuple, PromptRequest]] = {}
        self._request: tuple[int, str] | None = None  # (id, "preview" | "save" | "speak")
        self._save_name = ""
        self._suggested = ""
        self.take_label = ""  # the label a take made from this clip gets ("Takes 1+2")
        self.setAcceptDrops(True)

        self.workspace = ClipWorkspace(ctx, notice, self, lambda: self.confirm_discard(self))
        ws = self.workspace  # its parts, by the names tests and the page use
        self.recorder, self.editor, self.report_view = ws.recorder, ws.editor, ws.report_view
        self.form = CloneForm(ctx.settings.default_language)
        self.preview_box = ClonePreview()
        self.preview_box.preview_button.clicked.connect(self.preview)
        self.preview_box.stop_button.clicked.connect(self.stop)
        self.preview_box.save_button.clicked.connect(self.save)
        menu = self.preview_box.take_menu
        menu.aboutToShow.connect(lambda: clone_takes.fill_menu(menu, self))
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
        w = ctx.inference.worker
        w.chunk.connect(self._on_chunk)
        w.finished.connect(self._on_finished)
        w.failed.connect(self._on_failed)
        w.prompt_ready.connect(self._on_prompt)
        ctx.playback.state_changed.connect(self._on_play_state)
        ctx.playback.watch_output(self.preview_box.set_output)
        self._update_actions()

    # --- the clip --------------------------------------------------------------------------

    @property
    def clip(self) -> Any:
        """The Clip being cloned (mono 24 kHz), or None."""
        return self.workspace.clip

    @property
    def report(self) -> Any:
        """The reference check of the selection, or None."""
        return self.workspace.report

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
        self.saved_as = None
        self.take_label = ""
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
        if owner is self.preview_box.wave and state in ("idle", "finished"):
            self.preview_box.wave.set_playhead(None)

    # --- preview and save ------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._request is not None

    def _update_actions(self) -> None:
        self.preview_box.set_busy(self.busy, self.clip is not None)

    def _reference(self) -> tuple[tuple, PromptRequest] | None:
        """The prompt request for the selection, or None after saying what is missing."""
        if self.clip is None:
            self.notice.show_message("Record or import a clip of 5-15 s of clear speech "
                                     "first.", "warning")
            return None
        a, b = self.editor.selection()
        audio = self.editor.selected_audio()
        if len(audio) < MIN_SECONDS * SR:
            self.notice.show_message(f"The selection is {len(audio) / SR:.1f} s long; select "
                                     "at least 1 s of speech (5-15 s is best).", "warning")
            return None
        transcript = self.form.transcript_text()
        x_vector = self.form.x_vector_only.isChecked()
        if not transcript and not x_vector:
            self.notice.show_message("Type what is said in the selected part into the "
                                     "Transcript box, or tick “X-vector only”. " + TRADE_OFF,
                                     "warning")
            self.form.transcript.setFocus()
            return None
        key = (self.workspace.serial, int(round(a * SR)), int(round(b * SR)), transcript, x_vector)
        return key, PromptRequest(audio, SR, transcript or None, x_vector)

    def _with_prompt(self, purpose: str, key: tuple, request: PromptRequest) -> None:
        """Go on with ``purpose`` now if the prompt is cached, else have it built first."""
        if self._prompt is not None and self._prompt[0] == key:
            self._go(purpose, self._prompt[1], key, request)
            return
        request_id = self.ctx.inference.make_prompt(request)
        self._keys[request_id] = (key, request)
        self._request = (request_id, purpose)
        self.preview_box.status.setText("Analysing the voice in the selection…")
        self._update_actions()

    def _go(self, purpose: str, prompt: Any, key: tuple, request: PromptRequest) -> None:
        if purpose == "preview":
            self._speak(prompt)
        elif purpose.startswith("take:"):
            clone_takes.save_take(self, purpose[5:], prompt, key[3], request.audio)
        else:
            self._save(prompt, key, request)

    def preview(self) -> int | None:
        """Speak the test sentence in the cloned voice, streamed; returns the request id."""
        if self.busy:
            return None
        if self.ctx.playback.reason:  # Ctrl+Enter: say what the disabled button says
            self.notice.show_message(f"{self.ctx.playback.reason} Save voice still works.",
                                     "warning")
            return None
        if not self.preview_box.sentence.text().strip():
            self.notice.show_message("Type a test sentence for the preview to say.", "warning")
            return None
        ref = self._reference()
        if ref is None:
            return None
        self._with_prompt("preview", *ref)
        return self._request[0] if self._request else None

    def _speak(self, prompt: Any) -> None:
        first = max(1, int(self.ctx.settings.first_chunk_frames))
        request = SpeakRequest(self.preview_box.sentence.text().strip(), CLONE,
                               language=self.form.language.currentData(), prompt=prompt,
                               sampling=Sampling(max_frames=self.max_frames),
                               streaming=Streaming(enabled=True, first_chunk=first))
        self.preview_box.wave.begin_stream()
        self.ctx.playback.begin_stream(
            self.preview_box.wave, textmod.expected_take_seconds(request.text, self.max_frames))
        self._request = (self.ctx.inference.speak(request), "speak")
        self.preview_box.status.setText("Generating the preview…")
        self._update_actions()

    def stop(self) -> None:
        """Stop the preview (or the prompt being built); the clip and the cache stay."""
        self.ctx.playback.stop(self.preview_box.wave)
        if self._request is None:
            return
        request_id, purpose = self._request
        self.ctx.inference.cancel(request_id)
        if purpose != "speak":  # a prompt build is not interruptible: just stop waiting
            self._request = None
            self.preview_box.status.setText("Stopped.")
            self._update_actions()

    def _on_prompt(self, request_id: int, prompt: Any) -> None:
        made = self._keys.pop(request_id, None)
        if made is None:
            return
        key, request = made
        if key[0] == self.workspace.serial:
            self._prompt = (key, prompt)
        if self._request is not None and self._request[0] == request_id:
            purpose = self._request[1]
            self._request = None
            self._update_actions()
            self._go(purpose, prompt, key, request)

    def _on_chunk(self, request_id: int, chunk: np.ndarray) -> None:
        if self._request == (request_id, "speak"):
            self.preview_box.wave.append(chunk)
            self.ctx.playback.append(chunk, self.preview_box.wave)
            self.preview_box.status.setText(f"Previewing: {self.preview_box.wave.duration:.1f} s")

    def _on_finished(self, request_id: int, take: Any) -> None:
        if self._request != (request_id, "speak"):
            return
        self._request = None
        self.preview_box.wave.end_stream()
        self.ctx.playback.end_stream(self.preview_box.wave)
        self.preview_box.status.setText(
            take.message or f"Preview: {take.duration_s:.1f} s. Like it? Save the voice.")
        self._update_actions()
        self.preview_finished.emit(take)

    def _on_failed(self, request_id: int, message: str) -> None:
        self._keys.pop(request_id, None)
        if self._request is None or self._request[0] != request_id:
            return
        purpose = self._request[1]
        self._request = None
        if purpose == "speak":
            self.preview_box.wave.end_stream()
            self.ctx.playback.stop(self.preview_box.wave)
        self.preview_box.status.setText("")
        self._update_actions()
        window = self.window()
        action = None
        if "Model manager" in message and hasattr(window, "open_model_manager"):
            action = ("Open model manager", window.open_model_manager)
        what = ("save the voice" if purpose == "save" else "add the take"
                if purpose.startswith("take:") else "preview the voice")
        self.notice.show_message(f"Could not {what}: {message} The clip is still here.",
                                 "error", action=action)

    def save(self) -> None:
        """Save the selection as a new cloned voice (building the prompt first if needed)."""
        if self.busy:
            return
        ref = self._reference()
        if ref is None:
            return
        try:
            self._save_name = check_name(self.ctx.library, self.form.name.text())
        except InvalidName as exc:
            self.notice.show_message(str(exc), "warning")
            self.form.name.setFocus()
            return
        self._with_prompt("save", *ref)

    def add_take_to(self, voice_id: str) -> None:
        """Keep the selection as another take of a saved voice (prompt built first if needed)."""
        if self.busy:
            return
        ref = self._reference()
        if ref is not None:
            self._with_prompt(f"take:{voice_id}", *ref)

    def open_combined(self, voice_id: str, take_ids: list[str]) -> bool:
        """Open a voice's takes joined into one clip, to check and keep as a new take."""
        return clone_takes.open_combined(self, voice_id, take_ids)

    def _save(self, prompt: Any, key: tuple, request: PromptRequest) -> None:
        """Save the audio and transcript the prompt was made from (the selection may have
        moved while it was built)."""
        _, start, end, transcript, _ = key
        whole = start == 0 and end >= len(self.clip.audio)
        details = dict(prompt=prompt, kind="cloned", transcript=transcript,
                       language=self.form.language_name(),
                       description=self.form.description.text().strip(),
                       model=prompt.model_name or None)
        library, item = self.ctx.library, self.workspace.item
        try:
            with tempfile.TemporaryDirectory() as tmp:
                if whole and item is not None:  # the kept clip is the reference: promote it
                    entry = library.create(self._save_name, preview=item.id, **details)
                else:
                    entry = library.create(self._save_name, audio=request.audio,
                                           sample_rate=SR, original=self.original_in(tmp),
                                           **details)
                    if item is not None:
                        library.previews.remove(item.id)
        except InvalidName as exc:  # taken meanwhile; the prompt stays cached
            self.notice.show_message(str(exc), "warning")
            self.form.name.setFocus()
            return
        except (OSError, StudioError) as exc:
            self.notice.show_message(f"Could not save the voice: {exc} The clip is still here; "
                                     "try again.", "error")
            return
        self.workspace.forget_item()
        self.saved_as = entry.name
        self.preview_box.status.setText(f"Saved “{entry.name}”.")
        self.notice.show_message(f"Saved “{entry.name}” to your voices. It can now speak any "
                                 "text: choose it in the list on the left.", "info")
        self.voice_saved.emit(f"saved:{entry.id}")

    def original_in(self, folder: str) -> Path | None:
        """The whole clip as it came in, under its own name, kept beside a trimmed reference."""
        item = self.workspace.item
        if item is None or self.workspace.origin == "combined":  # made here: nothing to keep
            return None
        if item.original is not None:
            src, name = item.original, item.original_name or item.original.name
        else:
            src, name = item.path, "recording.wav"
        dest = Path(folder) / Path(name).name
        try:
            os.link(src, dest)
        except OSError:
            shutil.copyfile(src, dest)
        return dest

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
        for request_id in list(self._keys) + ([self._request[0]] if self._request else []):
            self.ctx.inference.cancel(request_id)
        self._request = None
        self._keys.clear()
        self.ctx.playback.stop(self.preview_box.wave)
