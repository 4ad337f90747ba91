"""The blocks of the open chapter as a Qt list model, so a chapter of thousands of blocks
costs one painted row per visible line, not one widget per block.

States come from the core (studio.projects.stale) and are cached per row; the page says
which blocks changed (``refresh``) rather than the model recomputing all of them. Showing
the same chapter again after an edit recomputes only the rows whose inputs changed: an edit
of one block of 2,000 costs one state, not 2,000.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from studio.projects import stale
from studio.projects.heard_words import differing_spans, heard_summary
from studio.projects.schema import DEFAULT_PAUSE_S, Block, LexiconEntry, Project

SPEAKER_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
COLOUR_ROLE = Qt.ItemDataRole.UserRole + 3
ID_ROLE = Qt.ItemDataRole.UserRole + 4
NUMBER_ROLE = Qt.ItemDataRole.UserRole + 5
TINTS_ROLE = Qt.ItemDataRole.UserRole + 6  # [(start, end, status)] of words heard otherwise
PAUSE_ROLE = Qt.ItemDataRole.UserRole + 7  # seconds after the block, when not the default
BLOCK_IDS_MIME = "application/x-voice-studio-block-ids"

MISSING, RENDERING, DONE, STALE, FLAGGED = "not rendered", "rendering", "done", "stale", "flagged"
PALETTE = ["#3b82f6", "#e11d48", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777",
           "#65a30d", "#ea580c", "#4f46e5"]

AnyIndex = QModelIndex | QPersistentModelIndex


def block_state(project: Project, block: Block, entries: list[LexiconEntry],
                library: Any) -> str:
    which = stale.state(project, block, entries, library)
    if which == stale.MISSING:
        return MISSING
    if which == stale.STALE:
        return STALE
    take = block.chosen_take
    if take is not None and take.check is not None and take.check.flagged:
        return FLAGGED
    return DONE


class BlockModel(QAbstractListModel):
    """Rows: the blocks of one chapter. Text edits are handed to ``on_edit`` (the page's
    undo stack) instead of being applied here."""

    def __init__(self, library: Any = None) -> None:
        super().__init__()
        self.library = library
        self.project: Project | None = None
        self.entries: list[LexiconEntry] = []
        self.blocks: list[Block] = []
        self.states: list[str] = []
        self.first_number = 1
        self.rendering: set[str] = set()
        self.rows: dict[str, int] = {}  # block id -> row
        self.keys: list[tuple] = []  # per row, what its state was computed from
        self.context: tuple = ()  # the same for every row: the cast and the lexicon
        self.on_edit: Any = None  # callable(block_id, text)
        self.on_move: Any = None  # callable(block_ids, row): blocks dragged to a row
        self.tint_cache: dict[str, tuple[tuple, list[tuple[int, int, str]]]] = {}

    def colour(self, speaker: str) -> QColor:
        names = [m.name.casefold() for m in self.project.cast] if self.project else []
        key = speaker.casefold()
        k = names.index(key) if key in names else len(names) + sum(map(ord, key))
        return QColor(PALETTE[k % len(PALETTE)])

    def show(self, project: Project | None, chapter: int, entries: list[LexiconEntry]) -> None:
        context = (tuple((m.name, m.voice, repr(m.kept)) for m in project.cast),
                   tuple(entries)) if project is not None else ()
        known = dict(zip((b.id for b in self.blocks), zip(self.keys, self.states,
                                                          strict=True), strict=True)) \
            if project is self.project and context == self.context else {}
        self.beginResetModel()
        self.project, self.entries, self.context = project, entries, context
        if project is None or not 0 <= chapter < len(project.chapters):
            self.blocks, self.first_number = [], 1
        else:
            self.blocks = list(project.chapters[chapter].blocks)
            self.first_number = 1 + sum(len(c.blocks) for c in project.chapters[:chapter])
        self.rows = {b.id: k for k, b in enumerate(self.blocks)}
        self.keys = [self._key(b) for b in self.blocks]
        self.states = [known[b.id][1] if b.id in known and known[b.id][0] == key
                       else self._state(b) for b, key in zip(self.blocks, self.keys, strict=True)]
        self.endResetModel()

    def _key(self, block: Block) -> tuple:
        take = block.chosen_take
        return (block.text, block.speaker, block.instruct, block.language, block.id in
                self.rendering, take.fingerprint if take else None,
                take.check.flagged if take and take.check else None)

    def _state(self, block: Block) -> str:
        if block.id in self.rendering:
            return RENDERING
        assert self.project is not None
        return block_state(self.project, block, self.entries, self.library)

    def row_of(self, block_id: str) -> int:
        return self.rows.get(block_id, -1)

    def refresh(self, block_ids: set[str] | None = None) -> None:
        """Recompute the states of ``block_ids`` (all when None) and repaint those rows."""
        rows = range(len(self.blocks)) if block_ids is None else sorted(
            self.rows[b] for b in block_ids if b in self.rows)
        for k in rows:
            state = self._state(self.blocks[k])
            self.keys[k] = self._key(self.blocks[k])
            if state != self.states[k]:
                self.states[k] = state
                index = self.index(k)
                self.dataChanged.emit(index, index)

    # -- Qt ------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.blocks)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.blocks):
            return None
        block = self.blocks[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return block.text
        if role == SPEAKER_ROLE:
            return block.speaker
        if role == STATE_ROLE:
            return self.states[index.row()]
        if role == COLOUR_ROLE:
            return self.colour(block.speaker)
        if role == ID_ROLE:
            return block.id
        if role == NUMBER_ROLE:
            return self.first_number + index.row()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Block {self.first_number + index.row()}, {block.speaker}, " \
                   f"{self.states[index.row()]}: {block.text}"
        if role == TINTS_ROLE:
            return self._tints(block) if self.states[index.row()] == FLAGGED else []
        if role == PAUSE_ROLE:
            return block.pause_s if abs(block.pause_s - DEFAULT_PAUSE_S) > 1e-6 else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return heard_summary(block) or None
        return None

    def _tints(self, block: Block) -> list[tuple[int, int, str]]:
        """The words heard otherwise, worked out once per text, take and lexicon: a row
        is painted often, and comparing a long block takes a while."""
        take = block.chosen_take
        key = (block.text, take.id if take else "", take.check.heard if take and take.check
               else "", id(self.entries))
        cached = self.tint_cache.get(block.id)
        if cached is None or cached[0] != key:
            cached = self.tint_cache[block.id] = (key, differing_spans(block, self.entries))
        return cached[1]

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled

    # -- moving blocks by drag and drop (the page's undo stack applies the move) ---------

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [BLOCK_IDS_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(BLOCK_IDS_MIME, " ".join(self.blocks[r].id for r in rows).encode())
        return mime

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,  # noqa: N802
                     column: int, parent: AnyIndex) -> bool:
        if not data.hasFormat(BLOCK_IDS_MIME) or self.on_move is None:
            return False
        ids = bytes(data.data(BLOCK_IDS_MIME).data()).decode().split()
        if row < 0:
            row = parent.row() if parent.isValid() else len(self.blocks)
        if ids:
            self.on_move(ids, row)
        return False  # the page has moved them; the view must not remove the dragged rows

    def setData(self, index: AnyIndex, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.on_edit is None:
            return False
        block = self.blocks[index.row()]
        if str(value).strip() == block.text:
            return False
        self.on_edit(block.id, str(value))
        return True
