"""Undoable block edits: each applies a core edit (studio.projects.manage) to the open
project and saves it, and undoes it the same way."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from studio.projects import manage
from studio.projects.schema import Block, Project

Apply = Callable[[Callable[[Project], object]], None]  # the page: edit, save, show


class EditText(QUndoCommand):
    def __init__(self, apply: Apply, block_id: str, old: str, new: str) -> None:
        super().__init__("Edit block text")
        self.apply, self.block_id, self.old, self.new = apply, block_id, old, new

    def redo(self) -> None:
        self.apply(lambda p: manage.set_text(p, self.block_id, self.new))

    def undo(self) -> None:
        self.apply(lambda p: manage.set_text(p, self.block_id, self.old))


class SplitBlock(QUndoCommand):
    def __init__(self, apply: Apply, block_id: str, at: int, text: str) -> None:
        super().__init__("Split block")
        self.apply, self.block_id, self.at, self.text = apply, block_id, at, text
        self.new_id: str | None = None

    def redo(self) -> None:
        def split(p: Project) -> None:
            self.new_id = manage.split(p, self.block_id, self.at, self.new_id)

        self.apply(split)

    def undo(self) -> None:
        def unsplit(p: Project) -> None:
            if self.new_id is not None:
                manage.remove(p, self.new_id)
            manage.set_text(p, self.block_id, self.text)

        self.apply(unsplit)


class JoinBlocks(QUndoCommand):
    def __init__(self, apply: Apply, block_id: str, text: str) -> None:
        super().__init__("Join blocks")
        self.apply, self.block_id, self.text = apply, block_id, text
        self.removed: Block | None = None

    def redo(self) -> None:
        def join(p: Project) -> None:
            self.removed = manage.join(p, self.block_id)

        self.apply(join)

    def undo(self) -> None:
        removed = self.removed
        if removed is not None:
            self.apply(lambda p: manage.unjoin(p, self.block_id, removed, self.text))


class AddBlock(QUndoCommand):
    def __init__(self, apply: Apply, chapter: int, after: str | None) -> None:
        super().__init__("Add block")
        self.apply, self.chapter, self.after = apply, chapter, after
        self.new_id: str | None = None

    def redo(self) -> None:
        def add(p: Project) -> None:
            self.new_id = manage.insert(p, self.chapter, self.after, "New block.", self.new_id)

        self.apply(add)

    def undo(self) -> None:
        if self.new_id is not None:
            self.apply(lambda p: manage.remove(p, self.new_id))
