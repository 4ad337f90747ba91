"""Screenshots of the window as a user meets it, in the light and dark themes, at
1024x700 and 1600x1000: look at them for alignment, clipped labels and empty states.

Everything goes the way a user goes: the first run starts with no model on disk and
nothing chosen (the window picks its first voice and text itself) and its banner's button
opens the Model manager; the theme is switched live from View > Theme (the app starts in
the other one); a take is made by clicking Generate; dialogs open from their menus.
Runs offscreen on tiny models (built in a child process) and a fake sound device, so it
works on any machine. The tiny models have random weights and never end a take by
themselves, so takes are capped short and the "stopped at the maximum length" notice is
dismissed with its ✕.

Usage: ``python -m studio.ui.screenshots OUT_DIR [--themes light dark]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZES = ((1024, 700), (1600, 1000))


def _settle(ms: int = 150) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(signal: Any, timeout_ms: int = 120000) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def _click(widget: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def _voice_clip(path: Path) -> None:
    import numpy as np
    import soundfile as sf

    sr = 44100
    t = np.arange(int(9 * sr)) / sr
    wave = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    envelope = np.clip(np.sin(2 * np.pi * 1.7 * t), 0, None) ** 0.5
    audio = 0.25 * wave * envelope
    audio[: int(0.8 * sr)] = 0
    audio[-int(1.0 * sr):] = 0
    sf.write(path, np.stack([audio, audio], axis=1).astype(np.float32), sr)


class Shooter:
    """Saves ``<theme>-<width>-<name>.png`` files and remembers them."""

    def __init__(self, out: Path, theme: str) -> None:
        self.out, self.theme, self.saved = out, theme, []

    def window(self, window: Any, name: str) -> None:
        """The window at each size."""
        for width, height in SIZES:
            window.resize(width, height)
            _settle(250)
            self.grab(window, f"{width}-{name}")

    def grab(self, widget: Any, name: str) -> None:
        _settle()
        path = self.out / f"{self.theme}-{name}.png"
        widget.grab().save(str(path))
        self.saved.append(path)


def _with_modal(open_it: Callable[[], object], act: Callable[[Any], None]) -> None:
    """Open a modal dialog the user's way and act on it while it is up."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, poll)
            return
        try:
            act(dialog)
        finally:
            dialog.reject()

    QTimer.singleShot(50, poll)
    open_it()


def _menu_action(window: Any, menu: str, item: str) -> Any:
    bar = next(a.menu() for a in window.menuBar().actions() if a.text() == menu)
    for action in bar.actions():
        if action.text() == item:
            return action
        if action.menu() is not None:
            found = next((a for a in action.menu().actions() if a.text() == item), None)
            if found is not None:
                return found
    raise LookupError(f"no {menu} > {item}")


def _window(start_theme: str, models: Path) -> Any:
    """The app started in ``start_theme`` on the models under ``models`` (none: a first run)."""
    from studio.audio.samplerate import SAMPLE_RATE
    from studio.engine.pool import ModelPool
    from studio.settings import Settings
    from studio.testing.fake_sd import FakeSoundDevice
    from studio.ui.compose import build_context
    from studio.ui.main import create_app
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    app = create_app([])
    apply_theme(app, start_theme)
    ctx = build_context(Settings(theme=start_theme), pool=ModelPool(device="cpu", roots=[models]),
                        sd=FakeSoundDevice(1, 1, default_samplerate=float(SAMPLE_RATE)))
    window = MainWindow(ctx)
    window.resize(*SIZES[0])
    window.show()
    _settle(400)  # the first-run notice comes just after the window shows
    return window


def shoot_first_run(out: Path, theme: str, work: Path) -> list[Path]:
    """No model on disk, nothing chosen yet: what a new user sees, and where the banner's
    button leads."""
    empty = work / f"no-models-{theme}"
    empty.mkdir(exist_ok=True)
    os.environ["VOICE_STUDIO_HOME"] = str(work / f"first-{theme}")
    window = _window(theme, empty)
    shots = Shooter(out, theme)
    shots.window(window, "first-run")
    window.resize(*SIZES[0])
    _with_modal(lambda: _click(window.notice.action),
                lambda dialog: shots.grab(dialog, "first-run-models"))
    window.close()
    return shots.saved


def shoot(out: Path, theme: str, models: Path, work: Path) -> list[Path]:
    """A user's session on the tiny models, the theme switched live to ``theme``."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    os.environ["VOICE_STUDIO_HOME"] = str(work / f"home-{theme}")
    window = _window("light" if theme == "dark" else "dark", models)
    shots = Shooter(out, theme)
    _menu_action(window, "&View", theme.capitalize()).trigger()

    # Speak: find Ryan, type, click Generate twice
    speak = window.speak
    speak.max_frames = 45
    window.notice.hide()
    window.voices.search.setFocus()
    QTest.keyClicks(window.voices.search, "ryan")
    QTest.keyClick(window.voices.search, Qt.Key.Key_Return)
    window.voices.search.clear()
    speak.text.clear()
    QTest.keyClicks(speak.text, "Welcome to Voice Studio. Every word you hear was generated on "
                                "this machine, and it started playing before the sentence was "
                                "done.")
    for _ in range(2):
        _click(speak.generate_button)
        _wait(speak.take_finished)
    if window.notice.isVisible():
        _click(window.notice.close_button)  # "stopped at the maximum length": the cap above
    shots.window(window, "speak")

    # Clone: empty, then a dropped clip with a selection and its transcript
    window.tabs.setCurrentWidget(window.clone)
    clone = window.clone
    shots.window(window, "clone-empty")
    clip = work / "interview.flac"
    _voice_clip(clip)
    clone.import_file(clip)  # what dropping the file on the page does
    clone.editor.set_selection(0.9, 7.6)
    QTest.keyClicks(clone.form.transcript, "Thanks for having me. I have been recording "
                                           "audiobooks for about ten years now.")
    clone.form.name.clear()
    QTest.keyClicks(clone.form.name, "Interview guest")
    consent = clone.preview_box.consent  # a click on its box, as a user ticks it
    QTest.mouseClick(consent, Qt.MouseButton.LeftButton, pos=QPoint(8, consent.height() // 2))
    shots.window(window, "clone")

    # Design: a preset, then Generate candidates
    design = window.design
    window.tabs.setCurrentWidget(design)
    design.max_frames = 30
    english = [p for p in window.ctx.presets.designs if p.language.lower() == "english"]
    design.form.select_preset((english or window.ctx.presets.designs)[0].id)
    _click(design.generate_button)
    while design.generating:
        _settle(50)
    if window.notice.isVisible():
        _click(window.notice.close_button)
    shots.window(window, "design")

    # dialogs, from their menus
    window.resize(*SIZES[0])

    def manager(dialog: Any) -> None:
        shots.grab(dialog, "model-manager")
        from studio.hub import DOWNLOADING, DownloadProgress
        from studio.hub.catalog import CATALOG

        entry = CATALOG[0]  # a download in progress (a made-up report: nothing is fetched)
        total = entry.download_bytes or 2_500_000_000
        dialog.manager.progress.emit(entry.repo_id, DownloadProgress(
            entry.repo_id, DOWNLOADING, "model.safetensors", int(total * 0.42), total,
            24_000_000.0, total * 0.58 / 24_000_000.0, files_done=3, files_total=9))
        shots.grab(dialog, "model-manager-downloading")

    _with_modal(_menu_action(window, "&Models", "&Model manager…").trigger, manager)
    _with_modal(_menu_action(window, "&Settings", "&Preferences…").trigger,
                lambda dialog: shots.grab(dialog, "settings"))
    window.design.has_unsaved_work = lambda: False  # type: ignore[method-assign]
    window.clone.has_unsaved_work = lambda: False  # type: ignore[method-assign]
    window.close()
    return shots.saved


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--themes", nargs="+", default=["light", "dark"],
                        choices=["light", "dark"])
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        models = work / "models"
        subprocess.run([sys.executable, "-m", "studio.testing.tiny_models", str(models)],
                       check=True, capture_output=True)
        for theme in args.themes:
            for path in [*shoot_first_run(args.out, theme, work),
                         *shoot(args.out, theme, models, work)]:
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
