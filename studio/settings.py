"""User settings in one JSON file under the per-user root; Qt-free so the CLI can read them.

A damaged file never stops the app: it is set aside as ``settings.json.bad`` and defaults
are used. Unknown keys from newer versions are kept when saving.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from studio import paths, safe_json
from studio.fsutil import atomic_write_json

log = logging.getLogger(__name__)


@dataclass
class Settings:
    device: str = "auto"  # auto | cpu | cuda | mps
    dtype: str = "auto"  # auto | float32 | bfloat16 | float16
    speed: str = "exact"  # exact | fast (studio.engine.speed)
    input_device: str = ""  # "" = system default; else the device name
    output_device: str = ""
    first_chunk_frames: int = 4  # streaming: frames in the first chunk (80 ms each)
    batch_segments: int = 0  # sentences generated at once: 0 automatic, 1 one by one
    default_language: str = "auto"
    preview_retention_min: int = 20
    import_retention_h: int = 12
    history_keep_days: int = 30  # the take history (studio.history); 0 = for ever
    history_max_mb: int = 500  # its size cap; the oldest takes go first
    idle_unload_min: int = 0  # 0 = keep models loaded
    roles: dict[str, str] = field(default_factory=dict)  # kind -> preferred model path
    model_folders: list[str] = field(default_factory=list)  # "use a folder I already have"
    theme: str = "system"  # system | light | dark
    last_voice: str = ""
    last_page: str = "speak"
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    window_state: str = ""
    splitter_state: str = ""
    sampling: dict[str, Any] = field(default_factory=dict)
    # `voice-studio serve`: a voice name clients send (e.g. OpenAI's "alloy") -> the voice
    voice_aliases: dict[str, str] = field(default_factory=dict)
    # Settings > Engine (studio.remote.choice): where takes are made. The tokens are kept
    # here, in a file only its owner can read (save), and never printed
    engine: str = "local"  # local | studio (a Voice Studio server) | omni (vLLM-Omni)
    server_url: str = ""
    server_token: str = field(default="", repr=False)
    omni_urls: dict[str, str] = field(default_factory=dict)  # model kind -> server URL
    omni_token: str = field(default="", repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or paths.settings_file()
        try:
            raw = safe_json.loads(path.read_bytes())
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("settings file %s is damaged (%s); using defaults", path, exc)
            with contextlib.suppress(OSError):
                os.replace(path, path.with_name(path.name + ".bad"))
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {f.name: f for f in fields(cls) if f.name != "extra"}
        values: dict[str, Any] = {}
        defaults = cls()
        for name, value in raw.items():
            if name in known:
                default = getattr(defaults, name)
                if isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int)):
                    values[name] = value
        settings = cls(**values)
        settings.extra = {k: v for k, v in raw.items() if k not in known}
        return settings

    def save(self, path: Path | None = None) -> None:
        path = path or paths.settings_file()
        data = {k: v for k, v in asdict(self).items() if k != "extra"}
        atomic_write_json(path, {**self.extra, **data}, private=True)  # tokens: owner only
