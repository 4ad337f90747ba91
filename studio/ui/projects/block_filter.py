"""Which blocks of the chapter the list shows: all, only flagged, or only those that need
rendering (stale or not rendered). Hidden rows stay in the model, so playing, rendering
and editing see the whole chapter; F3 / Shift+F3 step through what the filter is about."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QListView, QWidget

from studio.ui.projects.block_model import FLAGGED, MISSING, STALE, BlockModel
from studio.ui.widgets.flow_layout import flow_in

ALL, FLAGGED_ONLY, NEEDS_RENDER = "all", "flagged", "render"
CHOICES = ((ALL, "All blocks"), (FLAGGED_ONLY, "Flagged by the check"),
           (NEEDS_RENDER, "Stale or not rendered"))
SHOWN = {ALL: None, FLAGGED_ONLY: {FLAGGED}, NEEDS_RENDER: {STALE, MISSING}}


class BlockFilter(QWidget):
    """The filter row above the block list; ``row`` takes more buttons (block_actions)."""

    def __init__(self, view: QListView, model: BlockModel) -> None:
        super().__init__()
        self.view, self.model = view, model
        self.row = flow_in(self)  # wraps on a narrow window
        label = QLabel("Show:")
        self.choice = QComboBox()
        self.choice.setAccessibleName("Show blocks")
        for key, text in CHOICES:
            self.choice.addItem(text, key)
        label.setBuddy(self.choice)
        self.count = QLabel("")
        self.row.addWidget(label)
        self.row.addWidget(self.choice)
        self.row.addWidget(self.count)
        self.hidden: set[int] = set()  # rows hidden now (a reset shows every row again)
        self.choice.currentIndexChanged.connect(lambda _i: self.apply())
        model.modelReset.connect(self._reset)
        model.dataChanged.connect(lambda *_: self.apply())

    def _reset(self) -> None:
        self.hidden.clear()
        self.apply()

    @property
    def mode(self) -> str:
        return str(self.choice.currentData())

    def set_mode(self, mode: str) -> None:
        self.choice.setCurrentIndex(self.choice.findData(mode))

    def shows(self, row: int) -> bool:
        states = SHOWN[self.mode]
        return states is None or self.model.states[row] in states

    def apply(self) -> None:
        rows = self.model.rowCount()
        if self.mode == ALL:
            for row in self.hidden:
                if row < rows:
                    self.view.setRowHidden(row, False)
            self.hidden.clear()
            self.count.setText("")
            return
        self.hidden = {row for row in range(rows) if not self.shows(row)}
        for row in range(rows):
            hide = row in self.hidden
            if self.view.isRowHidden(row) != hide:
                self.view.setRowHidden(row, hide)
        self.count.setText(f"{rows - len(self.hidden)} of {rows} blocks")
        current = self.view.currentIndex()
        if current.isValid() and current.row() in self.hidden:
            nxt = self.next_row(current.row(), 1, any_shown=True)
            if nxt is not None:
                self.view.setCurrentIndex(self.model.index(nxt))

    def targets(self) -> set[str]:
        """The states F3 steps to: flagged blocks, or in "needs rendering" those."""
        return {STALE, MISSING} if self.mode == NEEDS_RENDER else {FLAGGED}

    def next_row(self, start: int, step: int, any_shown: bool = False) -> int | None:
        """The next shown row after ``start`` (``step`` 1 or -1, round the end) that is
        one of the ``targets`` (or any shown row)."""
        rows = self.model.rowCount()
        wanted = self.targets()
        for k in range(1, rows + 1):
            row = (start + step * k) % rows
            if self.shows(row) and (any_shown or self.model.states[row] in wanted):
                return row
        return None

    def nothing_message(self) -> str:
        return ("No block in this chapter needs rendering." if self.mode == NEEDS_RENDER
                else "No block in this chapter is flagged.")
