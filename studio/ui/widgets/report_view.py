"""The reference check's report: a verdict line and one marked sentence per item.

Rendered as one rich-text label so a report (recomputed every time the selection settles)
replaces the old one in a single cheap update, and the sentences wrap to any width.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

MARKS = {"pass": ("✓", "#2f9e44"), "warn": ("!", "#e67700"), "fail": ("✕", "#e03131")}
VERDICTS = {
    "pass": ("Good reference", "#2f9e44"),
    "warn": ("Usable, with warnings", "#e67700"),
    "fail": ("Not usable yet: fix the items marked ✕", "#e03131"),
}
EMPTY = "The check of the clip appears here: length, speech, silence, clipping, level, noise."


class ReportView(QWidget):
    """Shows a studio.audio.ReferenceReport (or an explanation while there is none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: Any = None
        self.title = QLabel("<b>Reference check</b>")
        self.body = QLabel(EMPTY)
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)
        self.setMinimumWidth(190)
        self.setMaximumWidth(340)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:  # noqa: N802 - wide enough for most sentences on two lines
        return QSize(300, 220)

    def items(self) -> list[tuple[str, str, str]]:
        """(key, status, sentence) of every item shown."""
        if self.report is None:
            return []
        return [(i.key, str(i.status), i.message) for i in self.report.items]

    def status(self, key: str) -> str | None:
        return next((s for k, s, _ in self.items() if k == key), None)

    def set_report(self, report: Any, what: str = "") -> None:
        """Show ``report``; ``what`` names what was checked (e.g. "the selection, 4.2 s")."""
        self.report = report
        if report is None:
            self.title.setText("<b>Reference check</b>")
            self.body.setText(EMPTY)
            return
        verdict, color = VERDICTS[str(report.worst)]
        self.title.setText(f"<b>Reference check</b>{' · ' + escape(what) if what else ''}")
        rows = [f"<p style='margin:0 0 6px 0'><b style='color:{color}'>{escape(verdict)}</b></p>",
                "<table cellspacing='0' cellpadding='2'>"]
        for item in report.items:
            mark, tint = MARKS[str(item.status)]
            rows.append(f"<tr><td valign='top' style='color:{tint}; font-weight:bold; "
                        f"padding-right:6px'>{mark}</td><td>{escape(item.message)}</td></tr>")
        rows.append("</table>")
        self.body.setText("".join(rows))
