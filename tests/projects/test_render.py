"""Render on the tiny models: progress with an estimate, cancel keeps finished blocks, the
next render continues; the check by ear flags a swapped take and retries keep the best."""

from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InvalidInput
from studio.projects import earcheck, render, stale
from studio.projects.audiofiles import read_audio
from studio.projects.earcheck import EarCheck
from tests.projects.helpers import KnownAudioHearer, heard, make_project

TEXTS = ["The first line.", "A second line here.", "Third.", "And the fourth one."]


def test_render_progress_cancel_and_resume(models, store, library, engine):
    project = make_project(store, [TEXTS[:2], TEXTS[2:]])
    seen = []
    r = render.Renderer(store, project.id, engine, library)

    def progress(p: render.Progress) -> None:
        seen.append(p)
        if p.done == 2:
            r.cancel()  # as Esc or Ctrl+C would, while block 3 is about to render

    r.on_progress = progress
    report = r.run(render.select(project, [], library))
    assert report.cancelled and report.rendered == 2
    assert [p.done for p in seen] == [0, 1, 2]
    assert seen[0].eta_s is None and seen[1].eta_s > 0  # an estimate once a block is timed
    after = store.get(project.id)
    st = stale.status(after, [], library)
    assert (st.rendered, st.missing) == (2, 2)
    kept = {b.id: b.chosen for _c, b in after.blocks() if b.chosen}
    todo = render.select(after, [], library)
    assert todo == [b.id for _c, b in after.blocks()][2:]  # continues where it stopped
    report = render.Renderer(store, project.id, engine, library).run(todo)
    assert report.rendered == 2 and not report.cancelled
    done = store.get(project.id)
    assert {b.id: b.chosen for _c, b in done.blocks() if b.id in kept} == kept
    assert stale.status(done, [], library).rendered == 4
    for _c, b in done.blocks():
        take = b.chosen_take
        assert read_audio(store.path(done) / take.file).size == take.samples == 5 * 1920
    assert done.notes["check"] == earcheck.SKIPPED_NOTE  # no Whisper model: it says so
    one = render.select(done, [], library, chapter=2, again=True)
    assert one == [b.id for b in done.chapters[1].blocks]


def test_check_by_ear_flags_a_take_swapped_for_another_texts(models, store, library, engine):
    project = make_project(store, TEXTS[:3])
    hearer = KnownAudioHearer()
    hearer.unknown = ""
    r = render.Renderer(store, project.id, engine, library)
    r.run(render.select(project, [], library))
    done = store.get(project.id)
    blocks = [b for _c, b in done.blocks()]
    for b in blocks:
        hearer.learn(read_audio(store.path(done) / b.chosen_take.file), b.text)
    checker = EarCheck(hearer, done.settings.min_score)
    assert render.Renderer(store, project.id, engine, library, checker).check_chosen(
        [b.id for b in blocks]) == []
    second, third = (store.path(done) / b.chosen_take.file for b in blocks[1:])
    second.write_bytes(third.read_bytes())  # block 2's take now says block 3's text
    flagged = render.Renderer(store, project.id, engine, library, checker).check_chosen(
        [b.id for b in blocks])
    assert flagged == [blocks[1].id]
    check = store.get(project.id).block(blocks[1].id).chosen_take.check
    assert check.flagged and check.score < 50
    assert any("“second” (" in d for d in check.differences)
    assert check.heard == "Third."


class FirstTakeGarbled:
    """Hears the first take of each block garbled, later ones right (a fake recognizer:
    it injects the fault the retries are there for)."""

    def __init__(self, texts):
        self.texts, self.calls = texts, 0

    def transcribe(self, audio, sample_rate, language=None):
        self.calls += 1
        return heard("the the the" if self.calls == 1 else self.texts[0], 1.0)


def test_retries_render_a_flagged_block_again_and_keep_the_best(models, store, library, engine):
    project = make_project(store, TEXTS[:1])
    checker = EarCheck(FirstTakeGarbled(TEXTS[:1]), 85.0)
    report = render.Renderer(store, project.id, engine, library, checker).run(
        render.select(project, [], library), retries=2)
    assert report.checked and report.takes == 2 and report.flagged == []
    block = store.get(project.id).blocks()[0][1]
    assert [t.check.flagged for t in block.takes] == [True, False]
    assert block.chosen == block.takes[1].id
    assert "check" not in store.get(project.id).notes


def test_every_retry_flagged_keeps_the_best_and_reports_it(models, store, library, engine):
    project = make_project(store, ["One two three four."])
    scores = iter(["one two", "one two three", "one"])

    class Partial:
        def transcribe(self, audio, sample_rate, language=None):
            return heard(next(scores), 1.0)

    report = render.Renderer(store, project.id, engine, library, EarCheck(Partial(), 85.0)).run(
        render.select(project, [], library), retries=2)
    block = store.get(project.id).blocks()[0][1]
    assert len(block.takes) == 3 and block.chosen == block.takes[1].id
    assert report.flagged and report.flagged[0].startswith("#1: ")
    assert "“four” (not heard)" in report.flagged[0]


@pytest.mark.slow
def test_the_real_whisper_hears_each_new_take(models, store, library, engine, tiny_asr):
    project = make_project(store, TEXTS[:1])
    render.Renderer(store, project.id, engine, library, EarCheck(tiny_asr, 85.0)).run(
        render.select(project, [], library))
    take = store.get(project.id).blocks()[0][1].chosen_take
    assert take.check is not None and not take.check.note
    assert 0.0 <= take.check.score <= 100.0
    assert take.check.flagged == (take.check.score < 85.0)  # random weights hear nonsense
    assert isinstance(take.check.heard, str)
    assert np.isfinite(take.check.score)


def test_one_render_of_a_project_at_a_time(models, store, library, engine):
    project = make_project(store, TEXTS[:1])
    r = render.Renderer(store, project.id, engine, library)
    with store.render_lock(project), pytest.raises(InvalidInput, match="being rendered by another"):
        r.run(render.select(project, [], library))
    assert r.run(render.select(project, [], library)).rendered == 1
