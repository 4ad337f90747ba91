"""Project files: schema version, validated load, atomic writes, damaged projects listed."""

from __future__ import annotations

import json

import pytest

from studio.library.errors import StorageError
from studio.projects.errors import InvalidProjectName, ProjectDamaged, ProjectNotFound
from studio.projects.schema import SCHEMA_VERSION, Block, Chapter, Project
from studio.projects.store import ProjectStore
from tests.projects.helpers import make_project, png


def test_round_trip_keeps_everything_and_unknown_keys(store, studio_home):
    project = make_project(store, [["One.", "Two."], ["Three."]], name="Zoë's book")
    assert project.id == "zoe-s-book"
    file = studio_home / "projects" / project.id / "project.json"
    data = json.loads(file.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    data["from_the_future"] = {"x": 1}
    file.write_text(json.dumps(data))
    again = store.get("ZOË'S BOOK")
    assert again.extra == {"from_the_future": {"x": 1}}
    assert [[b.text for b in c.blocks] for c in again.chapters] == [["One.", "Two."], ["Three."]]
    store.save(again)
    assert json.loads(file.read_text())["from_the_future"] == {"x": 1}
    assert not [f for f in file.parent.iterdir() if f.name.startswith(".")]  # no temp files


@pytest.mark.parametrize("edit,reason", [
    (lambda d: d.update(schema_version=99), "format version 99"),
    (lambda d: d["chapters"][0]["blocks"][0].update(text=""), "'text' is empty"),
    (lambda d: d["chapters"][0]["blocks"][0].update(pause_s="long"), "'pause_s' must be"),
    (lambda d: d["chapters"][0]["blocks"][0].update(chosen="nope"), "chosen take 'nope'"),
    (lambda d: d["chapters"][0]["blocks"][0].update(start_s=1.0), "both a start and an end"),
    (lambda d: d.update(cast="Ryan"), "'cast' must be a list"),
])
def test_damaged_project_is_listed_with_the_reason(store, studio_home, edit, reason):
    good = make_project(store, ["Fine."], name="Good")
    bad = make_project(store, ["Broken."], name="Bad")
    file = studio_home / "projects" / bad.id / "project.json"
    data = json.loads(file.read_text())
    edit(data)
    file.write_text(json.dumps(data))
    listing = ProjectStore().list()
    assert [p.id for p in listing.projects] == [good.id]
    assert [d.id for d in listing.damaged] == [bad.id]
    assert reason in listing.damaged[0].reason
    with pytest.raises(ProjectDamaged, match="cannot be opened"):
        store.get(bad.id)


def test_truncated_json_and_stray_folders(store, studio_home):
    bad = make_project(store, ["x"], name="Cut")
    (studio_home / "projects" / bad.id / "project.json").write_text('{"schema_version": 1, ')
    (studio_home / "projects" / "empty").mkdir()
    listing = store.list()
    assert {d.id: d.reason.split(" (")[0] for d in listing.damaged} == {
        "cut": "project.json cannot be read", "empty": "project.json is missing"}


def test_names_ids_delete_and_cover(store, studio_home, tmp_path):
    make_project(store, ["x"], name="Same")
    with pytest.raises(InvalidProjectName, match="already exists"):
        store.create(Project(id="", name="same", chapters=[Chapter("c", [Block("y")])]))
    with pytest.raises(InvalidProjectName, match="A project needs a name"):
        store.create(Project(id="", name="  "))
    cover = tmp_path / "c.png"
    cover.write_bytes(png())
    project = store.create(Project(id="", name="Covered"), cover)
    assert project.cover == "cover.png"
    assert (store.path(project) / "cover.png").read_bytes() == png()
    where = store.delete("Covered")
    assert where.parent == studio_home / "trash" and (where / "project.json").is_file()
    with pytest.raises(ProjectNotFound, match="no project called 'Covered'"):
        store.get("Covered")
    assert store.get(store.restore(where)).name == "Covered"  # back from the trash
    assert not where.exists()
    with pytest.raises(StorageError, match="not a project in the trash"):
        store.restore(tmp_path)
    where = store.delete("Covered")
    bad = tmp_path / "c.gif"
    bad.write_bytes(b"GIF89a....")
    from studio.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not a PNG or JPEG"):
        store.create(Project(id="", name="Gif"), bad)
    assert [p.name for p in store.list().projects] == ["Same"]
