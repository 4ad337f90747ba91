"""What a screen reader hears: the accessible name of every interactive widget under a
widget, as Qt's accessibility layer reports it."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox,
               QAbstractSpinBox, QAbstractSlider, QAbstractItemView, QTabBar)
PARTS = (QHeaderView, QScrollBar)  # parts of a list or a scroll area, named by it


def interactive(root: QWidget) -> list[QWidget]:
    """The controls a user can reach under ``root`` (not the inner parts of other controls,
    such as a spin box's line edit or a tab bar's scroll arrows)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, PARTS):
            continue
        parent = widget.parentWidget()
        inner = False
        while parent is not None and parent is not root:
            if isinstance(parent, INTERACTIVE):
                inner = True
                break
            parent = parent.parentWidget()
        if not inner:
            found.append(widget)
    return found


def value_of(widget: QWidget) -> str:
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return widget.toPlainText()
    return ""


def name_of(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def label_of(widget: QWidget) -> str:
    """The text of the label a screen reader reads with ``widget`` (its buddy label)."""
    iface = QAccessible.queryAccessibleInterface(widget)
    labels = iface.relations(QAccessible.Relation.Label) if iface is not None else []
    return " ".join(other.text(QAccessible.Text.Name) for other, _rel in labels).strip()


def unnamed(root: QWidget) -> list[str]:
    """Controls with no accessible name, or one that is only their value and no label
    (a combo box that announces 'Auto-detect' instead of 'Language, Auto-detect': on
    Linux a combo box's name is its value, and its label comes from the buddy relation)."""
    problems = []
    for widget in interactive(root):
        name, value = name_of(widget), value_of(widget).strip()
        if not name or (value and name == value and not label_of(widget)):
            where = widget.objectName() or widget.toolTip()[:40] or ""
            problems.append(f"{type(widget).__name__} {where!r} (name {name!r}, "
                            f"value {value[:30]!r}) in {type(widget.parentWidget()).__name__}")
    return problems
