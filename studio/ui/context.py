"""What the window's parts share: settings, the library, presets, the inference client and
the one audio player. Built in one place so tests can inject a pool, a fake sound device or
a library root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from studio.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    library: Any  # studio.library.VoiceLibrary
    presets: Any  # studio.library.presets.Presets
    pool: Any  # studio.engine.pool.ModelPool
    inference: Any  # studio.ui.workers.InferenceClient
    playback: Any  # studio.ui.playback.PlaybackController
    sd: Any = None  # the sounddevice module, or a fake in tests

    @classmethod
    def create(cls, settings: Settings | None = None, pool: Any = None, sd: Any = None,
               library_root: Path | None = None) -> AppContext:
        from studio.engine.pool import ModelPool
        from studio.library import VoiceLibrary
        from studio.library.presets import load_presets
        from studio.ui.playback import PlaybackController
        from studio.ui.workers import InferenceClient

        settings = settings or Settings.load()
        retention = {"preview": timedelta(minutes=settings.preview_retention_min),
                     "import": timedelta(hours=settings.import_retention_h)}
        library = VoiceLibrary(library_root, preview_retention=retention)
        if pool is None:
            pool = ModelPool(device=settings.device,
                             dtype=None if settings.dtype == "auto" else settings.dtype,
                             extra=[Path(p) for p in settings.model_folders],
                             roles=settings.roles, speed=settings.speed)
        # gc must not run on the inference thread: it could finalise Qt objects owned by the
        # GUI thread; the window collects after an unload instead (MainWindow._unloaded)
        pool.collect_garbage = False
        inference = InferenceClient(pool, idle_unload_s=settings.idle_unload_min * 60.0)
        playback = PlaybackController(sd=sd, device=settings.output_device or None)
        return cls(settings, library, load_presets(), pool, inference, playback, sd)

    def shutdown(self) -> bool:
        """Stop generation, transcription, playback and downloads, release the audio
        device, end the worker threads (downloads pause and resume next time)."""
        from studio.ui.asr_worker import shutdown_asr
        from studio.ui.download_worker import shutdown_downloads

        self.playback.close()
        downloads = shutdown_downloads(self)
        transcription = shutdown_asr(self)
        return self.inference.shutdown() and downloads and transcription
