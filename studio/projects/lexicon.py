"""Pronunciation lexicon: word or regular expression -> how to say it (a respelling).

Applied only to what the model reads, never to the text the user sees or to subtitles.
Rules, stated once for every caller:

- a plain entry matches whole words only (not inside another word), case-insensitively
  unless the entry is case-sensitive; the respelling replaces the word as written;
- a regular-expression entry is used as written (Python ``re`` syntax), case-insensitively
  unless case-sensitive; its replacement may use ``\\1``-style groups;
- the project's entries apply first, in the order listed, then the shared lexicon's (one
  for all projects, ``<root>/lexicon.json``); a shared entry for a pattern the project
  also has is skipped, so the project's respelling wins.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from studio import paths
from studio.errors import InvalidInput
from studio.fsutil import atomic_write_json
from studio.projects.errors import ProjectDamaged
from studio.projects.schema import SCHEMA_VERSION, LexiconEntry, lexicon_from_list

SHARED_FILE = "lexicon.json"


def compile_entry(entry: LexiconEntry) -> re.Pattern[str]:
    """The entry's pattern; a regular expression that does not compile is a clear error."""
    flags = 0 if entry.case_sensitive else re.IGNORECASE
    if entry.regex:
        try:
            return re.compile(entry.pattern, flags)
        except re.error as exc:
            raise InvalidInput(f"The lexicon pattern {entry.pattern!r} is not a valid regular "
                               f"expression ({exc}). Fix it, or add it without --regex to "
                               "match the word as written.") from exc
    word = entry.pattern.strip()
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", flags)


def merged(project: list[LexiconEntry], shared: list[LexiconEntry]) -> list[LexiconEntry]:
    """The entries that apply, in order: the project's, then shared ones it does not override."""
    own = {(e.pattern, e.regex) for e in project}
    return list(project) + [e for e in shared if (e.pattern, e.regex) not in own]


def apply(text: str, entries: list[LexiconEntry]) -> str:
    """What the model reads for ``text``."""
    for entry in entries:
        pattern = compile_entry(entry)
        if entry.regex:
            text = pattern.sub(entry.say, text)
        else:
            text = pattern.sub(lambda _m, say=entry.say: say, text)
    return text


def new_entry(pattern: str, say: str, regex: bool = False,
              case_sensitive: bool = False) -> LexiconEntry:
    """A checked entry: a non-empty pattern that compiles and a respelling to say."""
    pattern, say = (pattern or "").strip(), (say or "").strip()
    if not pattern:
        raise InvalidInput("Give the word (or --regex pattern) to respell.")
    if not say:
        raise InvalidInput(f"Give how to say {pattern!r}, e.g. 'Nguyen' -> 'Win'.")
    entry = LexiconEntry(pattern, say, regex, case_sensitive)
    compile_entry(entry)
    return entry


def add(entries: list[LexiconEntry], entry: LexiconEntry) -> list[LexiconEntry]:
    """``entries`` with ``entry`` added, replacing one for the same pattern."""
    return [e for e in entries if (e.pattern, e.regex) != (entry.pattern, entry.regex)] + [entry]


def remove(entries: list[LexiconEntry], pattern: str) -> list[LexiconEntry]:
    kept = [e for e in entries if e.pattern != pattern.strip()]
    if len(kept) == len(entries):
        raise InvalidInput(f"The lexicon has no entry {pattern!r}; 'lexicon list' shows them.")
    return kept


# --- the shared lexicon ---------------------------------------------------------------------


def shared_path(root: Path | None = None) -> Path:
    return (Path(root) if root else paths.root()) / SHARED_FILE


def load_shared(root: Path | None = None) -> list[LexiconEntry]:
    """The lexicon shared by all projects (empty if there is none yet)."""
    path = shared_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise ProjectDamaged(f"The shared lexicon {path} cannot be read ({exc}). Fix or "
                             "delete it.") from exc
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise ProjectDamaged(f"The shared lexicon {path} is not one this version of Voice "
                             "Studio reads. Fix or delete it.")
    return lexicon_from_list(data.get("entries"), "the shared lexicon")


def save_shared(entries: list[LexiconEntry], root: Path | None = None) -> None:
    atomic_write_json(shared_path(root), dict(schema_version=SCHEMA_VERSION,
                                              entries=[e.to_dict() for e in entries]))
