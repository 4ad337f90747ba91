"""Storing a reference clip from a path: a wrong path says what is wrong with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.errors import InvalidInput
from studio.library import refaudio


def test_store_file_names_a_folder_as_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    with pytest.raises(InvalidInput, match="is a folder, not a file. Give an audio file"):
        refaudio.store_file(folder, tmp_path / "reference.wav")
    with pytest.raises(InvalidInput, match="The reference file .* does not exist"):
        refaudio.store_file(tmp_path / "missing.wav", tmp_path / "reference.wav")
    assert not (tmp_path / "reference.wav").exists()
