"""Errors the voice library raises; each message says what happened and what to do."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from studio.errors import InvalidInput, NotFound, StudioError
from studio.fsutil import disk_full, is_disk_full

F = TypeVar("F", bound=Callable[..., Any])


class VoiceNotFound(NotFound):
    """No voice (or trash item, or preview) with the given name or id."""


class InvalidName(InvalidInput):
    """A display name that is empty, too long or already used."""


class AmbiguousVoice(InvalidInput):
    """A name that matches more than one voice: the caller must use the id."""


class VoiceDamaged(StudioError):
    """A voice folder that exists but cannot be used (missing or invalid files)."""

    code = "voice_damaged"


class UnsupportedLanguage(InvalidInput):
    """A voice's language that none of the models speak."""

    def __init__(self, language: str, supported: tuple[str, ...]) -> None:
        super().__init__(
            f"The language {language!r} is not one the voice models speak. Choose Auto or one "
            f"of: {', '.join(supported)} (a code such as 'en' works too)."
        )


class UnsupportedSchema(InvalidInput):
    """voice.json (or an export) written by a newer, unknown version of the app."""


class BadArchive(InvalidInput):
    """An exported voice file that is refused on import, with the reason."""


class SchemaError(InvalidInput):
    """Voice metadata that is malformed (a field missing, of the wrong type or out of range)."""


class StorageError(StudioError):
    """The disk refused a read or write (full, read-only, permissions)."""

    code = "storage_error"


def storage_errors(action: str) -> Callable[[F], F]:
    """Turn an OSError escaping the method ``fn`` into a StorageError that says what failed
    and why; a full disk becomes DiskFull (see ``_full_folder`` for the folder it names)."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except OSError as exc:
                if is_disk_full(exc):
                    raise disk_full(_full_folder(exc, args[0] if args else None),
                                    action) from exc
                where = f" ({exc.filename})" if exc.filename else ""
                raise StorageError(
                    f"Could not {action}: {exc.strerror or exc}{where}. Check that the disk "
                    "has free space and that the Voice Studio folder is writable."
                ) from exc

        return inner  # type: ignore[return-value]

    return wrap


def _full_folder(exc: OSError, owner: object) -> Path:
    """Where the disk is full: the folder the write went to, or the owner's data folder
    (its ``root`` or ``folder``) when that write went inside it, to a work folder that is
    gone by now."""
    went = getattr(exc, "folder", None) or exc.filename2 or exc.filename
    data = getattr(owner, "root", None) or getattr(owner, "folder", None)
    if data is not None and (not went or Path(went).is_relative_to(data)):
        return Path(data)
    return Path(went or ".")
