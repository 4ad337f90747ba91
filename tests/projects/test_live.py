"""The open project in memory (LiveProject): changes saved by a writer thread, coalesced and
atomic; readers in the process see the newest state; a failed save loses nothing; and a
render's note for resuming, kept by a close or a kill and cleared by an end or a cancel."""

from __future__ import annotations

import json
import threading

from studio.errors import DiskFull
from studio.projects import render, resume
from studio.projects.live import LiveProject
from studio.projects.schema import PROJECT_FILE
from studio.projects.store import ProjectStore
from tests.projects.helpers import make_project


def _on_disk(store: ProjectStore, project_id: str) -> dict:
    """project.json as the file holds it, read without the process's open copy."""
    return json.loads((store.path(project_id) / PROJECT_FILE).read_text())


def test_a_renders_takes_wait_for_the_next_edit_or_a_second(store, monkeypatch):
    """Each save of a long book holds the interpreter; a render's finished takes are saved
    together, with the user's next edit or within WAIT_S, never lost."""
    from studio.projects import live as live_module

    project = make_project(store, ["One.", "Two."])
    live = LiveProject.load(store, project.id)
    saved = threading.Event()
    write = store.write_snapshot

    def spy(project_id: str, data: dict) -> None:
        write(project_id, data)
        saved.set()

    monkeypatch.setattr(store, "write_snapshot", spy)
    monkeypatch.setattr(live_module, "WAIT_S", 30.0)
    live.edit(lambda p: setattr(p.chapters[0].blocks[0], "text", "Take made."), can_wait=True)
    assert not saved.wait(0.3)  # waiting for company
    live.edit(lambda p: setattr(p.chapters[0].blocks[1], "text", "Edited."))  # a user's edit
    assert saved.wait(30) and live.wait_idle(30)
    texts = [b["text"] for b in _on_disk(store, project.id)["chapters"][0]["blocks"]]
    assert texts == ["Take made.", "Edited."]  # both in one save, at once
    saved.clear()
    monkeypatch.setattr(live_module, "WAIT_S", 0.2)
    live.edit(lambda p: setattr(p.chapters[0].blocks[0], "text", "Later take."), can_wait=True)
    assert saved.wait(30) and live.wait_idle(30)  # alone, it is saved within WAIT_S
    assert _on_disk(store, project.id)["chapters"][0]["blocks"][0]["text"] == "Later take."


def test_changes_are_saved_off_the_callers_thread_and_coalesced(store, monkeypatch):
    project = make_project(store, [f"Line {k}." for k in range(50)])
    live = LiveProject.load(store, project.id)
    writes: list[str] = []
    write = store.write_snapshot

    def spy(project_id: str, data: dict) -> None:
        writes.append(threading.current_thread().name)
        write(project_id, data)

    monkeypatch.setattr(store, "write_snapshot", spy)
    blocks = live.project.chapters[0].blocks
    for k, block in enumerate(blocks):
        live.edit(lambda p, b=block, k=k: setattr(b, "text", f"Changed {k}."))
    assert live.wait_idle(30)
    assert writes and set(writes) == {"project-writer"}
    assert len(writes) < len(blocks)  # fifty changes, fewer writes
    texts = [b["text"] for b in _on_disk(store, project.id)["chapters"][0]["blocks"]]
    assert texts == [f"Changed {k}." for k in range(50)]
    # a reader in this process sees an unsaved change at once: the copy is saved first
    live.edit(lambda p: setattr(p.chapters[0].blocks[0], "text", "Newest."))
    assert ProjectStore().load(project.id).chapters[0].blocks[0].text == "Newest."


def test_a_failed_save_keeps_the_change_and_the_old_file(store, monkeypatch):
    project = make_project(store, ["One.", "Two."])
    failures: list[str] = []
    live = LiveProject(store, store.load(project.id), on_error=lambda e: failures.append(str(e)))
    before = _on_disk(store, project.id)

    def full(_project_id: str, _data: dict) -> None:
        raise DiskFull("Could not save the project: the disk is full.")

    monkeypatch.setattr(store, "write_snapshot", full)
    live.edit(lambda p: setattr(p.chapters[0].blocks[0], "text", "Kept in memory."))
    try:
        live.flush()
    except DiskFull as exc:
        assert "disk is full" in str(exc)
    else:
        raise AssertionError("the failed save was not reported")
    assert failures and live.dirty and _on_disk(store, project.id) == before
    monkeypatch.undo()
    live.flush()
    assert _on_disk(store, project.id)["chapters"][0]["blocks"][0]["text"] == "Kept in memory."


def test_a_change_saved_by_another_program_is_taken_in(store):
    project = make_project(store, ["One.", "Two."])
    live = LiveProject.load(store, project.id)
    other = ProjectStore().load(project.id)
    other.chapters[0].blocks[1].text = "Changed on the command line."
    ProjectStore().save(other)
    same = live.project
    assert live.sync_from_disk()
    assert live.project is same and same.chapters[0].blocks[1].text == \
        "Changed on the command line."
    assert not live.sync_from_disk()  # nothing new since


def test_the_resume_note_survives_an_interrupt_and_goes_with_a_cancel(models, store, engine):
    project = make_project(store, ["One line.", "Two lines.", "Three lines."])
    ids = render.select(store.load(project.id), [], None)

    def stop_after_first(how: str) -> render.Renderer:
        box: list[render.Renderer] = []

        def on_progress(progress: render.Progress) -> None:
            if progress.done == 1:
                getattr(box[0], how)()

        box.append(render.Renderer(store, project.id, engine, on_progress=on_progress))
        return box[0]

    report = stop_after_first("interrupt").run(ids)
    assert report.cancelled and report.rendered == 1
    note = resume.pending(store, store.load(project.id))
    assert note is not None and note.block_ids == ids and note.name == "Book"
    left = resume.still_to_do(store.load(project.id), note, [], None)
    assert left == ids[1:]
    report = stop_after_first("cancel").run(left)
    assert report.cancelled and resume.pending(store, store.load(project.id)) is None
    render.Renderer(store, project.id, engine).run(ids[2:])
    assert resume.pending(store, store.load(project.id)) is None
    assert all(b.chosen for _c, b in store.load(project.id).blocks())
