"""A block's takes on the real engine: a regenerate adds a take and keeps the earlier ones,
choosing one makes it what listening and export use, two takes compared back to back, and
the line a cast member's voice is sampled with."""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio.samplerate import SAMPLE_RATE
from studio.errors import InvalidInput
from studio.projects import render, takes
from studio.projects.audiofiles import read_audio
from studio.projects.listen import run_of
from studio.projects.mix import assemble
from studio.projects.schema import BlockTake, CheckResult
from tests.projects.helpers import make_project


def test_regenerate_keeps_earlier_takes_and_choosing_one_is_what_is_heard(models, store,
                                                                         library, engine):
    project = make_project(store, ["First line here.", "Second line."])
    block_id = project.chapters[0].blocks[0].id
    renderer = render.Renderer(store, project.id, engine, library)
    renderer.run(render.select(project, [], library))
    renderer.run([block_id])  # regenerate: a new take with a new seed
    project = store.load(project.id)
    block = project.block(block_id)
    first, second = block.takes
    folder = store.path(project)
    assert block.chosen == second.id and first.seed != second.seed
    assert (folder / first.file).is_file() and (folder / second.file).is_file()
    old_audio = read_audio(folder / first.file)
    takes.choose(project, block_id, first.id)
    store.save(project)
    project = store.load(project.id)
    assert project.block(block_id).chosen == first.id and len(project.block(block_id).takes) == 2
    heard, _starts = run_of(folder, [project.block(block_id)])
    np.testing.assert_array_equal(heard[:len(old_audio)], old_audio)
    mix = assemble(project, folder, [], library)
    np.testing.assert_array_equal(mix.block_audio[block_id], old_audio)
    with pytest.raises(InvalidInput, match="no longer kept"):
        takes.choose(project, block_id, "nope-9")


def test_compare_run_plays_a_then_b_after_a_gap(models, store, library, engine):
    project = make_project(store, ["Only line."])
    block_id = project.chapters[0].blocks[0].id
    renderer = render.Renderer(store, project.id, engine, library)
    renderer.run([block_id])
    renderer.run([block_id])
    project = store.load(project.id)
    a, b = project.block(block_id).takes
    audio, b_starts = takes.compare_run(store.path(project), a, b)
    gap = int(round(takes.COMPARE_GAP_S * SAMPLE_RATE))
    assert len(audio) == a.samples + gap + b.samples
    assert b_starts == pytest.approx((a.samples + gap) / SAMPLE_RATE)
    assert not audio[a.samples:a.samples + gap].any()


def test_sample_line_is_the_first_sentence_the_name_speaks(store):
    project = make_project(store, ["The wind rose.", "Well! That was quick. Come in."],
                           cast={"Narrator": "speaker:ryan", "Alice": "speaker:vivian"},
                           speakers=[["Narrator", "Alice"]])
    assert takes.sample_line(project, "alice") == "Well!"
    assert takes.sample_line(project, "Narrator") == "The wind rose."
    assert takes.sample_line(project, "Bob") == takes.SAMPLE_LINE
    long = make_project(store, ["word " * 60], name="Long")
    line = takes.sample_line(long, "Narrator")
    assert len(line) <= takes.SAMPLE_CHARS + 1 and line.endswith("…")


def test_differing_spans_are_where_the_check_heard_other_words():
    check = CheckResult(50.0, True, ["“wind” (heard “win”)", "“door” (not heard)",
                                     "“hello” (heard, not in the text)"], "the win",
                        [("The", 0.0, 0.2), ("wind", 0.2, 0.6), ("door", 0.7, 1.0),
                         ("hello", 1.0, 1.2)])
    take = BlockTake("b1-1", "takes/b1-1.flac", 1, 100, "f", check=check)
    assert takes.differing_spans(take) == [(0.2, 0.6), (0.7, 1.0)]
    check.flagged = False
    assert takes.differing_spans(take) == []
