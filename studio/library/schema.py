"""The one place that knows what ``voice.json`` holds, how it is versioned and validated.

Everything read from disk or from an imported file goes through :func:`voice_from_dict`,
so a hand-edited, truncated or future-version file is refused with a reason instead of
crashing whoever reads it. Keys this version does not know are kept in ``Voice.extra`` and
written back unchanged, so an edit never drops them.

Takes (several reference clips per voice, see ``takes.py``) only add the optional
``active_take`` key, written when a take other than the first is active; the format stays
version 1, and an older version of the app reads such a voice as its first take.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from studio import __version__
from studio.hub.catalog import LANGUAGE_CODES, LANGUAGES
from studio.library.errors import SchemaError, UnsupportedLanguage, UnsupportedSchema
from studio.library.ids import clean_name, is_valid_id

SCHEMA_VERSION = 1
KINDS = ("cloned", "designed")

META_FILE = "voice.json"
REFERENCE_FILE = "reference.wav"
TRANSCRIPT_FILE = "transcript.txt"
PROMPT_FILE = "prompt.safetensors"
ORIGINAL_STEM = "original"

MAX_DESCRIPTION = 2000
MAX_TEXT = 5000
MAX_LANGUAGE = 40
MAX_TAGS = 32
MAX_TAG = 40
ORIGINAL_RE = re.compile(r"original\.[a-z0-9]{1,8}")
MAIN_TAKE = "take-1"  # the voice's first clip: the files at the top of its folder
TAKE_ID_RE = re.compile(r"take-[1-9][0-9]{0,2}")
MAX_SECONDS_FIELD = 1e6  # any length a voice records is far below this
SEED_RANGE = (-(2**63), 2**64 - 1)  # every seed torch takes (older versions saved any)


@dataclass(frozen=True)
class Recipe:
    """How a designed voice was made, enough to make it again."""

    instruct: str  # the description given to the VoiceDesign model
    sample_text: str = ""
    language: str = ""
    seed: int | None = None
    model: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # temperature, top_p...

    def to_dict(self) -> dict[str, Any]:
        return dict(instruct=self.instruct, sample_text=self.sample_text, language=self.language,
                    seed=self.seed, model=self.model, params=dict(self.params))


#: where a voice came from: a clip recorded in the app, an imported file, a clip made of
#: other takes, a written description (designed), or not said (voices saved before)
SOURCES = ("recorded", "imported", "combined", "designed")
VIA = ("window", "cli", "api")


@dataclass(frozen=True)
class Provenance:
    """Where a voice came from, when, and whether the person who saved it confirmed they
    have the right to use it (asked before a voice is cloned; None where nobody's voice
    was copied, as for a designed one)."""

    source: str  # one of SOURCES
    at: datetime
    file: str | None = None  # the imported file's name
    consent: bool | None = None
    via: str = "window"  # where it was saved: window | cli | api

    def to_dict(self) -> dict[str, Any]:
        return dict(source=self.source, at=format_time(self.at), file=self.file,
                    consent=self.consent, via=self.via)


@dataclass(frozen=True)
class Voice:
    """The metadata of one saved voice (the content of its voice.json)."""

    id: str
    name: str
    kind: str
    created: datetime
    updated: datetime
    language: str = "Auto"
    description: str = ""
    recipe: Recipe | None = None
    prompt_model: str = ""
    x_vector_only: bool = False
    reference_seconds: float = 0.0
    original_file: str | None = None  # "original.mp3" inside the folder, if kept
    original_name: str | None = None  # the file name the user imported
    tags: tuple[str, ...] = ()
    active_take: str = MAIN_TAKE  # the take that speaks (takes.py)
    provenance: Provenance | None = None  # None: saved before provenance was recorded
    app_version: str = __version__
    extra: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def with_changes(self, **changes: Any) -> Voice:
        """A validated copy with some fields changed."""
        return voice_from_dict({**self.to_dict(), **_encode(changes)})

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.extra)
        data.update(
            schema_version=self.schema_version, id=self.id, name=self.name, kind=self.kind,
            language=self.language, description=self.description,
            recipe=self.recipe.to_dict() if self.recipe else None,
            prompt_model=self.prompt_model, x_vector_only=self.x_vector_only,
            reference_seconds=round(self.reference_seconds, 3),
            original_file=self.original_file, original_name=self.original_name,
            tags=list(self.tags), created=format_time(self.created),
            updated=format_time(self.updated), app_version=self.app_version,
        )
        if self.provenance is not None:
            data["provenance"] = self.provenance.to_dict()
        else:
            data.pop("provenance", None)
        if self.active_take != MAIN_TAKE:  # single-take voices keep their exact old form
            data["active_take"] = self.active_take
        else:
            data.pop("active_take", None)
        return data


_KNOWN = {f for f in Voice.__dataclass_fields__ if f != "extra"}


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: ``2025-01-31T12:00:00Z``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(value: object, what: str) -> datetime:
    if not isinstance(value, str):
        raise SchemaError(f"{what} time is missing")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise SchemaError(f"{what} time {value!r} is not an ISO 8601 date") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _encode(changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(changes)
    for key in ("created", "updated"):
        if isinstance(out.get(key), datetime):
            out[key] = format_time(out[key])
    if isinstance(out.get("recipe"), Recipe):
        out["recipe"] = out["recipe"].to_dict()
    if isinstance(out.get("provenance"), Provenance):
        out["provenance"] = out["provenance"].to_dict()
    return out


def _text(data: dict[str, Any], key: str, limit: int, default: str = "",
          required: bool = False) -> str:
    value = data.get(key, default)
    if value is None and not required:
        value = default
    if not isinstance(value, str):
        raise SchemaError(f"'{key}' must be text")
    value = unicodedata.normalize("NFC", value.strip())
    if required and not value:
        raise SchemaError(f"'{key}' is empty")
    if len(value) > limit:
        raise SchemaError(f"'{key}' is longer than {limit} characters")
    if "\x00" in value:
        raise SchemaError(f"'{key}' contains a NUL character")
    return value


def check_language(value: object) -> str:
    if value is None or value == "":
        return "Auto"
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_LANGUAGE:
        raise SchemaError(f"language must be a short name such as 'English' (got {value!r})")
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise SchemaError("language contains control characters")
    return value.strip()


def known_language(value: object) -> str:
    """A language the models speak, by name or code, spelt as the catalog spells it ('Auto'
    when not given). For new values only: a voice.json on disk is read as it is, so a voice
    saved before this check still opens."""
    text = check_language(value)
    key = text.lower()
    if key == "auto":
        return "Auto"
    key = LANGUAGE_CODES.get(key, key)
    for name in LANGUAGES:
        if name.lower() == key:
            return name
    raise UnsupportedLanguage(text, LANGUAGES)


def check_seconds(value: object, what: str = "reference_seconds") -> float:
    """A length in seconds: a finite number from 0 up to MAX_SECONDS_FIELD."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            0 <= value < MAX_SECONDS_FIELD):  # NaN fails the comparison too
        raise SchemaError(f"{what} must be a number of seconds from 0 to {MAX_SECONDS_FIELD:g}")
    return float(value)


def check_params(value: object) -> dict[str, Any]:
    """A design recipe's sampling options: names to plain values, numbers finite."""
    if not isinstance(value, dict):
        raise SchemaError("the recipe's params must be an object")
    for key, item in value.items():
        if isinstance(item, float) and not math.isfinite(item) or (
                isinstance(item, int) and not isinstance(item, bool) and abs(item) >= 2**63):
            raise SchemaError(f"the recipe's param {key!r} is out of range")
        if not (item is None or isinstance(item, bool | str | int | float)):
            raise SchemaError(f"the recipe's param {key!r} must be a number or text")
    return value


def check_tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise SchemaError("tags must be a list of words")
    tags: list[str] = []
    for tag in value:
        tag = " ".join(tag.split())
        if len(tag) > MAX_TAG:
            raise SchemaError(f"the tag {tag[:20]!r}... is longer than {MAX_TAG} characters")
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise SchemaError(f"a voice can have at most {MAX_TAGS} tags")
    return tuple(tags)


def recipe_from_dict(data: object) -> Recipe:
    if isinstance(data, Recipe):
        data = data.to_dict()
    if not isinstance(data, dict):
        raise SchemaError("the design recipe must be an object")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]):
        raise SchemaError("the recipe's seed must be a whole number a random generator takes")
    params = check_params(data.get("params") or {})
    return Recipe(
        instruct=_text(data, "instruct", MAX_TEXT, required=True),
        sample_text=_text(data, "sample_text", MAX_TEXT),
        language=_text(data, "language", MAX_LANGUAGE),
        seed=seed, model=_text(data, "model", 200), params=params,
    )


def provenance_from_dict(data: object) -> Provenance:
    if isinstance(data, Provenance):
        data = data.to_dict()
    if not isinstance(data, dict):
        raise SchemaError("the provenance must be an object")
    source, consent, via = data.get("source"), data.get("consent"), data.get("via") or "window"
    if source not in SOURCES:
        raise SchemaError(f"the provenance's source must be one of {', '.join(SOURCES)} "
                          f"(got {source!r})")
    if consent is not None and not isinstance(consent, bool):
        raise SchemaError("the provenance's consent must be true, false or null")
    if via not in VIA:
        raise SchemaError(f"the provenance's 'via' must be one of {', '.join(VIA)}")
    file = data.get("file")
    if file is not None:
        file = _text(data, "file", 255) or None
    return Provenance(source=source, at=parse_time(data.get("at"), "the provenance's"),
                      file=file, consent=consent, via=via)


def check_version(data: dict[str, Any], what: str = "This voice") -> int:
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise SchemaError("the schema version is missing")
    if version != SCHEMA_VERSION:
        raise UnsupportedSchema(
            f"{what} uses voice format version {version}, which this version of Voice Studio "
            f"(format {SCHEMA_VERSION}) cannot read. "
            + ("Update Voice Studio to use it." if version > SCHEMA_VERSION
               else "Re-create the voice from its reference clip.")
        )
    return version


def voice_from_dict(data: object) -> Voice:
    """Validate and build; raises SchemaError or UnsupportedSchema with the reason."""
    if not isinstance(data, dict):
        raise SchemaError("voice.json does not hold an object")
    version = check_version(data)
    voice_id = data.get("id")
    if not is_valid_id(voice_id):
        raise SchemaError(f"the id {voice_id!r} is not a valid voice id")
    kind = data.get("kind")
    if kind not in KINDS:
        raise SchemaError(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
    recipe = data.get("recipe")
    if kind == "designed" and recipe is None:
        raise SchemaError("a designed voice needs its design recipe")
    seconds = check_seconds(data.get("reference_seconds", 0.0))
    original = data.get("original_file")
    if original is not None and not (isinstance(original, str) and ORIGINAL_RE.fullmatch(original)):
        raise SchemaError(f"original_file {original!r} is not a valid file name")
    original_name = data.get("original_name")
    if original_name is not None:
        original_name = _text(data, "original_name", 255) or None
    x_vector_only = data.get("x_vector_only", False)
    if not isinstance(x_vector_only, bool):
        raise SchemaError("x_vector_only must be true or false")
    active = data.get("active_take") or MAIN_TAKE
    if not (isinstance(active, str) and TAKE_ID_RE.fullmatch(active)):
        raise SchemaError(f"active_take {active!r} is not a take id like 'take-2'")
    try:
        name = clean_name(data.get("name"))
    except Exception as exc:
        raise SchemaError(f"the name is invalid: {exc}") from exc
    return Voice(
        id=voice_id, name=name, kind=kind,
        created=parse_time(data.get("created"), "created"),
        updated=parse_time(data.get("updated"), "updated"),
        language=check_language(data.get("language")),
        description=_text(data, "description", MAX_DESCRIPTION),
        recipe=None if recipe is None else recipe_from_dict(recipe),
        prompt_model=_text(data, "prompt_model", 200),
        x_vector_only=x_vector_only, reference_seconds=seconds,
        original_file=original, original_name=original_name,
        tags=check_tags(data.get("tags")), active_take=active,
        provenance=(None if data.get("provenance") is None
                    else provenance_from_dict(data.get("provenance"))),
        app_version=_text(data, "app_version", 40),
        extra={k: v for k, v in data.items() if k not in _KNOWN},
        schema_version=version,
    )

