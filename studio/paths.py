"""Where per-user state lives: one root, overridable for tests and portable installs.

Nothing here creates folders at import time; callers ask for ``ensure=True`` when they
are about to write.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from studio import APP_NAME

HOME_ENV = "VOICE_STUDIO_HOME"
MODELS_ENV = "VOICE_STUDIO_MODELS"


def _ready(path: Path, ensure: bool) -> Path:
    if ensure:
        path.mkdir(parents=True, exist_ok=True)
    return path


def root(ensure: bool = False) -> Path:
    """The per-user root: ``$VOICE_STUDIO_HOME`` or platformdirs' user data dir."""
    env = os.environ.get(HOME_ENV)
    base = Path(env).expanduser() if env else Path(user_data_dir(APP_NAME, appauthor=False))
    return _ready(base, ensure)


def models_dir(ensure: bool = False) -> Path:
    """Where models are discovered and downloaded: ``$VOICE_STUDIO_MODELS`` or ``<root>/models``."""
    env = os.environ.get(MODELS_ENV)
    path = Path(env).expanduser() if env else root() / "models"
    return _ready(path, ensure)


def voices_dir(ensure: bool = False) -> Path:
    return _ready(root() / "voices", ensure)


def trash_dir(ensure: bool = False) -> Path:
    return _ready(root() / "trash", ensure)


def cache_dir(ensure: bool = False) -> Path:
    """Hugging Face and other caches, kept under the root so nothing leaks elsewhere."""
    return _ready(root() / "cache", ensure)


def settings_file() -> Path:
    return root() / "settings.json"


def logs_dir(ensure: bool = False) -> Path:
    return _ready(root() / "logs", ensure)


def builtin_voices_dir() -> Path:
    """The read-only ``voices/`` folder shipped with the app (source tree or frozen bundle)."""
    import sys

    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "voices"
    return Path(__file__).resolve().parent.parent / "voices"


def resources_dir() -> Path:
    import sys

    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
