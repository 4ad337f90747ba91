"""What the window's parts share: settings, the library, presets, the model pool, the
engine, the transcription model, downloads, the take history and the one audio player. Built once, by the
composition root (studio.ui.compose.build_context); tests build theirs there too, with a pool, a
fake sound device or a library root of their own."""

from __future__ import annotations

from dataclasses import dataclass

from studio.engine.pool import ModelPool
from studio.history import HistoryStore
from studio.library import VoiceLibrary
from studio.library.presets import Presets
from studio.settings import Settings
from studio.ui.downloads import DownloadManager
from studio.ui.inference import InferenceClient
from studio.ui.playback import PlaybackController
from studio.ui.transcription import AsrClient


@dataclass
class AppContext:
    settings: Settings
    library: VoiceLibrary
    presets: Presets
    pool: ModelPool
    inference: InferenceClient
    playback: PlaybackController
    transcription: AsrClient
    downloads: DownloadManager
    history: HistoryStore  # every take made, kept on disk (studio.history)
    sd: object | None = None  # the sounddevice module, or a stand-in with its API (tests)

    def shutdown(self) -> bool:
        """Stop generation, transcription, playback and downloads, release the audio
        device, end the worker threads (downloads pause and resume next time)."""
        self.playback.close()
        downloads = self.downloads.shutdown()
        transcription = self.transcription.shutdown()
        return self.inference.shutdown() and downloads and transcription
