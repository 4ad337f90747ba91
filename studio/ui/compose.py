"""Composition root of the window: every long-lived object the window uses is made here,
once, and handed to it in an AppContext. The self-test, the screenshots and the tests build
theirs here too, with a pool, a fake sound device or a library of their own."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded on first use, after the process has set up stdio
    from studio.engine.pool import ModelPool
    from studio.settings import Settings
    from studio.ui.context import AppContext

log = logging.getLogger(__name__)


def build_context(settings: Settings | None = None, *, pool: ModelPool | None = None,
                  sd: object | None = None, library_root: Path | None = None) -> AppContext:
    """The window's shared objects; tests pass a pool, a fake sound device or a library."""
    from studio.engine.pool import ModelPool
    from studio.errors import StudioError
    from studio.history import HistoryStore
    from studio.library import VoiceLibrary
    from studio.library.presets import load_presets
    from studio.remote.choice import LOCAL, EngineChoice, backend_for
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
    inference = InferenceClient(pool, idle_unload_s=settings.idle_unload_min * 60.0)
    if settings.engine != LOCAL:  # Settings > Engine chose a server
        try:
            inference.use_backend(backend_for(EngineChoice.from_settings(settings), pool))
        except StudioError as exc:  # an address that cannot be used: Settings > Engine shows it
            log.warning("takes are made on this computer: %s", exc)
    return AppContext(
        settings=settings,
        library=VoiceLibrary(library_root, preview_retention=retention),
        presets=load_presets(),
        pool=pool,
        inference=inference,
        playback=PlaybackController(sd=sd, device=settings.output_device or None),
        transcription=AsrClient(),
        downloads=DownloadManager(),
        history=HistoryStore(library_root, keep=history_keep(settings),
                             max_bytes=max(1, settings.history_max_mb) * 1_000_000),
        sd=sd)


def history_keep(settings: Settings) -> timedelta | None:
    """How long a take stays in the history (None: for ever)."""
    days = settings.history_keep_days
    return timedelta(days=days) if days > 0 else None
