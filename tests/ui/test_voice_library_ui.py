"""The voice library sidebar in the window: search, the context menu (rename, duplicate,
export, delete with Undo) and importing a voice file dropped on it. Real library on disk,
real window; the menu's modal exec() and the file/text dialogs are patched."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMenu

from studio.library.anyvoice import SAVED
from studio.ui.main_window import MainWindow
from studio.ui.widgets import voice_list
from tests.library.helpers import add_voice


@pytest.fixture
def window(qtbot, ui_ctx):
    add_voice(ui_ctx.library, "Alice", seed=0, description="A bright test voice")
    add_voice(ui_ctx.library, "Bob", seed=1, language="German")
    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def menus(monkeypatch) -> list[QMenu]:
    """The list's context menus do not block in exec(): they are collected instead (a
    QMenu subclass, since PySide prefers its built-in exec to one patched onto QMenu)."""
    shown: list[QMenu] = []

    class Menu(QMenu):
        def exec(self, *_args) -> None:  # noqa: ANN002
            shown.append(self)

    monkeypatch.setattr(voice_list, "QMenu", Menu)
    return shown


def visible_names(w: MainWindow) -> list[str]:
    tree = w.voices.tree
    names = []
    for g in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(g)
        names += [group.child(i).text(0) for i in range(group.childCount())
                  if not group.child(i).isHidden()]
    return names


def saved(w: MainWindow) -> list[str]:
    return [r.name for r in w.voices.refs() if r.source == SAVED]


def key_of(w: MainWindow, name: str) -> str:
    return next(r.key for r in w.voices.refs() if r.name == name)


def menu_for(w: MainWindow, menus: list[QMenu], name: str) -> dict:
    """Right-click the voice called ``name``; the menu's actions by text."""
    tree = w.voices.tree
    assert w.voices.select_key(key_of(w, name))
    item = tree.currentItem()
    tree.scrollToItem(item)
    pos: QPoint = tree.visualItemRect(item).center()
    assert tree.itemAt(pos) is item
    tree.customContextMenuRequested.emit(pos)
    return {a.text(): a for a in menus[-1].actions()}


def test_search_filters_by_name_description_and_language(qtbot, window) -> None:
    everything = visible_names(window)
    assert {"Alice", "Bob", "Ryan", "Old Sea Captain"} <= set(everything)
    qtbot.keyClicks(window.voices.search, "ALIC")  # any case
    assert visible_names(window) == ["Alice"]
    window.voices.search.clear()
    qtbot.keyClicks(window.voices.search, "bright test")  # words of the description
    assert visible_names(window) == ["Alice"]
    window.voices.search.setText("german")  # the language
    shown = visible_names(window)
    assert "Bob" in shown and "Berlin Professor" in shown and "Alice" not in shown
    refs = {r.name: r for r in window.voices.refs()}
    assert all("german" in f"{n} {refs[n].description} {refs[n].language}".lower()
               for n in shown)
    window.voices.search.setText("no voice is called this")
    assert visible_names(window) == []
    window.voices.search.clear()
    assert visible_names(window) == everything
    # the list refreshed while a search is typed stays filtered
    window.voices.search.setText("alice")
    window.refresh_voices()
    assert visible_names(window) == ["Alice"]


def test_built_in_voices_offer_no_changes(window, menus) -> None:
    actions = menu_for(window, menus, "Ryan")
    assert list(actions) == ["Built-in voices cannot be changed"]
    assert not actions["Built-in voices cannot be changed"].isEnabled()
    actions = menu_for(window, menus, "Alice")
    assert list(actions) == ["Rename…", "Duplicate", "Export…", "Delete"]


def test_rename_from_the_menu(qtbot, window, menus, monkeypatch) -> None:
    lib = window.ctx.library
    voice_id = lib.get("Alice").id
    answers = iter([("Alicia", False), ("Bob", True), ("  Alicia  ", True)])
    asked: list[str] = []

    def get_text(_parent, _title, _label, text=""):  # noqa: ANN001, ANN202
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    menu_for(window, menus, "Alice")["Rename…"].trigger()  # cancelled
    assert asked == ["Alice"] and lib.get(voice_id).name == "Alice"
    menu_for(window, menus, "Alice")["Rename…"].trigger()  # a name in use: said, not done
    assert window.notice.level == "error" and "Could not rename" in window.notice.text()
    assert lib.get(voice_id).name == "Alice" and saved(window) == ["Alice", "Bob"]
    menu_for(window, menus, "Alice")["Rename…"].trigger()
    entry = lib.get(voice_id)
    assert entry.name == "Alicia" and entry.id == voice_id  # same id, same folder
    assert sorted(saved(window)) == ["Alicia", "Bob"]
    assert window.voices.current().key == f"saved:{voice_id}"  # still selected
    assert window.speak.voice_label.text() == "Alicia"


def test_duplicate_from_the_menu(window, menus) -> None:
    lib = window.ctx.library
    menu_for(window, menus, "Alice")["Duplicate"].trigger()
    copy = lib.get("Alice (copy)")
    original = lib.get("Alice")
    assert copy.id != original.id and copy.path.is_dir()
    np.testing.assert_array_equal(copy.load_prompt().spk_embedding,
                                  original.load_prompt().spk_embedding)
    assert sorted(saved(window)) == ["Alice", "Alice (copy)", "Bob"]
    assert window.voices.current().key == f"saved:{copy.id}"


def test_export_to_a_zip_file(window, menus, monkeypatch, tmp_path) -> None:
    target = tmp_path / "out" / "my alice.zip"
    target.parent.mkdir()
    offered: list[str] = []
    answers = iter(["", str(target)])  # cancelled, then a file

    def get_save(_parent, _title, suggested, _filter):  # noqa: ANN001, ANN202
        offered.append(suggested)
        return next(answers), "Voice files (*.zip)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save))
    voice_id = window.ctx.library.get("Alice").id
    menu_for(window, menus, "Alice")["Export…"].trigger()
    assert list(target.parent.iterdir()) == []  # cancelled: nothing written
    menu_for(window, menus, "Alice")["Export…"].trigger()
    assert Path(offered[0]).name == f"{voice_id}.zip"
    assert target.is_file() and zipfile.is_zipfile(target)
    with zipfile.ZipFile(target) as z:
        assert z.testzip() is None and any(n.endswith("voice.json") for n in z.namelist())
    assert "Exported Alice" in window.notice.text()
    # what was exported imports again, as a separate voice
    window.voice_actions.import_voices([target])
    assert len([n for n in saved(window) if n.startswith("Alice")]) == 2


def test_delete_then_undo_brings_the_voice_back(qtbot, window, menus) -> None:
    lib = window.ctx.library
    entry = lib.get("Alice")
    prompt = entry.load_prompt()
    menu_for(window, menus, "Alice")["Delete"].trigger()
    assert saved(window) == ["Bob"] and not entry.path.exists()
    assert [v.name for v in lib.list().voices] == ["Bob"]
    assert window.notice.text() == "Deleted Alice." and window.notice.action.isVisible()
    assert window.notice.action.text() == "Undo"
    assert window.voices.current() is not None  # something else is selected

    qtbot.mouseClick(window.notice.action, Qt.MouseButton.LeftButton)
    back = lib.get("Alice")
    np.testing.assert_array_equal(back.load_prompt().spk_embedding, prompt.spk_embedding)
    assert sorted(saved(window)) == ["Alice", "Bob"]
    assert window.voices.current().key == f"saved:{back.id}"
    assert window.notice.text() == "Restored Alice."


def _drop(widget, paths: list[Path]) -> tuple[bool, bool]:
    """Drag ``paths`` over ``widget`` and drop them, as a file manager does; returns whether
    the drag was accepted and whether the drop was."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    if enter.isAccepted():  # Qt only delivers the drop where the drag was accepted
        QApplication.sendEvent(widget, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_dropping_a_voice_file_on_the_sidebar_imports_it(qtbot, window, tmp_path) -> None:
    lib = window.ctx.library
    exported = lib.export_voice("Alice", tmp_path / "Alice.VOICE.ZIP")  # any case of .zip
    lib.delete("Alice")
    window.refresh_voices()
    assert saved(window) == ["Bob"]

    wav = tmp_path / "speech.wav"
    wav.write_bytes(b"RIFF")
    assert _drop(window.voices, [wav]) == (True, True)  # the window takes it, to explain
    assert "cannot open" in window.notice.text() and "(.zip)" in window.notice.text()
    assert saved(window) == ["Bob"]  # nothing imported

    assert _drop(window.voices, [exported]) == (True, True)
    entry = lib.get("Alice")
    assert sorted(saved(window)) == ["Alice", "Bob"]
    assert window.voices.current().key == f"saved:{entry.id}"
    assert window.notice.text() == "Imported Alice."


def test_a_damaged_voice_file_is_a_clear_error(window, tmp_path) -> None:
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"this is not a zip file")
    assert _drop(window.voices, [bad]) == (True, True)
    assert window.notice.level == "error"
    assert window.notice.text().startswith("Could not import broken.zip")
    assert sorted(saved(window)) == ["Alice", "Bob"]
