"""Open each workspace in a realistic state and save screenshots, in light and dark themes.

Runs offscreen against tiny models (built in a child process) with a fake sound device, so
it works on any machine. Look at the pictures: alignment, clipped labels, empty states.

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


def shoot(out: Path, theme: str, models: Path, work: Path) -> list[Path]:
    from studio.engine.pool import ModelPool
    from studio.settings import Settings
    from studio.testing.fake_sd import FakeSoundDevice
    from studio.ui.context import AppContext
    from studio.ui.main import create_app
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    app = create_app([])
    apply_theme(app, theme)
    settings = Settings(theme=theme)
    ctx = AppContext.create(settings, pool=ModelPool(device="cpu", roots=[models]),
                            sd=FakeSoundDevice(1, 1, default_samplerate=24000.0))
    window = MainWindow(ctx)
    window.resize(1280, 820)
    window.show()
    saved: list[Path] = []

    def grab(widget: Any, name: str) -> None:
        _settle()
        path = out / f"{theme}-{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

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
    grab(window, "speak")

    # Clone: an imported clip with a selection and its report
    clip = work / "interview.flac"
    _voice_clip(clip)
    clone = window.clone
    window.tabs.setCurrentWidget(clone)
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
    design.form.select_preset(ctx.presets.designs[0].id)
    design.generate()
    while design.generating:
        _wait(ctx.inference.worker.finished)
    grab(window, "design")

    from studio.ui.dialogs.model_manager import ModelManagerDialog
    from studio.ui.dialogs.settings_dialog import SettingsDialog

    for cls, name in ((ModelManagerDialog, "model-manager"), (SettingsDialog, "settings")):
        dialog = cls(ctx, window)
        dialog.show()
        grab(dialog, name)
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
            for path in shoot(args.out, theme, models, work):
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
