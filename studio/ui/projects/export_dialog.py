"""The export dialog: format, the whole book, one file per chapter or one chapter, loudness
preset, subtitles, stems, the book's tags (title, author, narrator, year) and its cover. The
export runs as a job off the GUI thread with a progress bar and can be cancelled (the file
being written is left out whole: it is written beside its name and renamed when done); the
measured result (loudness, peaks, chapters) is shown when it is written, and the tags and
cover are kept in the project for the next export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
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

from studio.errors import Cancelled, StudioError
from studio.projects import export, loudness
from studio.projects.export import EXTENSIONS, ExportOptions, ExportResult
from studio.projects.export_container import read_chapters
from studio.projects.schema import LexiconEntry, Project
from studio.projects.store import ProjectStore, read_cover
from studio.ui.jobs import Job, Step

WHOLE, PER_CHAPTER = "whole", "per-chapter"
COVER_PX = 96


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
        self.setMinimumWidth(520)
        self.store, self.project, self.entries, self.library = store, project, entries, library
        self.jobs = jobs  # a JobThread the export runs on
        self.job: Job | None = None
        self.result: ExportResult | None = None
        self.cover: Path | None = store.path(project) / project.cover if project.cover \
            else None
        self.fmt = self._combo("Format", [(k.upper(), k) for k in EXTENSIONS])
        self.scope = self._combo("What to export", [
            ("The whole book, one file", WHOLE), ("One file per chapter", PER_CHAPTER)] + [
            (f"Only chapter {k}: {c.title or 'untitled'}", str(k))
            for k, c in enumerate(project.chapters, start=1)])
        self.loudness = self._combo("Loudness preset", [("As rendered", "")] + [
            (p.name, k) for k, p in loudness.PRESETS.items()])
        self.subtitles = self._combo("Subtitles", [("None", ""), ("SRT", "srt"),
                                                    ("WebVTT", "vtt")])
        self.stems = QCheckBox("Stems (one file per cast member)")
        self.stems.setAccessibleName("Stems")
        self.book_title = self._line("Title", project.title or project.name)
        self.author = self._line("Author", project.author)
        self.narrator = self._line("Narrator", project.narrator,
                                   "who reads it (the composer tag)")
        self.year = self._line("Year", project.year, "such as 2024")
        self.cover_label = QLabel()
        self.cover_label.setAccessibleName("Cover image")
        self.cover_label.setFixedSize(COVER_PX, COVER_PX)
        self.cover_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover_label.setFrameShape(QLabel.Shape.StyledPanel)
        choose_cover = self._push("Choose cover…", self._browse_cover)
        self.clear_cover = self._push("No cover", lambda: self.set_cover(None))
        self.out = QLineEdit(str(Path.home() / f"{project.name}.m4b"))
        self.out.setAccessibleName("Export to")
        browse = self._push("Browse…", self._browse)
        browse.setAccessibleName("Choose where to export")
        self.fmt.currentIndexChanged.connect(self._fix_suffix)
        self.scope.currentIndexChanged.connect(self._fix_suffix)
        where = QHBoxLayout()
        where.addWidget(self.out, 1)
        where.addWidget(browse)
        cover_buttons = QVBoxLayout()
        cover_buttons.addWidget(choose_cover)
        cover_buttons.addWidget(self.clear_cover)
        cover_buttons.addStretch(1)
        cover_row = QHBoxLayout()
        cover_row.addWidget(self.cover_label)
        cover_row.addLayout(cover_buttons)
        cover_row.addStretch(1)
        form = QFormLayout()
        for label, widget in (("Format", self.fmt), ("Export", self.scope),
                              ("Loudness", self.loudness), ("Subtitles", self.subtitles),
                              ("", self.stems), ("Title", self.book_title),
                              ("Author", self.author), ("Narrator", self.narrator),
                              ("Year", self.year)):
            form.addRow(label, widget)
        form.addRow("Cover", cover_row)
        form.addRow("Export to", where)
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Export progress")
        self.bar.setRange(0, 1000)
        self.bar.setVisible(False)
        self.measured = QLabel("")
        self.measured.setAccessibleName("Measured result")
        self.measured.setWordWrap(True)
        self.go = self._push("Export", self.start)
        self.stop = self._push("Cancel export", self.cancel)
        self.stop.setEnabled(False)
        close = self._push("Close", self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.go, self.stop, close):
            buttons.addWidget(b)
        col = QVBoxLayout(self)
        col.addLayout(form)
        col.addWidget(self.bar)
        col.addWidget(self.measured)
        col.addLayout(buttons)
        self.set_cover(self.cover)

    def _combo(self, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for label, data in items:
            combo.addItem(label, data)
        return combo

    def _line(self, name: str, text: str, hint: str = "") -> QLineEdit:
        line = QLineEdit(text)
        line.setAccessibleName(name)
        line.setPlaceholderText(hint)
        return line

    def _push(self, label: str, slot: object) -> QPushButton:
        button = QPushButton(label)
        button.setAccessibleName(label.rstrip("…"))
        button.clicked.connect(slot)
        return button

    def _fix_suffix(self) -> None:
        """A file name for one file, a folder for one file per chapter (a name such as
        "Vol. 2" keeps its dot)."""
        path = Path(self.out.text())
        known = path.suffix.lower() in EXTENSIONS.values()
        bare = path.with_suffix("") if known else path
        if self.scope.currentData() == PER_CHAPTER:
            self.out.setText(str(bare))
        else:
            self.out.setText(str(bare.with_name(bare.name + EXTENSIONS[self.fmt.currentData()])))

    def _browse(self) -> None:
        if self.scope.currentData() == PER_CHAPTER:
            file = QFileDialog.getExistingDirectory(self, "Export the chapters into",
                                                    self.out.text())
        else:
            file, _ = QFileDialog.getSaveFileName(self, "Export to", self.out.text())
        if file:
            self.out.setText(file)

    def _browse_cover(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, "Cover image", "",
                                              "Images (*.png *.jpg *.jpeg)")
        if file:
            self.set_cover(Path(file))

    def set_cover(self, path: Path | None) -> bool:
        """Show ``path`` as the cover (checked at once: a PNG or JPEG), or no cover."""
        if path is not None:
            try:
                read_cover(path)
            except StudioError as exc:
                self.measured.setText(str(exc))
                return False
        self.cover = path
        picture = QPixmap(str(path)) if path is not None else QPixmap()
        if picture.isNull():
            self.cover_label.setPixmap(QPixmap())
            self.cover_label.setText("No cover")
        else:
            self.cover_label.setPixmap(picture.scaled(
                COVER_PX, COVER_PX, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        self.clear_cover.setEnabled(path is not None)
        return True

    def options(self) -> ExportOptions:
        scope = self.scope.currentData()
        return ExportOptions(fmt=self.fmt.currentData(), out=Path(self.out.text()).expanduser(),
                             loudness=self.loudness.currentData() or None,
                             subtitles=self.subtitles.currentData() or None,
                             stems=self.stems.isChecked(),
                             chapter=None if scope in (WHOLE, PER_CHAPTER) else int(scope),
                             per_chapter=scope == PER_CHAPTER,
                             title=self.book_title.text().strip() or None,
                             author=self.author.text().strip() or None,
                             narrator=self.narrator.text().strip() or None,
                             year=self.year.text().strip() or None,
                             cover=self.cover, use_cover=self.cover is not None)

    def start(self) -> Job:
        opts = self.options()
        self.go.setEnabled(False)
        self.stop.setEnabled(True)
        self.bar.setValue(0)
        self.bar.setVisible(True)
        self.measured.setText("Exporting…")

        def work(job: Job) -> ExportResult:
            def report(fraction: float, what: str) -> None:
                if job.cancel_requested:
                    raise Cancelled
                job.report(fraction, what)

            result = export.export(self.store, self.project, opts, self.entries,
                                   self.library, report)
            export.remember_tags(self.store, self.project.id, opts)
            return result

        self.job = self.jobs.submit(Job(), work)
        self.job.progress.connect(self._progress)
        self.job.finished.connect(lambda r: self._done(r, opts.fmt))
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(lambda: self._failed(
            "Export cancelled; no half-written file was left."))
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def reject(self) -> None:
        """Closing while exporting cancels the export."""
        self.cancel()
        super().reject()

    def _progress(self, step: Step) -> None:
        self.bar.setValue(int(step.fraction * 1000))
        self.measured.setText(f"{step.message}…")

    def _ended(self) -> None:
        self.job = None
        self.bar.setVisible(False)
        self.go.setEnabled(True)
        self.stop.setEnabled(False)

    def _done(self, result: ExportResult, fmt: str) -> None:
        self._ended()
        self.result = result
        self.measured.setText(describe(result, fmt))
        self.exported.emit(result)

    def _failed(self, message: str) -> None:
        self._ended()
        self.measured.setText(message)
