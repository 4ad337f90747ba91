"""Naming a new voice: a suggestion that is free, the library's rules, and a dialog that asks
again (showing the library's reason) until the name is valid or the user cancels."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog, QWidget

from studio.errors import StudioError
from studio.library.errors import InvalidName
from studio.library.ids import MAX_NAME, clean_name, name_key


def _used(library: Any) -> set[str]:
    try:
        return {name_key(v.name) for v in library.list().voices}
    except StudioError:
        return set()


def first_words(text: str, n: int = 4) -> str:
    """'A calm, deep male voice, slow' -> 'A calm deep male'."""
    words = [w.strip(".,;:!?\"'“”()") for w in text.split()[:n]]
    name = " ".join(w for w in words if w)[:MAX_NAME].strip()
    return name[:1].upper() + name[1:]


def suggest_name(library: Any, base: str) -> str:
    """``base``, or ``base (2)``, ``base (3)``... whichever no saved voice uses."""
    base = " ".join(base.split())[: MAX_NAME - 5] or "New voice"
    used = _used(library)
    name, n = base, 2
    while name_key(name) in used:
        name, n = f"{base} ({n})", n + 1
    return name


def check_name(library: Any, name: str) -> str:
    """The cleaned name, or InvalidName with the library's message."""
    cleaned = clean_name(name)
    if name_key(cleaned) in _used(library):
        raise InvalidName(f"A voice called {cleaned!r} already exists. Choose another "
                          "name, or rename that voice first.")
    return cleaned


def ask_name(parent: QWidget, library: Any, default: str, problem: str = "",
             title: str = "Keep this voice") -> str | None:
    """A valid, free name for a new voice; None if the user cancels."""
    name = default
    while True:
        label = (f"{problem}\n\n" if problem else "") + "Name for the new voice:"
        name, ok = QInputDialog.getText(parent, title, label, text=name)
        if not ok:
            return None
        try:
            return check_name(library, name)
        except InvalidName as exc:
            problem = str(exc)
