"""Display names and folder ids: any Unicode for people, safe ASCII slugs for the disk.

An id names a folder, so every id that comes from outside (CLI, GUI, an imported file) is
checked with :func:`is_valid_id` before it touches a path: no dots, no slashes, nothing
that could leave the library or hit a reserved Windows name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

from studio.library.errors import InvalidName

MAX_NAME = 100
MAX_ID = 48
_ID_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt")
                                                    for i in range(10)}


def clean_name(name: object) -> str:
    """Trim and NFC-normalise a display name; refuse empty, too long or control characters."""
    if not isinstance(name, str):
        raise InvalidName("A voice name must be text.")
    text = unicodedata.normalize("NFC", " ".join(name.split()))
    if not text:
        raise InvalidName("A voice needs a name. Type one, for example 'Narrator'.")
    if len(text) > MAX_NAME:
        raise InvalidName(f"The voice name is {len(text)} characters long; keep it to "
                          f"{MAX_NAME} or fewer.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
        raise InvalidName("The voice name contains invisible or control characters. "
                          "Type it again using ordinary letters.")
    return text


def name_key(name: str) -> str:
    """What two names must share to count as the same name (case- and form-insensitive)."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID_RE.fullmatch(value)) and value not in _WINDOWS_RESERVED


def slugify(name: str) -> str:
    """ASCII slug of a name: transliterated via NFKD, else a short hash of the name."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[: MAX_ID - 8].rstrip("-")  # room for a "-NNN" suffix
    if not slug:  # nothing survived transliteration (CJK, emoji...)
        slug = "v-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    if slug in _WINDOWS_RESERVED:
        slug += "-voice"
    return slug


def unique_id(base: str, taken: Callable[[str], bool]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not ``taken``."""
    if not is_valid_id(base):
        base = slugify(base)
    if not taken(base):
        return base
    for n in range(2, 10_000):
        suffix = f"-{n}"
        candidate = base[: MAX_ID - len(suffix)].rstrip("-") + suffix
        if not taken(candidate):
            return candidate
    raise InvalidName("Too many voices share this name. Choose a different name.")
