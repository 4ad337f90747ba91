"""Names for screen readers.

Qt names a button by its text and a spin box by its form label, but a combo box announces
its current value and a text box nothing at all, so every control gets an accessible name
here: by its form label (``label_form``, which also makes the label its buddy, so the
label's mnemonic reaches it) or given outright (``named``).
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

W = TypeVar("W", bound=QWidget)
CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox,
            QAbstractItemView)


def named(widget: W, name: str, label: QLabel | None = None) -> W:
    """Give ``widget`` an accessible name (and ``label`` as its buddy); returns it."""
    widget.setAccessibleName(name)
    if label is not None:
        label.setBuddy(widget)
    return widget


def _first_control(item: QWidget | QLayout | None) -> QWidget | None:
    if isinstance(item, CONTROLS):
        return item
    if isinstance(item, QLayout):
        for i in range(item.count()):
            found = _first_control(item.itemAt(i).widget() or item.itemAt(i).layout())
            if found is not None:
                return found
    return None


def label_form(form: QFormLayout) -> None:
    """Each row's label names its field (the first control, for a row of several)."""
    for row in range(form.rowCount()):
        label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label_item is None or field_item is None:
            continue
        label = label_item.widget()
        field = _first_control(field_item.widget() or field_item.layout())
        if not isinstance(label, QLabel) or field is None or not label.text().strip():
            continue
        label.setBuddy(field)
        if not field.accessibleName():
            field.setAccessibleName(label.text().replace("&", "").strip())
