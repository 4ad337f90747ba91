"""The process and the QApplication the window runs in (studio.app starts it all, studio.ui.compose builds its objects)."""

from __future__ import annotations

import logging
import os
import sys

from studio import paths


def fix_stdio() -> None:
    """Windowed frozen builds have no stdout/stderr; tqdm and torch write to them."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def setup_logging() -> None:
    try:
        log_file = paths.logs_dir(ensure=True) / "studio.log"
        handlers: list[logging.Handler] = [logging.FileHandler(log_file, encoding="utf-8")]
    except OSError:
        handlers = []
    handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(level=logging.INFO, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("transformers", "huggingface_hub", "sox", "urllib3", "numba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def create_app(argv: list[str], theme: str = "system"):  # noqa: ANN201
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from studio.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Voice Studio")
    app.setOrganizationName("voice-studio")
    app.setDesktopFileName("voice-studio")
    icon = paths.resources_dir() / "icons" / "voice-studio.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    apply_theme(app, theme)
    return app


def prepare_process() -> None:
    """What the process needs before any window: usable stdio and a log file."""
    fix_stdio()
    setup_logging()
