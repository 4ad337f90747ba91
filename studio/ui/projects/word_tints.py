"""Tints behind the words of a block row that the check by ear heard otherwise, in the
colours the Clone page uses for its transcript (studio.ui.widgets.clone_form)."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFontMetrics, QPainter

from studio.ui.widgets.clone_form import WORD_TINTS

Span = tuple[int, int, str]  # start, end, status ("mismatch" | "missing")


def collapsed(text: str, spans: list[Span]) -> tuple[str, list[Span]]:
    """``text`` with every run of white space made one space and trimmed, as a row shows
    it, and ``spans`` moved to match."""
    out: list[str] = []
    where: list[int] = []  # position in ``out`` of each character of ``text``
    for c in text:
        where.append(len(out))
        if c.isspace():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(c)
    where.append(len(out))
    shown = "".join(out).rstrip()
    moved = [(where[a], where[b] if b < len(where) else len(out), s) for a, b, s in spans
             if 0 <= a < b <= len(text)]
    return shown, [(a, min(b, len(shown)), s) for a, b, s in moved if a < len(shown)]


def paint_line(painter: QPainter, fm: QFontMetrics, rect: QRect, line: str, offset: int,
               spans: list[Span]) -> None:
    """Tint the parts of ``spans`` that fall in ``line`` (which starts at ``offset`` of the
    shown text) drawn at ``rect``."""
    end = offset + len(line)
    for a, b, status in spans:
        if b <= offset or a >= end:
            continue
        x0 = rect.left() + fm.horizontalAdvance(line[:max(a - offset, 0)])
        x1 = rect.left() + fm.horizontalAdvance(line[:min(b - offset, len(line))])
        x1 = min(x1, rect.right())
        if x1 <= x0:
            continue
        tint = WORD_TINTS.get(status, WORD_TINTS["mismatch"])
        painter.fillRect(QRect(x0, rect.top(), x1 - x0, rect.height()), tint)
        strong = QColor(tint)
        strong.setAlpha(255)
        painter.fillRect(QRect(x0, rect.bottom() - 1, x1 - x0, 2), strong)
