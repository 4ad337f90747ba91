"""What ``project.json`` holds, how it is versioned and validated.

Everything read from disk goes through :func:`project_from_dict`, so a hand-edited,
truncated or future-version file is refused with a reason instead of crashing whoever reads
it. Plain dataclasses; the stores and the renderer change them and write them back whole.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from studio.library.schema import format_time, parse_time
from studio.projects.errors import ProjectDamaged

SCHEMA_VERSION = 1
PROJECT_FILE = "project.json"
TAKES_DIR = "takes"
CAST_DIR = "cast"
NARRATOR = "Narrator"
DEFAULT_VOICE = "speaker:ryan"  # a preset speaker: needs no clip and no kept reference
DEFAULT_PAUSE_S = 0.4
MAX_TEXT = 20_000  # one block; longer belongs in several blocks
MAX_NAME = 100


def new_id(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class CheckResult:
    """What the check by ear heard in a take, compared with what the model was to read."""

    score: float  # 0-100, agreeing words over all words of the alignment
    flagged: bool
    differences: list[str] = field(default_factory=list)  # "“word” (heard “other”)"...
    heard: str = ""
    words: list[tuple[str, float, float]] = field(default_factory=list)  # read word, times
    note: str = ""  # why the check could not run on this take, if it could not

    def to_dict(self) -> dict[str, Any]:
        return dict(score=round(self.score, 1), flagged=self.flagged,
                    differences=list(self.differences), heard=self.heard,
                    words=[[w, round(a, 3), round(b, 3)] for w, a, b in self.words],
                    note=self.note)


@dataclass
class BlockTake:
    """One rendering of a block: its audio file and how it was made."""

    id: str  # "<block id>-<n>"
    file: str  # relative to the project folder: takes/<id>.flac
    seed: int
    samples: int
    fingerprint: str  # the block's inputs when it was rendered (stale.py)
    model: str = ""
    created: datetime = field(default_factory=now)
    check: CheckResult | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # the length cap, why it stopped

    def to_dict(self) -> dict[str, Any]:
        return dict(id=self.id, file=self.file, seed=self.seed, samples=self.samples,
                    fingerprint=self.fingerprint, model=self.model,
                    created=format_time(self.created), settings=dict(self.settings),
                    check=self.check.to_dict() if self.check else None)


@dataclass
class Block:
    """A paragraph or a script line, who says it, and its takes (one of them chosen)."""

    text: str
    speaker: str = NARRATOR
    instruct: str = ""
    language: str = "auto"
    pause_s: float = DEFAULT_PAUSE_S
    start_s: float | None = None  # timed projects: the cue's start and end
    end_s: float | None = None
    takes: list[BlockTake] = field(default_factory=list)
    chosen: str | None = None
    id: str = field(default_factory=lambda: new_id("b"))

    @property
    def chosen_take(self) -> BlockTake | None:
        return next((t for t in self.takes if t.id == self.chosen), None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(id=self.id, text=self.text, speaker=self.speaker,
                                    instruct=self.instruct, language=self.language,
                                    pause_s=self.pause_s, chosen=self.chosen,
                                    takes=[t.to_dict() for t in self.takes])
        if self.start_s is not None:
            data.update(start_s=self.start_s, end_s=self.end_s)
        return data


@dataclass
class Chapter:
    title: str
    blocks: list[Block] = field(default_factory=list)
    id: str = field(default_factory=lambda: new_id("c"))

    def to_dict(self) -> dict[str, Any]:
        return dict(id=self.id, title=self.title, blocks=[b.to_dict() for b in self.blocks])


@dataclass
class CastMember:
    """A name in the script and the voice that speaks it.

    ``voice`` is a voice key (``saved:<id>``, ``design:<id>``, ``speaker:<name>``). A
    built-in design voice speaks with the voice the library keeps for it; the first render
    pins a copy of that voice as this member's reference (``kept``, see cast.py)."""

    name: str
    voice: str | None  # None: named in the script but not cast yet
    kept: dict[str, Any] | None = None  # id (digest), prompt, reference, seed, model: pinned

    def to_dict(self) -> dict[str, Any]:
        return dict(name=self.name, voice=self.voice, kept=self.kept)


@dataclass
class LexiconEntry:
    """A word (whole words only) or a regular expression, and how to say it."""

    pattern: str
    say: str
    regex: bool = False
    case_sensitive: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dict(pattern=self.pattern, say=self.say, regex=self.regex,
                    case_sensitive=self.case_sensitive)


@dataclass
class RenderSettings:
    max_seconds: float | None = None  # a cap on one block's take (tests, drafts)
    retries: int = 0  # new takes of a flagged block, the best-matching one kept
    min_score: float = 85.0  # a take whose words agree less than this is flagged
    max_speedup: float = 1.0  # timed projects: how much a long take may be sped up

    def to_dict(self) -> dict[str, Any]:
        return dict(max_seconds=self.max_seconds, retries=self.retries,
                    min_score=self.min_score, max_speedup=self.max_speedup)


@dataclass
class Project:
    id: str
    name: str
    chapters: list[Chapter] = field(default_factory=list)
    cast: list[CastMember] = field(default_factory=list)
    lexicon: list[LexiconEntry] = field(default_factory=list)
    settings: RenderSettings = field(default_factory=RenderSettings)
    title: str = ""
    author: str = ""
    narrator: str = ""  # the book's tags, as last exported
    year: str = ""
    cover: str | None = None  # an image file inside the project folder
    timed: bool = False  # blocks carry cue times (imported from SRT/VTT)
    notes: dict[str, str] = field(default_factory=dict)  # what the project says about itself
    created: datetime = field(default_factory=now)
    updated: datetime = field(default_factory=now)
    extra: dict[str, Any] = field(default_factory=dict)  # keys a newer version wrote

    def blocks(self) -> list[tuple[Chapter, Block]]:
        return [(c, b) for c in self.chapters for b in c.blocks]

    def block(self, block_id: str) -> Block:
        for _c, b in self.blocks():
            if b.id == block_id:
                return b
        raise KeyError(block_id)

    def member(self, name: str) -> CastMember | None:
        key = name.casefold()
        return next((m for m in self.cast if m.name.casefold() == key), None)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.extra)
        data.update(
            schema_version=SCHEMA_VERSION, id=self.id, name=self.name, title=self.title,
            author=self.author, narrator=self.narrator, year=self.year, cover=self.cover,
            timed=self.timed, notes=dict(self.notes),
            created=format_time(self.created), updated=format_time(self.updated),
            settings=self.settings.to_dict(), cast=[m.to_dict() for m in self.cast],
            lexicon=[e.to_dict() for e in self.lexicon],
            chapters=[c.to_dict() for c in self.chapters])
        return data


# --- reading ---------------------------------------------------------------------------------


class _Reader:
    """Typed getters that name the field that is wrong."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ProjectDamaged(f"{where} is not an object")
        self.data, self.where = data, where

    def _fail(self, key: str, what: str) -> ProjectDamaged:
        return ProjectDamaged(f"{self.where}: '{key}' {what}")

    def text(self, key: str, default: str | None = None, limit: int = MAX_TEXT,
             empty: bool = True) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or "\x00" in value:
            raise self._fail(key, "must be text")
        if len(value) > limit:
            raise self._fail(key, f"is longer than {limit} characters")
        if not empty and not value.strip():
            raise self._fail(key, "is empty")
        return value

    def opt_text(self, key: str) -> str | None:
        return None if self.data.get(key) is None else self.text(key)

    def number(self, key: str, default: float | None = None, low: float = 0.0,
               high: float = 1e7) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not low <= value <= high:
            raise self._fail(key, f"must be a number from {low:g} to {high:g}")
        return float(value)

    def opt_number(self, key: str, low: float = 0.0, high: float = 1e7) -> float | None:
        return None if self.data.get(key) is None else self.number(key, low=low, high=high)

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._fail(key, "must be a whole number, 0 or more")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "must be true or false")
        return value

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self._fail(key, "must be a list")
        return value

    def time(self, key: str) -> datetime:
        try:
            return parse_time(self.data.get(key), key)
        except Exception as exc:
            raise self._fail(key, f"is not a time ({exc})") from exc


def _check(data: Any, where: str) -> CheckResult | None:
    if data is None:
        return None
    r = _Reader(data, where)
    words = []
    for w in r.items("words"):
        if not (isinstance(w, list) and len(w) == 3 and isinstance(w[0], str)
                and all(isinstance(x, int | float) for x in w[1:])):
            raise ProjectDamaged(f"{where}: a word time is malformed")
        words.append((w[0], float(w[1]), float(w[2])))
    diffs = r.items("differences")
    if not all(isinstance(d, str) for d in diffs):
        raise ProjectDamaged(f"{where}: 'differences' must be text")
    return CheckResult(r.number("score", high=100.0), r.flag("flagged"), diffs,
                       r.text("heard", ""), words, r.text("note", ""))


def _settings(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not all(
            isinstance(v, str | int | float | bool) or v is None for v in data.values()):
        raise ProjectDamaged(f"{where}: 'settings' must map names to plain values")
    return dict(data)


def _take(data: Any, where: str) -> BlockTake:
    r = _Reader(data, where)
    take = BlockTake(id=r.text("id", empty=False, limit=64), file=r.text("file", empty=False),
                     seed=r.integer("seed"), samples=r.integer("samples"),
                     fingerprint=r.text("fingerprint", empty=False, limit=128),
                     model=r.text("model", ""), created=r.time("created"),
                     check=_check(r.data.get("check"), f"{where} check"),
                     settings=_settings(r.data.get("settings", {}), where))
    if take.file != f"{TAKES_DIR}/{take.id}.flac" or "/" in take.id or ".." in take.id:
        raise ProjectDamaged(f"{where}: its file {take.file!r} is not where takes live")
    return take


def _block(data: Any, where: str) -> Block:
    r = _Reader(data, where)
    takes = [_take(t, f"{where} take {k + 1}") for k, t in enumerate(r.items("takes"))]
    block = Block(text=r.text("text", empty=False), speaker=r.text("speaker", NARRATOR,
                                                                    MAX_NAME, empty=False),
                  instruct=r.text("instruct", ""), language=r.text("language", "auto", 40),
                  pause_s=r.number("pause_s", DEFAULT_PAUSE_S, high=60.0),
                  start_s=r.opt_number("start_s"), end_s=r.opt_number("end_s"),
                  takes=takes, chosen=r.opt_text("chosen"), id=r.text("id", empty=False,
                                                                      limit=32))
    if block.chosen is not None and block.chosen_take is None:
        raise ProjectDamaged(f"{where}: its chosen take {block.chosen!r} is not one of its takes")
    if (block.start_s is None) != (block.end_s is None):
        raise ProjectDamaged(f"{where}: a cue needs both a start and an end")
    return block


def project_from_dict(data: Any, project_id: str) -> Project:
    """Validate ``data`` (project.json) completely; raises ProjectDamaged with the reason."""
    r = _Reader(data, "project.json")
    version = r.data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ProjectDamaged(f"project.json has format version {version!r}, which this "
                             "version of Voice Studio does not know; update the app")
    chapters = []
    for k, c in enumerate(r.items("chapters")):
        cr = _Reader(c, f"chapter {k + 1}")
        chapters.append(Chapter(cr.text("title", "", 500),
                                [_block(b, f"chapter {k + 1} block {j + 1}")
                                 for j, b in enumerate(cr.items("blocks"))],
                                cr.text("id", empty=False, limit=32)))
    cast = []
    for k, m in enumerate(r.items("cast")):
        mr = _Reader(m, f"cast member {k + 1}")
        kept = mr.data.get("kept")
        if kept is not None and not isinstance(kept, dict):
            raise ProjectDamaged(f"cast member {k + 1}: 'kept' must be an object")
        cast.append(CastMember(mr.text("name", empty=False, limit=MAX_NAME),
                               mr.opt_text("voice"), kept))
    lexicon = [_lexicon_entry(e, f"lexicon entry {k + 1}")
               for k, e in enumerate(r.items("lexicon"))]
    sr = _Reader(r.data.get("settings", {}), "settings")
    settings = RenderSettings(sr.opt_number("max_seconds", high=3600.0),
                              sr.integer("retries", 0), sr.number("min_score", 85.0, high=100.0),
                              sr.number("max_speedup", 1.0, low=1.0, high=4.0))
    notes = r.data.get("notes", {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise ProjectDamaged("project.json: 'notes' must map names to text")
    known = {"schema_version", "id", "name", "title", "author", "narrator", "year", "cover",
             "timed", "notes",
             "created", "updated", "settings", "cast", "lexicon", "chapters"}
    return Project(id=project_id, name=r.text("name", empty=False, limit=MAX_NAME),
                   chapters=chapters, cast=cast, lexicon=lexicon, settings=settings,
                   title=r.text("title", ""), author=r.text("author", ""),
                   narrator=r.text("narrator", "", 500), year=r.text("year", "", 10),
                   cover=r.opt_text("cover"), timed=r.flag("timed"), notes=dict(notes),
                   created=r.time("created"), updated=r.time("updated"),
                   extra={k: v for k, v in r.data.items() if k not in known})


def _lexicon_entry(data: Any, where: str) -> LexiconEntry:
    r = _Reader(data, where)
    return LexiconEntry(r.text("pattern", empty=False, limit=500), r.text("say", limit=500),
                        r.flag("regex"), r.flag("case_sensitive"))


def lexicon_from_list(items: Any, where: str) -> list[LexiconEntry]:
    if not isinstance(items, list):
        raise ProjectDamaged(f"{where} must be a list")
    return [_lexicon_entry(e, f"{where} entry {k + 1}") for k, e in enumerate(items)]
