"""Which model each part of the window needs, whether it is on this computer, and how the
window says so: in words a window user can act on (the Model manager, never a command),
naming the model to get, with a button that opens the Model manager at it.

Reading only: what is on disk comes from the pool's discovery (JSON reads), so asking is
cheap enough for every click of Generate.
"""

from __future__ import annotations

from studio.engine.errors import ModelNotFound
from studio.hub import discover
from studio.hub.catalog import ASR_CATALOG, CATALOG, CatalogEntry
from studio.humanize import human_bytes
from studio.library.anyvoice import DESIGN_PRESET, SAVED, SPEAKER

SHORT_NAMES = {"base": "Base", "custom_voice": "CustomVoice", "voice_design": "VoiceDesign",
               "asr": "Whisper"}
#: what speaks each kind of voice in the list
SOURCE_KINDS = {SAVED: "base", DESIGN_PRESET: "voice_design", SPEAKER: "custom_voice"}
ACTION = "Open model manager"


def starter(kind: str) -> CatalogEntry:
    """The model to get for ``kind``: the smallest published one (Whisper small for asr)."""
    entries = [e for e in (*CATALOG, *ASR_CATALOG) if e.kind == kind]
    return min(entries, key=lambda e: e.download_bytes)


def model_label(kind: str) -> str:
    """'VoiceDesign 1.7B', 'CustomVoice 0.6B', 'Whisper small'."""
    return f"{SHORT_NAMES.get(kind, kind)} {starter(kind).size}"


def on_disk(pool: object, kind: str) -> bool:
    """A usable model of ``kind`` is in the pool's folders."""
    roots, extra = getattr(pool, "roots", None), getattr(pool, "extra", [])
    if kind == "asr":
        return any(m.usable for m in discover(roots, extra, kind="asr"))
    return any(m.kind == kind and m.usable for m in pool.available())  # type: ignore[attr-defined]


def missing_kinds(pool: object) -> set[str]:
    """The voice model kinds with no usable model on disk."""
    have = {m.kind for m in pool.available() if m.usable}  # type: ignore[attr-defined]
    return {kind for kind in SHORT_NAMES if kind != "asr"} - have


def missing_message(kind: str, what: str) -> str:
    """``what`` ("Anime Heroine", "Cloning") needs a model of ``kind`` that is not here."""
    entry = starter(kind)
    return (f"{what} needs the {model_label(kind)} model (about "
            f"{human_bytes(entry.download_bytes)}), which is not on this computer yet. "
            "Download it in the Model manager, or add a model folder you already have there "
            "(Use a folder I already have…).")


def window_error(exc: BaseException, kind: str) -> BaseException:
    """The engine's 'no model on disk' in a window user's words (no command to run)."""
    if not isinstance(exc, ModelNotFound):
        return exc
    entry = starter(kind)
    return ModelNotFound(f"No {SHORT_NAMES.get(kind, kind)} model is on this computer. "
                         f"Download {model_label(kind)} (about "
                         f"{human_bytes(entry.download_bytes)}) in the Model manager, or add "
                         "a model folder you already have there (Use a folder I already "
                         "have…).")
