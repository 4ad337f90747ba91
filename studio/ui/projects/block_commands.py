"""More undoable block edits (see edits.py): move, pause, speaker, accepting a flagged
take. Each applies a core edit (studio.projects.manage) and undoes it the same way."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from studio.projects import manage
from studio.projects.schema import Project
from studio.ui.projects.edits import Apply


class MoveBlocks(QUndoCommand):
    def __init__(self, apply: Apply, block_ids: list[str], row: int) -> None:
        super().__init__("Move blocks" if len(block_ids) > 1 else "Move block")
        self.apply, self.block_ids, self.row = apply, block_ids, row
        self.order: list[str] = []

    def redo(self) -> None:
        def move(p: Project) -> None:
            self.order = manage.move_blocks(p, self.block_ids, self.row)

        self.apply(move)

    def undo(self) -> None:
        self.apply(lambda p: manage.reorder(p, self.order))


class MoveToChapter(QUndoCommand):
    def __init__(self, apply: Apply, block_ids: list[str], chapter: int) -> None:
        super().__init__(f"Move to chapter {chapter + 1}")
        self.apply, self.block_ids, self.chapter = apply, block_ids, chapter
        self.orders: dict[str, list[str]] = {}

    def redo(self) -> None:
        def move(p: Project) -> None:
            self.orders = manage.move_to_chapter(p, self.block_ids, self.chapter)

        self.apply(move)

    def undo(self) -> None:
        self.apply(lambda p: manage.restore_chapters(p, self.orders))


class SetPause(QUndoCommand):
    def __init__(self, apply: Apply, block_id: str, old: float, new: float) -> None:
        super().__init__("Set pause")
        self.apply, self.block_id, self.old, self.new = apply, block_id, old, new

    def redo(self) -> None:
        self.apply(lambda p: manage.set_pause(p, self.block_id, self.new))

    def undo(self) -> None:
        self.apply(lambda p: manage.set_pause(p, self.block_id, self.old))


class SetSpeaker(QUndoCommand):
    """One speaker for several blocks; each gets its own speaker back on undo."""

    def __init__(self, apply: Apply, old: dict[str, str], new: str) -> None:
        super().__init__(f"Speaker {new}")
        self.apply, self.old, self.new = apply, old, new

    def redo(self) -> None:
        def set_all(p: Project) -> None:
            for block_id in self.old:
                manage.set_speaker(p, block_id, self.new)

        self.apply(set_all)

    def undo(self) -> None:
        def restore(p: Project) -> None:
            for block_id, speaker in self.old.items():
                manage.set_speaker(p, block_id, speaker)

        self.apply(restore)


class AcceptTake(QUndoCommand):
    def __init__(self, apply: Apply, block_ids: list[str]) -> None:
        super().__init__("Accept as it is")
        self.apply, self.block_ids = apply, block_ids

    def _set(self, accepted: bool) -> None:
        def accept(p: Project) -> None:
            for block_id in self.block_ids:
                manage.accept_take(p, block_id, accepted)

        self.apply(accept)

    def redo(self) -> None:
        self._set(True)

    def undo(self) -> None:
        self._set(False)
