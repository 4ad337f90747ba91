"""The Clone page in a test: the page under its notice bar as in the window, a clip of
voice-like audio to import, and screenshots for review (SCREENSHOT_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile as sf
from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.ui.pages.clone import ClonePage
from studio.ui.widgets.notice import NoticeBar
from tests.engine.helpers import voice_like

LONG = 60_000  # ms: generous for a loaded 2-core machine


def clone_page(qtbot, ctx) -> ClonePage:
    notice = NoticeBar()
    page = ClonePage(ctx, notice)
    page.max_frames = 6
    page.recorder.countdown_s = 0
    holder = QWidget()  # the notice above the page, as in the window
    col = QVBoxLayout(holder)
    col.setContentsMargins(0, 0, 0, 0)
    col.addWidget(notice)
    col.addWidget(page, 1)
    qtbot.addWidget(holder)
    page.holder = holder  # keep the holder (and so the page) alive
    return page


def shot(qtbot, page: ClonePage, name: str) -> None:
    """Save the page (with its notice bar) as SCREENSHOT_DIR/<name>.png, if that is set."""
    shots = os.environ.get("SCREENSHOT_DIR")
    if not shots:
        return
    from studio import paths

    holder = page.parentWidget() or page  # a page in its test holder, or a whole window
    qss = paths.resources_dir() / "styles" / "studio.qss"
    if qss.is_file():  # the app's stylesheet, as in the window
        holder.setStyleSheet(qss.read_text(encoding="utf-8"))
    holder.resize(*((940, 700) if holder is not page else (1200, 760)))  # a page: its size
    # in a 1200 x 760 window
    holder.show()
    qtbot.waitExposed(holder)
    qtbot.wait(120)  # let the waveforms' throttled redraw run
    Path(shots).mkdir(parents=True, exist_ok=True)
    assert holder.grab().save(str(Path(shots) / f"{name}.png"))


def speech_file(path: Path, seconds: float = 6.0, sr: int = 44100, channels: int = 2,
                 pad_s: float = 1.0) -> Path:
    """Voice-like audio with ``pad_s`` of near-silence either side."""
    voice = voice_like(seconds, sr=sr)
    pad = np.zeros(int(pad_s * sr), np.float32)
    mono = np.concatenate([pad, voice, pad])
    data = np.stack([mono, mono * 0.8], axis=1) if channels == 2 else mono
    sf.write(str(path), data, sr)
    return path


def agree(page: ClonePage) -> None:
    """Tick "I have the right to use this voice", as the user does before keeping a clone
    (a new clip unticks it)."""
    page.preview_box.consent.setChecked(True)
