"""Starts the desktop app (studio.ui.compose builds what the window uses)."""

from __future__ import annotations


def run_gui(argv: list[str]) -> int:
    """Start the desktop app: the window is up before torch or qwen-tts are even imported."""
    from studio.settings import Settings
    from studio.ui.compose import build_context
    from studio.ui.main import create_app, prepare_process

    prepare_process()
    settings = Settings.load()
    app = create_app(argv, settings.theme)
    from studio.ui.main_window import MainWindow

    window = MainWindow(build_context(settings))
    window.show()
    return app.exec()
