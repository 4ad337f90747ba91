"""Keeping a clone: a new voice from the selection ("Save voice"), or another take of a
saved voice ("Add as take", with the menu of voices it can go to).

What is saved is exactly the audio and transcript the clone prompt was built from (the
selection may have moved while it was built). The clip as it came in (an import) is kept
beside a trimmed reference; once saved, the clip's preview copy is no longer needed."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from studio.audio.samplerate import SAMPLE_RATE
from studio.engine.prompts import VoicePrompt
from studio.errors import DiskFull, StudioError
from studio.library.errors import InvalidName, StorageError
from studio.library.schema import Provenance
from studio.ui.context import AppContext
from studio.ui.widgets.clip_workspace import ClipWorkspace
from studio.ui.widgets.clone_form import CloneForm
from studio.ui.widgets.clone_preview import ClonePreview
from studio.ui.widgets.notice import NoticeBar


class CloneSaver(QObject):
    voice_saved = Signal(str)  # the new voice's key ("saved:<id>")
    takes_changed = Signal(str)  # a take was added to (or activated in) this voice

    def __init__(self, ctx: AppContext, notice: NoticeBar, workspace: ClipWorkspace,
                 form: CloneForm, preview: ClonePreview, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.notice, self.workspace, self.form = ctx, notice, workspace, form
        self.preview, self.status = preview, preview.status
        self._accepted: object = None  # the (clip, selection) kept despite the check
        self.saved_as: str | None = None  # what the current clip was saved as
        self.take_label = ""  # the label a take made from this clip gets ("Takes 1+2")

    def cleared(self, what: str) -> bool:
        """May the selection be kept (``what``: "Save the voice")? The user must have
        confirmed the right to use the voice (takes joined from a saved voice were
        confirmed with it), and agreed once to keep a clip the check marks not usable."""
        consent = self.preview.consent
        own = self.workspace.origin == "combined"  # made of a saved voice's own takes
        if not consent.isChecked() and not own:
            self.notice.show_message(
                f"{what}: first tick “I have the right to use this voice” below the preview. "
                "Clone only your own voice, or one whose owner agreed.", "warning")
            consent.setFocus()
            return False
        report = self.workspace.report
        if report is None or report.ok:
            return True
        key = (self.workspace.serial, self.workspace.selection())
        if key == self._accepted:
            return True
        failing = "\n".join(f"• {item.message}" for item in report.items
                            if str(item.status) == "fail")
        answer = QMessageBox.question(
            self.preview, "Keep a clip that is not usable yet?",
            f"The reference check marks this clip “Not usable yet”:\n\n{failing}\n\n"
            "A voice made from it will likely sound wrong. Keep it anyway?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Save:
            return False
        self._accepted = key  # asked once for this clip and selection
        return True

    def provenance(self) -> Provenance:
        """Where the clip came from, for the saved voice (the consent was just given)."""
        ws = self.workspace
        source = {"import": "imported", "combined": "combined"}.get(ws.origin, "recorded")
        return Provenance(source, datetime.now(UTC), file=ws.label if source == "imported"
                          else None, consent=True, via="window")

    def new_voice(self, name: str, prompt: VoicePrompt, transcript: str,
                  audio_range: tuple[int, int], audio: np.ndarray) -> bool:
        """Save ``audio`` (the selection [start, end) of the clip) as voice ``name``."""
        clip = self.workspace.clip
        start, end = audio_range
        whole = clip is not None and start == 0 and end >= len(clip.audio)
        details = dict(prompt=prompt, kind="cloned", transcript=transcript,
                       language=self.form.language_name(),
                       description=self.form.description.text().strip(),
                       model=prompt.model_name or None, provenance=self.provenance())
        library, item = self.ctx.library, self.workspace.item
        try:
            with tempfile.TemporaryDirectory() as tmp:
                if whole and item is not None:  # the kept clip is the reference: promote it
                    entry = library.create(name, preview=item.id, **details)
                else:
                    entry = library.create(name, audio=audio, sample_rate=SAMPLE_RATE,
                                           original=self.original_in(tmp), **details)
                    if item is not None:
                        library.previews.remove(item.id)
        except InvalidName as exc:  # taken meanwhile; the prompt stays cached
            self.notice.show_message(str(exc), "warning")
            self.form.name.setFocus()
            return False
        except (OSError, StudioError) as exc:
            self.notice.show_message(f"{failed('save the voice', exc)} The clip is still here; "
                                     "try again.", "error")
            return False
        self.workspace.forget_item()
        self.saved_as = entry.name
        self.status.setText(f"Saved “{entry.name}”.")
        self.notice.show_message(f"Saved “{entry.name}” to your voices. It can now speak any "
                                 "text: choose it in the list on the left.", "info")
        self.voice_saved.emit(f"saved:{entry.id}")
        return True

    def add_take(self, voice_id: str, prompt: VoicePrompt, transcript: str,
                 audio: np.ndarray) -> bool:
        """Add the take and say so, with a way to make it the active one."""
        library = self.ctx.library
        try:
            with tempfile.TemporaryDirectory() as tmp:  # the import as it came is kept too
                entry = library.add_take(voice_id, prompt=prompt, audio=audio,
                                         sample_rate=SAMPLE_RATE, original=self.original_in(tmp),
                                         transcript=transcript, label=self.take_label)
        except (OSError, StudioError) as exc:
            self.notice.show_message(f"{failed('add the take', exc)} The clip is still here.",
                                     "error")
            return False
        take = entry.takes()[-1]
        self.status.setText(f"Added {take.title} to “{entry.name}”.")

        def activate() -> None:
            try:
                library.set_active_take(entry.id, take.id)
            except StudioError as exc:
                self.notice.show_message(f"Could not switch takes: {exc}", "error")
                return
            self.takes_changed.emit(f"saved:{entry.id}")
            self.notice.show_message(f"“{entry.name}” now speaks with {take.title}.", "info")

        speaking = next((t.title for t in entry.takes() if t.active), "the active take")
        self.notice.show_message(f"Added {take.title} to “{entry.name}”. {speaking} still "
                                 "speaks; switch here, or in the takes under the voice list.",
                                 "info", action=("Make it active", activate))
        item = self.workspace.item
        if item is not None:  # the clip is kept in the voice now
            library.previews.remove(item.id)
            self.workspace.forget_item()
        self.saved_as = f"{entry.name} ({take.title})"
        self.takes_changed.emit(f"saved:{entry.id}")
        return True

    def fill_take_menu(self, menu: QMenu, add_take_to: Callable[[str], None]) -> None:
        """The saved voices a take can be added to (rebuilt each time the menu opens)."""
        menu.clear()
        try:
            voices = self.ctx.library.list().voices
        except StudioError:
            voices = []
        if not voices:
            empty = QAction("No saved voices yet: save this clip as a voice first", menu)
            empty.setEnabled(False)
            menu.addAction(empty)
            return
        for entry in voices:
            count = len(entry.takes())
            action = QAction(f"{entry.name}  ({count} take{'s' if count != 1 else ''})", menu)
            action.triggered.connect(lambda _=False, i=entry.id: add_take_to(i))
            menu.addAction(action)

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


def failed(action: str, exc: BaseException) -> str:
    """"Could not <action>: <why>"; the library's storage errors say the first part already."""
    said = isinstance(exc, StorageError | DiskFull)
    return str(exc) if said else f"Could not {action}: {exc}"
