"""Clone page: keep the selection as another take of a saved voice ("Add as take"), and
open several takes of a voice joined into one clip ("Combine" in the takes panel).

The take gets the same treatment as a new voice: the prompt is built (or taken from the
cache) from exactly the audio and transcript that are saved. A combination is checked
like any clip before it is kept, so a bad join is heard before it speaks."""

from __future__ import annotations

import tempfile
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from studio.errors import StudioError

SR = 24000


def fill_menu(menu: QMenu, page: Any) -> None:
    """The saved voices a take can be added to (rebuilt each time the menu opens)."""
    menu.clear()
    try:
        voices = page.ctx.library.list().voices
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
        action.triggered.connect(lambda _=False, i=entry.id: page.add_take_to(i))
        menu.addAction(action)


def save_take(page: Any, voice_id: str, prompt: Any, transcript: str, audio: Any) -> bool:
    """Add the take and say so, with a way to make it the active one."""
    library = page.ctx.library
    try:
        with tempfile.TemporaryDirectory() as tmp:  # the import as it came is kept too
            entry = library.add_take(voice_id, prompt=prompt, audio=audio, sample_rate=SR,
                                     original=page.original_in(tmp), transcript=transcript,
                                     label=page.take_label)
    except (OSError, StudioError) as exc:
        page.notice.show_message(f"Could not add the take: {exc} The clip is still here.",
                                 "error")
        return False
    take = entry.takes()[-1]
    page.preview_box.status.setText(f"Added {take.title} to “{entry.name}”.")

    def activate() -> None:
        try:
            library.set_active_take(entry.id, take.id)
        except StudioError as exc:
            page.notice.show_message(f"Could not switch takes: {exc}", "error")
            return
        page.takes_changed.emit(f"saved:{entry.id}")
        page.notice.show_message(f"“{entry.name}” now speaks with {take.title}.", "info")

    speaking = next((t.title for t in entry.takes() if t.active), "the active take")
    page.notice.show_message(f"Added {take.title} to “{entry.name}”. {speaking} still speaks; "
                             "switch here, or in the takes under the voice list.",
                             "info", action=("Make it active", activate))
    item = page.workspace.item
    if item is not None:  # the clip is kept in the voice now
        library.previews.remove(item.id)
        page.workspace.forget_item()
    page.saved_as = f"{entry.name} ({take.title})"
    page.takes_changed.emit(f"saved:{entry.id}")
    return True


def open_combined(page: Any, voice_id: str, take_ids: list[str]) -> bool:
    """Join the takes, show the result as the clip with its words, offer to keep it."""
    from studio.library.combine import combine_takes

    try:
        entry = page.ctx.library.get(voice_id)
        joined = combine_takes(entry, take_ids)
    except (OSError, StudioError) as exc:
        page.notice.show_message(f"Could not combine the takes: {exc}", "error")
        return False
    if not page.workspace.open_audio(joined.audio, f"{joined.label} of {entry.name}",
                                     "combined"):
        return False
    page.form.transcript.setPlainText(joined.transcript)
    page.form.x_vector_only.setChecked(False)
    page.take_label = joined.label
    page.notice.show_message(
        f"{joined.label} of “{entry.name}” joined: {joined.seconds:.1f} s. Listen, preview "
        "a sentence, then keep it as a new take.", "info",
        action=(f"Add to {entry.name}", lambda: page.add_take_to(entry.id)))
    return True
