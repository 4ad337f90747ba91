"""The cast: every name in the script with its voice, chosen from the library's voices, and
a button per name that plays a short sample of that voice (cast_sample.py makes it)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from studio.library.anyvoice import VoiceRef
from studio.projects.schema import Project


class CastPanel(QTableWidget):
    voice_chosen = Signal(str, str)  # cast name, voice key
    sample_requested = Signal(str, str)  # cast name, the voice key in its list now

    def __init__(self) -> None:
        super().__init__(0, 3)
        self.setAccessibleName("Cast")
        self.setHorizontalHeaderLabels(["Name", "Voice", ""])
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setVisible(False)
        self.combos: dict[str, QComboBox] = {}
        self.samples: dict[str, QPushButton] = {}
        self.playing: str | None = None  # whose sample plays (the table is rebuilt often)

    def show_cast(self, project: Project | None, voices: list[VoiceRef]) -> None:
        self.setRowCount(0)
        self.combos.clear()
        self.samples.clear()
        if project is None:
            return
        used = {b.speaker.casefold() for _c, b in project.blocks()}
        names = [m.name for m in project.cast]
        names += sorted({b.speaker for _c, b in project.blocks()
                         if project.member(b.speaker) is None})
        self.setRowCount(len(names))
        for row, name in enumerate(names):
            label = name if name.casefold() in used else f"{name} (unused)"
            item = QTableWidgetItem(label)
            self.setItem(row, 0, item)
            combo = QComboBox()
            combo.setAccessibleName(f"Voice for {name}")
            member = project.member(name)
            if member is None or not member.voice:
                combo.addItem("(no voice)", "")
            for ref in voices:
                combo.addItem(ref.name, ref.key)
            at = combo.findData(member.voice if member else "")
            combo.setCurrentIndex(max(at, 0))
            combo.currentIndexChanged.connect(
                lambda _i, n=name, c=combo: c.currentData() and self.voice_chosen.emit(
                    n, c.currentData()))
            self.setCellWidget(row, 1, combo)
            self.combos[name] = combo
            sample = QPushButton()
            sample.setMaximumWidth(sample.fontMetrics().horizontalAdvance("■") * 4)
            sample.clicked.connect(lambda _c=False, n=name, c=combo: self.sample_requested.emit(
                n, c.currentData() or ""))
            self.setCellWidget(row, 2, sample)
            self.samples[name] = sample
        self.show_playing(self.playing)

    def show_playing(self, playing: str | None) -> None:
        """The sample button of ``playing`` says it stops; the others that they play."""
        self.playing = playing
        for name, button in self.samples.items():
            button.setText("■" if name == playing else "▶")
            button.setAccessibleName(f"Stop the sample of {name}" if name == playing
                                     else f"Play a sample of {name}'s voice")
            button.setToolTip(button.accessibleName())
