"""Rename, duplicate and the block edits the window makes, on the core alone."""

from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InvalidInput
from studio.projects import listen, manage
from studio.projects.audiofiles import write_flac
from studio.projects.errors import InvalidProjectName
from studio.projects.schema import BlockTake
from tests.projects.helpers import make_project


def test_rename_keeps_the_folder_and_refuses_a_taken_name(store):
    a = make_project(store, ["One."], name="Alpha")
    make_project(store, ["Two."], name="Beta")
    assert manage.rename(store, a.id, "  Gamma ").name == "Gamma"
    assert store.load(a.id).name == "Gamma"
    with pytest.raises(InvalidProjectName, match="already exists"):
        manage.rename(store, a.id, "beta")


def _with_take(store, project, seconds=0.5):
    block = project.chapters[0].blocks[0]
    rel = f"takes/{block.id}-1.flac"
    write_flac(store.path(project) / rel, np.full(int(24000 * seconds), 0.1, np.float32), 24000)
    block.takes.append(BlockTake(f"{block.id}-1", rel, 1, int(24000 * seconds), "x"))
    block.chosen = block.takes[0].id
    store.save(project)


def test_duplicate_copies_the_script_and_every_take(store):
    a = make_project(store, ["One.", "Two."], name="Alpha")
    _with_take(store, a)
    copy = manage.duplicate(store, a.id, "Alpha copy")
    assert copy.id != a.id and store.load(copy.id).name == "Alpha copy"
    take = store.load(copy.id).chapters[0].blocks[0].chosen_take
    assert (store.path(copy.id) / take.file).read_bytes() == \
        (store.path(a.id) / take.file).read_bytes()
    with pytest.raises(InvalidProjectName):
        manage.duplicate(store, a.id, "alpha")
    assert len(store.list().projects) == 2


def test_split_join_unjoin_and_insert_round_trip(store):
    p = make_project(store, ["Alpha beta. Gamma.", "Delta."])
    first = p.chapters[0].blocks[0].id
    new = manage.split(p, first, 11)
    assert [b.text for b in p.chapters[0].blocks] == ["Alpha beta.", "Gamma.", "Delta."]
    with pytest.raises(InvalidInput):
        manage.split(p, first, 0)
    removed = manage.join(p, first)
    assert removed.id == new and p.chapters[0].blocks[0].text == "Alpha beta. Gamma."
    manage.unjoin(p, first, removed, "Alpha beta.")
    assert [b.id for b in p.chapters[0].blocks][:2] == [first, new]
    added = manage.insert(p, 0, None, "Prologue.")
    assert p.chapters[0].blocks[0].id == added
    with pytest.raises(InvalidInput):
        manage.set_text(p, first, "   ")
    with pytest.raises(InvalidInput, match="last block"):
        manage.join(p, p.chapters[0].blocks[-1].id)


def test_a_run_plays_the_takes_with_their_pauses_and_knows_where_each_starts(store):
    p = make_project(store, ["One.", "Two."])
    _with_take(store, p, 0.5)
    audio, starts = listen.run_of(store.path(p), store.load(p.id).chapters[0].blocks)
    assert len(audio) == int(24000 * 0.9) and starts == [(p.chapters[0].blocks[0].id, 0.0)]
    assert listen.block_at(starts, 0.7) == p.chapters[0].blocks[0].id
