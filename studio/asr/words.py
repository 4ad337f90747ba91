"""What a transcription returns (text, language, words with times), and how Whisper's tokens
become words. No torch: the token ids and times come in as plain lists.

Whisper's byte-level tokens do not line up with words or even characters: a word is often
several tokens and a Chinese character may be split across two. Tokens are first joined
until they decode to whole characters, then into words: at spaces for most languages, one
character each for the languages written without spaces (as Whisper's own word timing does).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

#: languages written without spaces (their transcripts are joined without spaces)
NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "my", "yue"})
_REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Word:
    """One recognised word and when it is heard, in seconds from the start of the audio."""

    text: str
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True)
class Transcript:
    """What the recognition model heard in a clip."""

    text: str
    language: str  # a Whisper code, "en", "zh"...
    words: tuple[Word, ...]
    duration_s: float
    model: str = ""
    language_detected: bool = False  # False when the caller gave the language

    @property
    def language_name(self) -> str:
        """"English" for "en" (the code itself if unknown)."""
        return language_name(self.language)

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def shifted(self, offset: float) -> Transcript:
        """The same words with times moved by ``offset`` seconds (selection -> clip)."""
        words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in self.words)
        return replace(self, words=words)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "language": self.language,
                "language_name": self.language_name,
                "language_detected": self.language_detected,
                "duration_s": round(self.duration_s, 3), "model": self.model,
                "words": [w.to_dict() for w in self.words]}


# --- languages -------------------------------------------------------------------------------


def _whisper_languages() -> dict[str, str]:
    """Whisper's code -> English name table (from transformers; plain data)."""
    from transformers.models.whisper.tokenization_whisper import LANGUAGES

    return dict(LANGUAGES)


def language_name(code: str) -> str:
    try:
        name = _whisper_languages().get(code, code)
    except ImportError:  # pragma: no cover - transformers is a dependency
        name = code
    return name.title() if name != code else code


def language_code(language: str | None, supported: Sequence[str] | None = None) -> str | None:
    """A Whisper code for "English", "english", "en" or "EN"; None for auto-detection.

    Raises ``UnknownLanguage`` (saying what is possible) for anything else, or for a
    language the model does not know when ``supported`` (its codes) is given.
    """
    from studio.engine.errors import UnknownLanguage

    text = (language or "").strip().lower()
    if text in ("", "auto", "detect"):
        return None
    table = _whisper_languages()
    by_name = {name: code for code, name in table.items()}
    aliases = {"mandarin": "zh", "cantonese": "yue", "castilian": "es", "flemish": "nl",
               "haitian": "ht", "letzeburgesch": "lb", "moldavian": "ro", "moldovan": "ro",
               "pushto": "ps", "sinhalese": "si", "valencian": "ca"}
    code = text if text in table else by_name.get(text) or aliases.get(text)
    known = list(supported) if supported is not None else list(table)
    if code is None or code not in known:
        first = {c: i for i, c in enumerate(_COMMON)}  # the voice models' languages first
        names = [table.get(c, c).title()
                 for c in sorted(known, key=lambda c: (first.get(c, 99), table.get(c, c)))]
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        raise UnknownLanguage(language or "", ["auto (detect)", shown])
    return code


_COMMON = ("en", "zh", "ja", "ko", "de", "fr", "ru", "pt", "es", "it")


# --- tokens to words ---------------------------------------------------------------------------


def _is_punctuation(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c)[0] in "PS" for c in text)


def pieces(ids: Sequence[int], decode: Callable[[list[int]], str]) -> list[tuple[str, int, int]]:
    """Join tokens until they decode to whole characters: (text, first index, last index).

    A token that ends inside a multi-byte character decodes with U+FFFD; it is joined with
    the next ones until the character is complete (a stray invalid byte is dropped)."""
    out: list[tuple[str, int, int]] = []
    start = 0
    for i in range(len(ids)):
        text = decode(list(ids[start:i + 1]))
        if _REPLACEMENT not in text:
            out.append((text, start, i))
            start = i + 1
        elif i - start >= 3:  # never a valid character: give up on these bytes
            out.append((text.replace(_REPLACEMENT, ""), start, i))
            start = i + 1
    if start < len(ids):
        out.append((decode(list(ids[start:])).replace(_REPLACEMENT, ""), start, len(ids) - 1))
    return out


def is_own_word(c: str) -> bool:
    """Characters that are words by themselves: scripts written without spaces (Chinese,
    Japanese kana, Thai, Lao, Myanmar)."""
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FA1F
            or 0xF900 <= o <= 0xFAFF or 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF
            or 0xFF66 <= o <= 0xFF9F or 0x0E00 <= o <= 0x0EFF or 0x1000 <= o <= 0x109F)


def group_words(parts: Sequence[tuple[str, int, int]], starts: Sequence[float],
                ends: Sequence[float]) -> list[Word]:
    """Words from decoded pieces, timed by their tokens' start and end times.

    ``starts[i]``/``ends[i]`` are when token ``i`` starts and ends. Words end at spaces;
    characters of scripts written without spaces are words of their own (a piece holding
    several shares its time); punctuation stays with the word before it.
    """
    words: list[list[Any]] = []  # [text, start, end]
    boundary = True
    for text, a, b in parts:
        stripped = text.strip()
        if not stripped:
            boundary = True
            continue
        own = all(is_own_word(c) for c in stripped)
        joins = (not boundary and not text[0].isspace() and not own
                 and not is_own_word(words[-1][0][-1])) if words else False
        if words and (_is_punctuation(stripped) or joins):
            words[-1][0] += stripped if _is_punctuation(stripped) else text.rstrip()
            words[-1][2] = ends[b]
        elif own and len(stripped) > 1:
            step = (ends[b] - starts[a]) / len(stripped)  # share the piece's time
            for k, char in enumerate(stripped):
                words.append([char, starts[a] + k * step, starts[a] + (k + 1) * step])
        else:
            words.append([stripped, starts[a], ends[b]])
        boundary = text[-1].isspace()
    return [Word(t, float(s), float(max(s, e))) for t, s, e in words]
