""""New voice", beside a built-in design voice: forget the speaker it keeps, so the next
take draws another from the description (studio.library.design_voices)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton

from studio.library.anyvoice import DESIGN_PRESET, VoiceRef
from studio.library.design_voices import DesignVoiceStore

TIP = ("Draw another speaker from this voice's description: the next take makes a new one, "
       "and it is kept from then on.")


class NewVoiceButton(QPushButton):
    drawn_anew = Signal(str)  # what happened, for the page's status line

    def __init__(self, library_root: Path) -> None:
        super().__init__("New voice")
        self.store = DesignVoiceStore(library_root)
        self.ref: VoiceRef | None = None
        self.setObjectName("newVoice")
        self.setAccessibleName("New voice")
        self.setAccessibleDescription(TIP)
        self.setToolTip(TIP)
        self.setVisible(False)
        self.clicked.connect(self.draw_anew)

    def show_for(self, ref: VoiceRef | None) -> None:
        """Shown for built-in design voices only: the other voices are fixed already."""
        self.ref = ref
        self.setVisible(ref is not None and ref.source == DESIGN_PRESET)

    def kept(self) -> bool:
        """Whether the voice shown has a speaker kept."""
        ref = self.ref
        return (ref is not None and ref.source == DESIGN_PRESET
                and self.store.kept(ref.id, ref.description) is not None)

    def draw_anew(self) -> None:
        ref = self.ref
        if ref is None or ref.source != DESIGN_PRESET:
            return
        if self.store.forget(ref.id):
            self.drawn_anew.emit(f"The next take draws a new {ref.name} and keeps it.")
        else:
            self.drawn_anew.emit(f"No {ref.name} is kept yet: the next take draws one.")
