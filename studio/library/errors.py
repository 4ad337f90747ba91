"""Errors the voice library raises; each message says what happened and what to do."""

from __future__ import annotations

from studio.errors import InvalidInput, NotFound, StudioError


class VoiceNotFound(NotFound):
    """No voice (or trash item, or preview) with the given name or id."""


class InvalidName(InvalidInput):
    """A display name that is empty, too long or already used."""


class AmbiguousVoice(InvalidInput):
    """A name that matches more than one voice: the caller must use the id."""


class VoiceDamaged(StudioError):
    """A voice folder that exists but cannot be used (missing or invalid files)."""

    code = "voice_damaged"


class UnsupportedSchema(InvalidInput):
    """voice.json (or an export) written by a newer, unknown version of the app."""


class BadArchive(InvalidInput):
    """An exported voice file that is refused on import, with the reason."""


class SchemaError(InvalidInput):
    """Voice metadata that is malformed (a field missing, of the wrong type or out of range)."""
