"""Names, slugs and the voice.json schema."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from studio.library import SCHEMA_VERSION, Recipe, SchemaError, UnsupportedSchema, Voice
from studio.library.errors import InvalidName
from studio.library.ids import clean_name, is_valid_id, slugify, unique_id
from studio.library.schema import voice_from_dict

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("name, slug", [
    ("Alice", "alice"),
    ("  Émile Zola  ", "emile-zola"),
    ("Ångström's Ñandú", "angstrom-s-nandu"),
    ("ＦＵＬＬ width", "full-width"),
    ("Dr. Strange-Love!!", "dr-strange-love"),
    ("con", "con-voice"),
    ("x", "x"),
    ("../../etc/passwd", "etc-passwd"),
    ("C:\\Windows\\System32", "c-windows-system32"),
])
def test_slugify_transliterates(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert is_valid_id(slug)


@pytest.mark.parametrize("name", ["日本語の声", "голос", "🎤🎶", "...", "---", "한국어"])
def test_slugify_falls_back_to_a_hash(name: str) -> None:
    slug = slugify(name)
    assert is_valid_id(slug)
    assert slug == slugify(name)  # stable
    if name in ("日本語の声", "🎤🎶", "...", "---", "한국어"):
        assert slug.startswith("v-")


def test_russian_is_hashed_but_distinct() -> None:
    assert slugify("голос") != slugify("голос 2")


def test_long_names_give_short_ids() -> None:
    slug = slugify("a" * 100)
    assert is_valid_id(slug) and len(slug) <= 40


@pytest.mark.parametrize("bad", ["", "A", "a_b", "-a", "a-", ".a", "a/b", "..", "a" * 49,
                                 "nul", "com1", "alice\n", None, 3, "é"])
def test_invalid_ids(bad: object) -> None:
    assert not is_valid_id(bad)


def test_unique_id_counts_up() -> None:
    taken = {"alice", "alice-2"}
    assert unique_id("alice", taken.__contains__) == "alice-3"
    assert unique_id("bob", taken.__contains__) == "bob"


def test_clean_name() -> None:
    assert clean_name("  Mr   Smith \t") == "Mr Smith"
    assert clean_name("e\u0301") == "é"  # NFC
    for bad in ("", " ", "x" * 101, "a\x00b", "a\u202eb", 5):
        with pytest.raises(InvalidName):
            clean_name(bad)


def voice_dict(**changes) -> dict:
    v = Voice(id="alice", name="Alice", kind="designed", created=NOW, updated=NOW,
              recipe=Recipe(instruct="A voice.", seed=3), tags=("a", "b"))
    return {**v.to_dict(), **changes}


def test_schema_round_trip_keeps_unknown_keys() -> None:
    data = voice_dict(future_field={"x": 1})
    voice = voice_from_dict(data)
    assert voice.to_dict() == data
    assert voice.created == NOW and voice.recipe.seed == 3
    assert data["created"] == "2025-01-02T03:04:05Z"


@pytest.mark.parametrize("version", [0, 2, 99])
def test_unknown_schema_version_is_refused(version: int) -> None:
    with pytest.raises(UnsupportedSchema, match=f"version {version}"):
        voice_from_dict(voice_dict(schema_version=version))


def test_newer_schema_says_update() -> None:
    with pytest.raises(UnsupportedSchema, match="Update Voice Studio"):
        voice_from_dict(voice_dict(schema_version=SCHEMA_VERSION + 1))


@pytest.mark.parametrize("changes, message", [
    (dict(schema_version="1"), "schema version"),
    (dict(id="../x"), "not a valid voice id"),
    (dict(kind="other"), "kind"),
    (dict(recipe=None), "recipe"),
    (dict(recipe={"instruct": ""}), "instruct"),
    (dict(recipe={"instruct": "x", "seed": "7"}), "seed"),
    (dict(name=""), "name"),
    (dict(created="yesterday"), "ISO 8601"),
    (dict(updated=None), "updated"),
    (dict(tags="a,b"), "tags"),
    (dict(original_file="../../x.wav"), "original_file"),
    (dict(reference_seconds=-1), "reference_seconds"),
    (dict(description=7), "description"),
    (dict(x_vector_only="no"), "x_vector_only"),
])
def test_schema_validation(changes: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        voice_from_dict(voice_dict(**changes))


def test_schema_refuses_non_objects() -> None:
    with pytest.raises(SchemaError):
        voice_from_dict([1, 2])
