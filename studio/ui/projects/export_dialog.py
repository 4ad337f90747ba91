"""The export dialog: format, whole book or one file per chapter, loudness preset,
subtitles and stems; the export runs off the GUI thread and the measured result (loudness,
peaks, chapters) is shown when it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.projects import export, loudness
from studio.projects.export import EXTENSIONS, ExportOptions, ExportResult
from studio.projects.export_container import read_chapters
from studio.projects.schema import LexiconEntry, Project
from studio.projects.store import ProjectStore
from studio.ui.jobs import Job


def describe(result: ExportResult, fmt: str) -> str:
    """What was written, as measured on the files."""
    lines = []
    for f in result.files:
        line = f"{f.path.name}: {f.seconds:.1f} s, {f.measured.describe()}"
        if fmt in ("m4b", "mp3"):
            _tags, chapters = read_chapters(f.path)
            line += f", {len(chapters)} chapter(s)"
        lines.append(line)
    if result.preset is not None:
        lines.append(f"Loudness preset: {result.preset.name}.")
    if result.stale:
        lines.append(f"{result.stale} block(s) were stale: exported as last rendered.")
    return "\n".join(lines)


class ExportDialog(QDialog):
    exported = Signal(object)  # the ExportResult, once written and measured
    def __init__(self, store: ProjectStore, project: Project, entries: list[LexiconEntry],
                 library: Any, jobs: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export {project.name}")
        self.store, self.project, self.entries, self.library = store, project, entries, library
        self.jobs = jobs  # a JobThread the export runs on
        self.job: Job | None = None
        self.result: ExportResult | None = None
        self.fmt = self._combo("Format", [(k.upper(), k) for k in EXTENSIONS])
        self.loudness = self._combo("Loudness preset", [("As rendered", "")] + [
            (p.name, k) for k, p in loudness.PRESETS.items()])
        self.subtitles = self._combo("Subtitles", [("None", ""), ("SRT", "srt"),
                                                    ("WebVTT", "vtt")])
        self.per_chapter = QCheckBox("One file per chapter")
        self.per_chapter.setAccessibleName("One file per chapter")
        self.stems = QCheckBox("Stems (one file per cast member)")
        self.stems.setAccessibleName("Stems")
        self.out = QLineEdit(str(Path.home() / f"{project.name}.m4b"))
        self.out.setAccessibleName("Export to")
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Choose where to export")
        browse.clicked.connect(self._browse)
        self.fmt.currentIndexChanged.connect(self._fix_suffix)
        where = QHBoxLayout()
        where.addWidget(self.out, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.fmt)
        form.addRow("Loudness", self.loudness)
        form.addRow("Subtitles", self.subtitles)
        form.addRow("", self.per_chapter)
        form.addRow("", self.stems)
        form.addRow("Export to", where)
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Export progress")
        self.bar.setRange(0, 0)
        self.bar.setVisible(False)
        self.measured = QLabel("")
        self.measured.setAccessibleName("Measured result")
        self.measured.setWordWrap(True)
        self.go = QPushButton("Export")
        self.go.setAccessibleName("Export")
        self.go.clicked.connect(self.start)
        close = QPushButton("Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.go)
        buttons.addWidget(close)
        col = QVBoxLayout(self)
        col.addLayout(form)
        col.addWidget(self.bar)
        col.addWidget(self.measured)
        col.addLayout(buttons)

    def _combo(self, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for label, data in items:
            combo.addItem(label, data)
        return combo

    def _fix_suffix(self) -> None:
        path = Path(self.out.text())
        if path.suffix:
            self.out.setText(str(path.with_suffix(EXTENSIONS[self.fmt.currentData()])))

    def _browse(self) -> None:
        file, _ = QFileDialog.getSaveFileName(self, "Export to", self.out.text())
        if file:
            self.out.setText(file)

    def options(self) -> ExportOptions:
        return ExportOptions(fmt=self.fmt.currentData(), out=Path(self.out.text()).expanduser(),
                             loudness=self.loudness.currentData() or None,
                             subtitles=self.subtitles.currentData() or None,
                             stems=self.stems.isChecked(),
                             per_chapter=self.per_chapter.isChecked())

    def start(self) -> Job:
        opts = self.options()
        self.go.setEnabled(False)
        self.bar.setVisible(True)
        self.measured.setText("Exporting…")

        def work(_job: Job) -> ExportResult:
            return export.export(self.store, self.project, opts, self.entries, self.library)

        self.job = self.jobs.submit(Job(), work)
        self.job.finished.connect(lambda r: self._done(r, opts.fmt))
        self.job.failed.connect(self._failed)
        return self.job

    def _done(self, result: ExportResult, fmt: str) -> None:
        self.result = result
        self.bar.setVisible(False)
        self.go.setEnabled(True)
        self.measured.setText(describe(result, fmt))
        self.exported.emit(result)

    def _failed(self, message: str) -> None:
        self.bar.setVisible(False)
        self.go.setEnabled(True)
        self.measured.setText(message)
