"""The list of takes (the take history, newest first): replay, compare, regenerate, export,
delete."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.ui.playback import gate_play
from studio.ui.take_records import TakeRecord

PLAY_TIP = "Play the selected take (double-click works too)"
COMPARE_TIP = "Select two takes to hear them one after the other"


class TakeHistory(QWidget):
    play_requested = Signal(object)  # TakeRecord
    compare_requested = Signal(object, object)
    regenerate_requested = Signal(object)
    other_mode_requested = Signal(object)
    export_requested = Signal(object)
    deleted = Signal(list)  # the TakeRecords just removed from the list
    selected = Signal(object)  # TakeRecord or None

    COLUMNS = ("Text", "Voice", "Seed", "Length")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[TakeRecord] = []
        self.output_reason = ""  # why nothing can play ("" when it can): see set_output
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Takes")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self._emit_play())
        self.play_button = QPushButton("Play")
        self.compare_button = QPushButton("Compare")
        self.regen_button = QPushButton("New seed")
        self.regen_button.setToolTip("Generate this take again with another seed")
        self.other_button = QPushButton("Other mode")
        self.other_button.setToolTip("Make this take again in the other speed mode (exact or "
                                     "fast), same seed, and play both for an A/B listen")
        self.other_button.clicked.connect(lambda: self._emit_one(self.other_mode_requested))
        self.export_button = QPushButton("Export…")
        self.delete_button = QPushButton("Delete")
        self.play_button.clicked.connect(self._emit_play)
        self.compare_button.clicked.connect(self._emit_compare)
        self.regen_button.clicked.connect(lambda: self._emit_one(self.regenerate_requested))
        self.export_button.clicked.connect(lambda: self._emit_one(self.export_requested))
        self.delete_button.clicked.connect(self.delete_selected)
        buttons = QHBoxLayout()
        for b in (self.play_button, self.compare_button, self.regen_button, self.other_button,
                  self.export_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._selection_changed()

    def set_records(self, records: list[TakeRecord]) -> None:
        """Show ``records`` (newest first), as the history holds them."""
        self.table.setRowCount(0)
        self.records = []
        for record in reversed(records):
            self.add(record, select=False)

    def add(self, record: TakeRecord, select: bool = True) -> None:
        self.records.insert(0, record)
        self.table.insertRow(0)
        text = record.text.replace("\n", " ")
        cells = (text if len(text) <= 80 else text[:77] + "…", record.voice_name,
                 str(record.seed), f"{record.duration:.1f} s")
        for col, value in enumerate(cells):
            item = QTableWidgetItem(value)
            if col == 0:
                item.setToolTip(record.text)
                item.setData(Qt.ItemDataRole.UserRole, record.id)
            self.table.setItem(0, col, item)
        if select:
            self.select_rows([0])

    def select_rows(self, rows: list[int]) -> None:
        """Select exactly these rows (selectRow() would toggle while Ctrl is held)."""
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        selection = QItemSelection()
        model = self.table.model()
        for row in rows:
            selection.select(model.index(row, 0), model.index(row, model.columnCount() - 1))
        self.table.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def selected_records(self) -> list[TakeRecord]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.records[r] for r in rows]

    def delete_selected(self) -> None:
        gone = []
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)
            gone.append(self.records.pop(row))
        if gone:
            self.deleted.emit(gone)

    def set_output(self, reason: str) -> None:
        """Without a sound output, Play and Compare are off and say why (export works)."""
        self.output_reason = reason
        self._update_buttons()

    def _update_buttons(self) -> list[TakeRecord]:
        chosen = self.selected_records()
        one = len(chosen) == 1
        gate_play(self.play_button, one, self.output_reason, PLAY_TIP)
        gate_play(self.compare_button, len(chosen) == 2, self.output_reason, COMPARE_TIP)
        self.regen_button.setEnabled(one and chosen[0].can_remake)
        self.other_button.setEnabled(one and chosen[0].can_remake)
        self.export_button.setEnabled(one)
        self.delete_button.setEnabled(bool(chosen))
        return chosen

    def _selection_changed(self) -> None:
        chosen = self._update_buttons()
        self.selected.emit(chosen[0] if len(chosen) == 1 else None)

    def _emit_play(self) -> None:
        chosen = self.selected_records()
        if chosen and not self.output_reason:  # a double-click cannot play either
            self.play_requested.emit(chosen[0])

    def _emit_one(self, signal: Any) -> None:
        chosen = self.selected_records()
        if len(chosen) == 1:
            signal.emit(chosen[0])

    def _emit_compare(self) -> None:
        chosen = self.selected_records()
        if len(chosen) == 2:
            self.compare_requested.emit(chosen[1], chosen[0])  # older first
