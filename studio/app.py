"""Composition root of the desktop app: every long-lived object the window uses is made
here, once, and handed to the window in an AppContext."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded by run_gui only after prepare_process() has set up stdio
    from studio.engine.pool import ModelPool
    from studio.settings import Settings
    from studio.ui.context import AppContext


def build_context(settings: Settings | None = None, *, pool: ModelPool | None = None,
                  sd: object | None = None, library_root: Path | None = None) -> AppContext:
    """The window's shared objects; tests pass a pool, a fake sound device or a library."""
    from studio.engine.pool import ModelPool
    from studio.library import VoiceLibrary
    from studio.library.presets import load_presets
    from studio.settings import Settings
    from studio.ui.context import AppContext
    from studio.ui.downloads import DownloadManager
    from studio.ui.inference import InferenceClient
    from studio.ui.playback import PlaybackController
    from studio.ui.transcription import AsrClient

    settings = settings or Settings.load()
    retention = {"preview": timedelta(minutes=settings.preview_retention_min),
                 "import": timedelta(hours=settings.import_retention_h)}
    if pool is None:
        pool = ModelPool(device=settings.device,
                         dtype=None if settings.dtype == "auto" else settings.dtype,
                         extra=[Path(p) for p in settings.model_folders],
                         roles=settings.roles, speed=settings.speed)
    # gc must not run on the inference thread: it could finalise Qt objects owned by the
    # GUI thread; the window collects after an unload instead
    pool.collect_garbage = False
    return AppContext(
        settings=settings,
        library=VoiceLibrary(library_root, preview_retention=retention),
        presets=load_presets(),
        pool=pool,
        inference=InferenceClient(pool, idle_unload_s=settings.idle_unload_min * 60.0),
        playback=PlaybackController(sd=sd, device=settings.output_device or None),
        transcription=AsrClient(),
        downloads=DownloadManager(),
        sd=sd)


def run_gui(argv: list[str]) -> int:
    """Start the desktop app: the window is up before torch or qwen-tts are even imported."""
    from studio.settings import Settings
    from studio.ui.main import create_app, prepare_process

    prepare_process()
    settings = Settings.load()
    app = create_app(argv, settings.theme)
    from studio.ui.main_window import MainWindow

    window = MainWindow(build_context(settings))
    window.show()
    return app.exec()
