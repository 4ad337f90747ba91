"""What a finished take has to tell the user besides its audio: why it stopped early (said
every time) and its notes, such as a design voice that cannot be kept without a Base model
(said once per window, with a button that opens the Model manager at the model to get)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from studio.engine.take import CANCELLED, Take
from studio.hub.catalog import find
from studio.humanize import human_bytes
from studio.ui.widgets.notice import NoticeBar


def show_take_notices(page: QWidget, notice: NoticeBar, take: Take,
                      with_message: bool = True) -> None:
    """``with_message=False``: the notes only (a page that shows the stop reason itself)."""
    message = take.message if with_message else None
    level = "info" if take.stop_reason == CANCELLED or not message else "warning"
    if take.notes:
        advice, action = _advice(page, take)
        text = " ".join(t for t in (message, *take.notes, advice) if t)
        if notice.show_once(" ".join(take.notes), text, level, action):
            return
    if message:
        notice.show_message(message, level)


def _advice(page: QWidget, take: Take) -> tuple[str, tuple[str, Callable[[], None]] | None]:
    """The download a take's notes suggest, and the button that offers it."""
    entry = find(take.download_hint) if take.download_hint else None
    if entry is None:
        return "", None
    text = (f"Download {entry.folder_name} (about {human_bytes(entry.download_bytes)}) to "
            "keep it.")
    window = page.window()
    if not hasattr(window, "open_model_manager_at"):
        return text, None
    return text, (f"Get {entry.folder_name}…", lambda: window.open_model_manager_at(entry.repo_id))
