"""Paints one block row: number, speaker pill in the cast member's colour, two lines of
text and the state badge; edits the text in place with a line editor."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from studio.ui.projects.block_model import (
    COLOUR_ROLE,
    DONE,
    FLAGGED,
    MISSING,
    NUMBER_ROLE,
    PAUSE_ROLE,
    RENDERING,
    SPEAKER_ROLE,
    STALE,
    STATE_ROLE,
    TINTS_ROLE,
)
from studio.ui.projects.word_tints import collapsed, paint_line

STATE_COLOURS = {MISSING: "#9ca3af", RENDERING: "#2563eb", DONE: "#16a34a",
                 STALE: "#d97706", FLAGGED: "#dc2626"}
PAD = 6
PILL_W = 110

AnyIndex = QModelIndex | QPersistentModelIndex


class BlockDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(280, 2 * line + 3 * PAD)  # wider views give the text more room

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        painter.save()
        painter.setFont(option.font)
        pal = option.palette
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, pal.color(QPalette.ColorRole.Highlight))
        text_colour = pal.color(QPalette.ColorRole.HighlightedText if selected
                                else QPalette.ColorRole.Text)
        fm = QFontMetrics(option.font)
        line = fm.lineSpacing()
        number = f"{index.data(NUMBER_ROLE)}"
        speaker = str(index.data(SPEAKER_ROLE))
        state = str(index.data(STATE_ROLE))
        x = rect.left() + PAD
        top = rect.top() + PAD
        painter.setPen(text_colour)
        painter.drawText(QRect(x, top, 40, line), Qt.AlignmentFlag.AlignRight, number)
        x += 48
        pill_w = min(fm.horizontalAdvance(speaker) + 2 * PAD + 2, PILL_W)
        colour: QColor = index.data(COLOUR_ROLE)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRect(x, top, pill_w, line + 2), 6, 6)
        painter.setPen(QColor("white"))
        painter.drawText(QRect(x + PAD, top + 1, pill_w - 2 * PAD, line),
                         Qt.AlignmentFlag.AlignLeft,
                         fm.elidedText(speaker, Qt.TextElideMode.ElideRight, pill_w - 2 * PAD))
        badge_w = fm.horizontalAdvance("not rendered") + 2 * PAD
        badge = QRect(rect.right() - badge_w - PAD, top, badge_w, line + 2)
        painter.setBrush(QColor(STATE_COLOURS.get(state, "#9ca3af")))
        painter.drawRoundedRect(badge, 6, 6)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, state)
        text_x = x + PILL_W + 2 * PAD
        width = max(10, badge.left() - PAD - text_x)
        painter.setPen(text_colour)
        pause = index.data(PAUSE_ROLE)
        if pause is not None:
            painter.drawText(QRect(badge.left(), top + line + 2, badge_w, line),
                             Qt.AlignmentFlag.AlignCenter, f"pause {pause:g} s")
        text, spans = collapsed(str(index.data(Qt.ItemDataRole.DisplayRole))[:400],
                                index.data(TINTS_ROLE) or [])
        first, rest = _two_lines(fm, text, width)
        first_rect = QRect(text_x, top, width, line)
        paint_line(painter, fm, first_rect, first, 0, spans)
        painter.drawText(first_rect, Qt.AlignmentFlag.AlignLeft, first)
        if rest:
            rest_rect = QRect(text_x, top + line, width, line)
            shown = fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)
            paint_line(painter, fm, rest_rect, shown, len(first) + 1, spans)
            painter.drawText(rest_rect, Qt.AlignmentFlag.AlignLeft, shown)
        painter.restore()

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: AnyIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAccessibleName("Block text")
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:  # noqa: N802
        assert isinstance(editor, QLineEdit)
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QWidget, model: object, index: AnyIndex) -> None:  # noqa: N802
        assert isinstance(editor, QLineEdit)
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)  # type: ignore[attr-defined]


def _two_lines(fm: QFontMetrics, text: str, width: int) -> tuple[str, str]:
    """The words that fit on the first line, and the rest."""
    if fm.horizontalAdvance(text) <= width:
        return text, ""
    words = text.split(" ")
    first: list[str] = []
    for word in words:
        if fm.horizontalAdvance(" ".join([*first, word])) > width and first:
            break
        first.append(word)
    return " ".join(first), " ".join(words[len(first):])
