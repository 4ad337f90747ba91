"""The selected voice's takes, under the voice list: hear each one, choose the one that
speaks, remove those not needed, join several into one longer reference. Takes come from
the Clone page ("Add as take"); a combination opens there too, to check before keeping."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.errors import StudioError
from studio.library.anyvoice import SAVED
from studio.ui.playback import gate_play

ROLE_TAKE = Qt.ItemDataRole.UserRole
HINT = "One take so far: add more on the Clone page (Add as take) to keep the best."
PLAY_TIP = "Hear this take's reference clip (double-click works too)"
COMBINE_TIP = ("Join the selected takes (Ctrl+click to choose two or more) into one longer "
               "reference, up to 30 s: it opens in Clone to check, then Add as take")


class WrappedLabel(QLabel):
    """A word-wrapped label that keeps the height its text needs at its width: a splitter
    ignores height-for-width, so without this the words were squeezed out of sight."""

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self._fit()

    def _fit(self) -> None:
        needed = self.heightForWidth(max(self.width(), 1)) if self.text() else 0
        if needed != self.minimumHeight():
            self.setMinimumHeight(max(needed, 0))


class TakesPanel(QWidget):
    changed = Signal(str)  # the voice key whose takes changed (active one or a removal)
    message = Signal(str, str)  # text, level: for the window's notice bar
    combine_requested = Signal(str, list)  # voice id, the selected take ids

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.voice_id: str | None = None
        self.voice_name = ""
        self.title = QLabel("<b>Reference takes</b>")
        self.title.setToolTip("The clips this voice was cloned from; the one marked ✓ speaks")
        self.tree = QTreeWidget()
        self.tree.setObjectName("takes")
        self.tree.setAccessibleName("Reference takes")
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.itemSelectionChanged.connect(self._update)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._update())
        self.tree.itemDoubleClicked.connect(lambda *_: self.play())
        self.tree.setMinimumHeight(44)  # it shrinks (and scrolls) before the words are cut
        self.transcript = WrappedLabel("")
        self.transcript.setObjectName("hint")
        self.transcript.setWordWrap(True)
        self.transcript.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip(PLAY_TIP)
        self.play_button.clicked.connect(self.play)
        self.active_button = QPushButton("Make active")
        self.active_button.setToolTip("Speak with this take from now on")
        self.active_button.clicked.connect(self.make_active)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Delete this take (not the first clip, not the active one)")
        self.remove_button.clicked.connect(self.remove)
        self.combine_button = QPushButton("Combine")
        self.combine_button.setToolTip(COMBINE_TIP)
        self.combine_button.clicked.connect(self.combine)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.play_button, self.active_button, self.remove_button,
                       self.combine_button):
            buttons.addWidget(button)
        col = QVBoxLayout(self)
        col.setContentsMargins(6, 2, 6, 6)
        col.setSpacing(4)
        col.addWidget(self.title)
        col.addWidget(self.tree, 1)
        col.addWidget(self.transcript)
        col.addLayout(buttons)
        ctx.playback.state_changed.connect(self._on_play_state)
        ctx.playback.output_changed.connect(self._output_changed)
        self.setVisible(False)

    # --- content ---------------------------------------------------------------------------

    def set_voice(self, ref: Any) -> None:
        """Show the takes of a saved voice; hidden for built-in voices and speakers."""
        self.ctx.playback.stop(self)
        if ref is None or ref.source != SAVED:
            self.voice_id = None
            self.setVisible(False)
            return
        if ref.id != self.voice_id:
            self.tree.clear()  # another voice: start at its active take
        self.voice_id, self.voice_name = ref.id, ref.name
        self.refresh()

    def refresh(self) -> None:
        if self.voice_id is None:
            return
        try:
            entry = self.ctx.library.get(self.voice_id)
        except StudioError:
            self.voice_id = None
            self.setVisible(False)
            return
        keep = self.current_take()
        self.tree.clear()
        takes = entry.takes()
        for take in takes:
            mark = "✓ " if take.active else "    "
            text = f"{mark}{take.title}" if take.problem is None else f"    {take.title} (damaged)"
            item = QTreeWidgetItem([text, f"{take.reference_seconds:.1f} s"])
            item.setData(0, ROLE_TAKE, take)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(0, take.problem or (f"{take.title}: speaks now" if take.active else
                                                f"{take.title}: double-click to hear it"))
            if take.active:
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
            self.tree.addTopLevelItem(item)
        active = next((t.id for t in takes if t.active), takes[0].id)
        if keep is None or not self.select(keep.id):  # kept, unless it was just removed
            self.select(active)
        self.title.setText(f"<b>Reference takes</b> · {entry.name}")
        self.setVisible(True)
        self._update()

    def takes(self) -> list[Any]:
        return [self.tree.topLevelItem(i).data(0, ROLE_TAKE)
                for i in range(self.tree.topLevelItemCount())]

    def selected_takes(self) -> list[Any]:
        """The selected takes in list order (several with Ctrl/Shift+click)."""
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.data(0, ROLE_TAKE) for item in items if item.isSelected()]

    def current_take(self) -> Any:
        item = self.tree.currentItem()
        return item.data(0, ROLE_TAKE) if item is not None else None

    def select(self, take_id: str) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, ROLE_TAKE).id == take_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def _update(self) -> None:
        take = self.current_take()
        usable = take is not None and take.problem is None
        gate_play(self.play_button, usable, self.ctx.playback.reason, PLAY_TIP)
        self.active_button.setEnabled(usable and not take.active)
        self.remove_button.setEnabled(take is not None and not take.main and not take.active)
        chosen = [t for t in self.selected_takes() if t.problem is None]
        self.combine_button.setEnabled(len(chosen) >= 2)
        self.combine_button.setVisible(len(self.takes()) > 1)
        text = ""
        if take is not None and take.problem is None:
            try:
                words = take.transcript().strip()
            except (OSError, UnicodeDecodeError):
                words = ""
            text = f"“{words}”" if words else "(no transcript: timbre only)"
            if len(text) > 240:
                text = text[:237] + "…”"
        elif take is not None:
            text = take.problem or ""
        self.transcript.setText(text if len(self.takes()) > 1 or not text else f"{text}\n{HINT}")

    # --- actions ---------------------------------------------------------------------------

    def _output_changed(self, _reason: str) -> None:
        self._update()

    def play(self) -> None:
        take = self.current_take()
        playback = self.ctx.playback
        if playback.reason:
            return  # the disabled Play says why; a double-click does the same
        if playback.owner is self and playback.state in ("playing", "buffering"):
            playback.stop(self)
            return
        if take is None or take.problem is not None:
            return
        try:
            audio, sr = take.load_reference()
        except (OSError, RuntimeError) as exc:
            self.message.emit(f"Cannot read {take.title}: {exc}", "error")
            return
        if not playback.play(audio, sr, self):
            self.message.emit(f"Cannot play the take: {playback.last_error}", "error")

    def make_active(self) -> bool:
        take = self.current_take()
        if take is None or self.voice_id is None:
            return False
        try:
            self.ctx.library.set_active_take(self.voice_id, take.id)
        except StudioError as exc:
            self.message.emit(f"Could not switch takes: {exc}", "error")
            return False
        self.refresh()
        self.message.emit(f"{self.voice_name} now speaks with {take.title}.", "info")
        self.changed.emit(f"saved:{self.voice_id}")
        return True

    def remove(self) -> bool:
        take = self.current_take()
        if take is None or self.voice_id is None:
            return False
        if not self.confirm(f"Remove {take.title} from {self.voice_name}? Its clip, "
                            "transcript and prompt are deleted."):
            return False
        self.ctx.playback.stop(self)
        try:
            self.ctx.library.remove_take(self.voice_id, take.id)
        except StudioError as exc:
            self.message.emit(f"Could not remove the take: {exc}", "error")
            return False
        self.refresh()
        self.changed.emit(f"saved:{self.voice_id}")
        return True

    def combine(self) -> None:
        chosen = [t.id for t in self.selected_takes() if t.problem is None]
        if self.voice_id is not None and len(chosen) >= 2:
            self.ctx.playback.stop(self)
            self.combine_requested.emit(self.voice_id, chosen)

    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Remove take", text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _on_play_state(self, owner: object, state: str) -> None:
        if owner is self:
            playing = state in ("playing", "buffering")
            self.play_button.setText("■ Stop" if playing else "▶ Play")
