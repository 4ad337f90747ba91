"""The voice library: saved voices on disk, their trash, unsaved clips and built-in presets.

Qt-free and torch-free, so the GUI, the command line and tests share it. Start with
:class:`VoiceLibrary`; everything it raises is a :class:`studio.errors.StudioError`.
"""

from studio.library.archive import ImportLimits
from studio.library.errors import (
    AmbiguousVoice,
    BadArchive,
    InvalidName,
    SchemaError,
    StorageError,
    UnsupportedSchema,
    VoiceDamaged,
    VoiceNotFound,
)
from studio.library.folder import DamagedEntry, VoiceEntry, VoiceListing
from studio.library.library import VoiceLibrary
from studio.library.previews import PreviewArea, PreviewItem
from studio.library.schema import SCHEMA_VERSION, Recipe, Voice
from studio.library.trash import TrashItem

__all__ = [
    "SCHEMA_VERSION",
    "AmbiguousVoice",
    "BadArchive",
    "DamagedEntry",
    "ImportLimits",
    "InvalidName",
    "PreviewArea",
    "PreviewItem",
    "Recipe",
    "SchemaError",
    "StorageError",
    "TrashItem",
    "UnsupportedSchema",
    "Voice",
    "VoiceDamaged",
    "VoiceEntry",
    "VoiceLibrary",
    "VoiceListing",
    "VoiceNotFound",
]
