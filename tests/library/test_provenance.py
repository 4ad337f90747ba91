"""Where a voice came from, and the confirmation that its user may use it, are kept in
voice.json, survive edits, copies and an export/import, and are validated when read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studio.errors import InvalidInput
from studio.library import VoiceLibrary
from studio.library.schema import META_FILE, Provenance
from tests.library.helpers import add_voice

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_kept_in_voice_json_and_through_edits_copies_and_archives(tmp_path: Path) -> None:
    lib = VoiceLibrary(tmp_path / "a")
    made = Provenance("imported", WHEN, file="interview.flac", consent=True, via="window")
    entry = add_voice(lib, "Alice", provenance=made)
    on_disk = json.loads((entry.path / META_FILE).read_text(encoding="utf-8"))
    assert on_disk["provenance"] == {"source": "imported", "at": "2025-03-01T12:00:00Z",
                                     "file": "interview.flac", "consent": True, "via": "window"}
    assert lib.rename(entry.id, "Alicia").voice.provenance == made
    assert lib.duplicate(entry.id).voice.provenance == made
    archive = lib.export_voice(entry.id, tmp_path)
    other = VoiceLibrary(tmp_path / "b")
    assert other.import_voice(archive).voice.provenance == made


def test_a_voice_saved_before_has_none_and_keeps_its_form(tmp_path: Path) -> None:
    lib = VoiceLibrary(tmp_path)
    entry = add_voice(lib, "Old")
    assert entry.voice.provenance is None
    assert "provenance" not in json.loads((entry.path / META_FILE).read_text("utf-8"))


@pytest.mark.parametrize("bad", [{"source": "stolen", "at": "2025-03-01T12:00:00Z"},
                                 {"source": "recorded", "at": "yesterday"},
                                 {"source": "recorded", "at": "2025-03-01T12:00:00Z",
                                  "consent": "yes"}])
def test_a_bad_provenance_is_refused_with_a_reason(tmp_path: Path, bad: dict) -> None:
    with pytest.raises(InvalidInput, match="provenance"):
        add_voice(VoiceLibrary(tmp_path), "Bad", provenance=bad)
