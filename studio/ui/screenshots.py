"""Open each workspace in a realistic state and save screenshots, in light and dark themes.

Runs offscreen against tiny models (built in a child process) with a fake sound device, so
it works on any machine. Look at the pictures: alignment, clipped labels, empty states.

Shots per theme: the first run with no model on disk (window and Model manager), Speak,
an empty Clone page, Clone with a clip, Design, the Model manager (idle and downloading)
and Settings. The tiny models have random weights and never end a take by themselves, so
takes are capped short and the "stopped at the maximum length" notice is dismissed.

Usage: ``python -m studio.ui.screenshots OUT_DIR [--themes light dark]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def _wait(signal: Any, timeout_ms: int = 120000) -> list:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    got: list = []

    def done(*args: Any) -> None:
        got.append(args)
        loop.quit()

    signal.connect(done)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(done)
    return got


def _settle(ms: int = 150) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


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


def _grabber(out: Path, theme: str, saved: list[Path]) -> Any:
    def grab(widget: Any, name: str) -> None:
        _settle()
        path = out / f"{theme}-{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    return grab


def _window(theme: str, models: Path) -> Any:
    """The main window on the models under ``models`` (none: the first run)."""
    from studio.audio.samplerate import SAMPLE_RATE
    from studio.engine.pool import ModelPool
    from studio.settings import Settings
    from studio.testing.fake_sd import FakeSoundDevice
    from studio.ui.compose import build_context
    from studio.ui.main import create_app
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    app = create_app([])
    apply_theme(app, theme)
    ctx = build_context(Settings(theme=theme), pool=ModelPool(device="cpu", roots=[models]),
                        sd=FakeSoundDevice(1, 1, default_samplerate=float(SAMPLE_RATE)))
    window = MainWindow(ctx)
    window.resize(1280, 820)
    window.show()
    return window


def shoot_first_run(out: Path, theme: str, work: Path) -> list[Path]:
    """No model on disk: the window's notice and the Model manager's explanation."""
    empty = work / "no-models"
    empty.mkdir(exist_ok=True)
    window = _window(theme, empty)
    window.voices.select_key("speaker:ryan")  # English text: any machine has the fonts
    window.speak.text.setPlainText("Hello! Once a model is downloaded, this is spoken aloud.")
    saved: list[Path] = []
    grab = _grabber(out, theme, saved)
    _settle(400)  # the first-run notice comes just after the window shows
    grab(window, "first-run")
    dialog = _manager(window)
    grab(dialog, "first-run-models")
    dialog.reject()
    window.close()
    return saved


def _manager(window: Any) -> Any:
    """The Model manager at the height a common screen gives it (the offscreen screen is
    800x600, which would shrink it to its minimum)."""
    from studio.ui.dialogs.model_manager import HEIGHT, ModelManagerDialog

    dialog = ModelManagerDialog(window.ctx, window)
    dialog.resize(dialog.width(), HEIGHT)
    dialog.show()
    return dialog


def _downloading(dialog: Any) -> None:
    """Show a download in progress (a made-up report: nothing is fetched)."""
    from studio.hub import DOWNLOADING, DownloadProgress
    from studio.hub.catalog import CATALOG

    entry = CATALOG[0]
    total = entry.download_bytes or 2_500_000_000
    dialog.manager.progress.emit(entry.repo_id, DownloadProgress(
        entry.repo_id, DOWNLOADING, "model.safetensors", int(total * 0.42), total,
        24_000_000.0, total * 0.58 / 24_000_000.0, files_done=3, files_total=9))


def shoot(out: Path, theme: str, models: Path, work: Path) -> list[Path]:
    window = _window(theme, models)
    ctx = window.ctx
    saved: list[Path] = []
    grab = _grabber(out, theme, saved)

    # Speak: two finished takes with the second one shown
    speak = window.speak
    speak.max_frames = 45
    window.voices.select_key("speaker:ryan")
    speak.text.setPlainText("Welcome to Voice Studio. Every word you hear was generated on "
                            "this machine, and it started playing before the sentence was done.")
    for _ in range(2):
        speak.generate()
        _wait(speak.take_finished)
    window.tabs.setCurrentWidget(speak)
    window.notice.hide()  # "stopped at the maximum length": the cap above, not a problem
    grab(window, "speak")

    # Clone: empty, then an imported clip with a selection and its report
    clip = work / "interview.flac"
    _voice_clip(clip)
    clone = window.clone
    window.tabs.setCurrentWidget(clone)
    grab(window, "clone-empty")
    clone.import_file(clip)
    clone.editor.wave.set_selection(0.9, 7.6) if hasattr(clone, "editor") else None
    form = getattr(clone, "form", None)
    if form is not None:
        form.transcript.setPlainText("Thanks for having me. I have been recording audiobooks "
                                     "for about ten years now.")
        form.name.setText("Interview guest")
    grab(window, "clone")

    # Design: three candidates from a preset
    design = window.design
    window.tabs.setCurrentWidget(design)
    design.max_frames = 30
    english = [p for p in ctx.presets.designs if p.language.lower() == "english"]
    design.form.select_preset((english or ctx.presets.designs)[0].id)  # fonts: any machine
    design.generate()
    while design.generating:
        _settle(50)
    window.notice.hide()
    grab(window, "design")

    from studio.ui.dialogs.settings_dialog import SettingsDialog

    dialog = _manager(window)
    grab(dialog, "model-manager")
    _downloading(dialog)
    grab(dialog, "model-manager-downloading")
    dialog.reject()
    dialog = SettingsDialog(ctx, window)
    dialog.show()
    grab(dialog, "settings")
    dialog.reject()
    design.cards.clear() if hasattr(design, "cards") else None
    window.design.has_unsaved_work = lambda: False  # type: ignore[method-assign]
    window.clone.has_unsaved_work = lambda: False  # type: ignore[method-assign]
    window.close()
    return saved


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
        os.environ["VOICE_STUDIO_HOME"] = str(work / "home")
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
