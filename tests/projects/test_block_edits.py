"""Core block edits behind the script view (move, pause, accept a flagged take, a typed
speaker), the recent-projects list, and the words a flagged take was heard saying otherwise."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput
from studio.projects import manage, recent
from studio.projects.heard_words import differing_spans, heard_summary
from studio.projects.import_text import speaker_prefix
from studio.projects.schema import Block, BlockTake, Chapter, CheckResult, LexiconEntry, Project


def _project(*texts: str) -> Project:
    return Project(id="p", name="P", chapters=[Chapter("One", [Block(t, id=t) for t in texts]),
                                               Chapter("Two", [Block("Z", id="Z")])])


def _order(project: Project) -> list[str]:
    return [b.id for b in project.chapters[0].blocks]


@pytest.mark.parametrize(("ids", "row", "expected"), [
    (["A", "B"], 3, ["C", "A", "B", "D"]),
    (["D"], 0, ["D", "A", "B", "C"]),
    (["A", "C"], 4, ["B", "D", "A", "C"]),
    (["B"], 99, ["A", "C", "D", "B"]),
])
def test_move_blocks_and_reorder_undoes_it(ids, row, expected):
    project = _project("A", "B", "C", "D")
    old = manage.move_blocks(project, ids, row)
    assert _order(project) == expected
    manage.reorder(project, old)
    assert _order(project) == ["A", "B", "C", "D"]


def test_blocks_of_two_chapters_are_not_moved_together():
    project = _project("A", "B")
    with pytest.raises(InvalidInput):
        manage.move_blocks(project, ["A", "Z"], 0)
    assert _order(project) == ["A", "B"]


def test_set_pause_checks_its_range_and_returns_the_old_one():
    project = _project("A")
    assert manage.set_pause(project, "A", 1.25) == 0.4
    assert project.block("A").pause_s == 1.25
    with pytest.raises(InvalidInput, match="0 to 60"):
        manage.set_pause(project, "A", 61)


def _flagged(text: str, heard: str) -> Block:
    take = BlockTake(id="b-1", file="takes/b-1.flac", seed=1, samples=10, fingerprint="f",
                     check=CheckResult(50.0, True, ["“x” (heard “y”)"], heard))
    return Block(text, takes=[take], chosen="b-1", id="b")


def test_accept_clears_the_flag_keeps_the_take_and_can_be_undone():
    project = _project("A")
    block = _flagged("Four here.", "For here.")
    project.chapters[0].blocks.append(block)
    manage.accept_take(project, "b")
    assert block.chosen == "b-1" and not block.chosen_take.check.flagged
    assert block.chosen_take.check.heard == "For here."
    manage.accept_take(project, "b", accepted=False)
    assert block.chosen_take.check.flagged
    with pytest.raises(InvalidInput, match="render it first"):
        manage.accept_take(project, "A")


def test_speaker_prefix():
    assert speaker_prefix("Alice: Hello there.") == ("Alice", "Hello there.")
    assert speaker_prefix("Mary Ann: Hi.") == ("Mary Ann", "Hi.")
    assert speaker_prefix("It was 10:30 when he came.") is None
    assert speaker_prefix("No colon here.") is None


def test_recent_projects_most_recent_first_forget_and_damaged_file(tmp_path):
    assert recent.load(tmp_path) == []
    recent.opened(tmp_path, "a")
    recent.opened(tmp_path, "b")
    assert recent.opened(tmp_path, "a") == ["a", "b"]
    for k in range(recent.KEEP + 2):
        recent.opened(tmp_path, f"p{k}")
    assert len(recent.load(tmp_path)) == recent.KEEP
    recent.forget(tmp_path, f"p{recent.KEEP + 1}")
    assert f"p{recent.KEEP + 1}" not in recent.load(tmp_path)
    assert recent.existing(tmp_path, {"p3"}) == ["p3"]
    (tmp_path / recent.FILE).write_text("{not json")
    assert recent.load(tmp_path) == []
    (tmp_path / recent.FILE).write_text('{"recent": ["../evil", 3, "ok"]}')
    assert recent.load(tmp_path) == ["ok"]


def test_differing_spans_name_the_words_of_the_text_heard_otherwise():
    block = _flagged("The quick brown fox.", "The quack brown.")
    spans = differing_spans(block, [])
    assert [(block.text[a:b], s) for a, b, s in spans] == [("quick", "mismatch"),
                                                         ("fox", "missing")]
    assert "Heard: “The quack brown.”" in heard_summary(block)
    block.chosen_take.check.flagged = False
    assert differing_spans(block, []) == []
    assert heard_summary(block).startswith("Accepted as it is")


def test_differing_spans_through_the_lexicon_find_the_words_in_the_text():
    block = _flagged("Ask Nguyen about the cat.", "Ask win about the hat.")
    entries = [LexiconEntry("Nguyen", "Win")]
    spans = differing_spans(block, entries)
    assert [(block.text[a:b], s) for a, b, s in spans] == [("cat", "mismatch")]


def test_move_to_another_chapter_and_back():
    project = _project("A", "B", "C")
    orders = manage.move_to_chapter(project, ["C", "A"], 1)
    assert _order(project) == ["B"]
    assert [b.id for b in project.chapters[1].blocks] == ["Z", "A", "C"]  # script order
    manage.restore_chapters(project, orders)
    assert _order(project) == ["A", "B", "C"]
    assert [b.id for b in project.chapters[1].blocks] == ["Z"]
    with pytest.raises(InvalidInput):
        manage.move_to_chapter(project, ["A"], 5)
