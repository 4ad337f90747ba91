"""The selected block's takes: the waveform of a take, the list of every take the block
keeps, and play, choose, regenerate with a new seed, and compare two takes (A, a short
silence, then B, the one heard named as it plays).

Regenerating is a render of that one block through the page's render path (a job on the
inference thread): the core adds the new take and keeps the earlier ones. Choosing is an
undoable edit on the project, like every other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.audio.samplerate import SAMPLE_RATE
from studio.projects import lexicon, render, takes
from studio.projects.audiofiles import read_audio
from studio.projects.schema import Block, BlockTake
from studio.ui.projects.edits import Apply
from studio.ui.projects.render_bridge import RenderJob, RenderOutcome, start_render
from studio.ui.widgets.waveform import WaveformView

if TYPE_CHECKING:
    from studio.ui.pages.projects import ProjectsPage

TAKE_ROLE = Qt.ItemDataRole.UserRole + 11


class ChooseTake(QUndoCommand):
    def __init__(self, apply: Apply, block_id: str, old: str | None, new: str) -> None:
        super().__init__("Choose take")
        self.apply, self.block_id, self.old, self.new = apply, block_id, old, new

    def redo(self) -> None:
        self.apply(lambda p: takes.choose(p, self.block_id, self.new))

    def undo(self) -> None:
        if self.old is not None:
            self.apply(lambda p: takes.choose(p, self.block_id, self.old))


def describe(take: BlockTake, number: int, chosen: bool) -> str:
    """One line of the list: which take, how it was made, what the check heard."""
    parts = [f"Take {number}", f"{take.samples / SAMPLE_RATE:.1f} s"]
    if take.check is not None and not take.check.note:
        parts.append(f"heard {take.check.score:.0f}%"
                     + (" · flagged" if take.check.flagged else ""))
    return ("✓ " if chosen else "") + " · ".join(parts)


class BlockTakes(QWidget):
    def __init__(self, page: ProjectsPage) -> None:
        super().__init__()
        self.page = page
        self.block: Block | None = None
        self.shown: tuple = ()  # what the list shows: block id, chosen, takes and checks
        self.job: RenderJob | None = None
        self.regenerating: str | None = None  # the block a regenerate is for
        self.b_starts: float | None = None  # while comparing: when B begins
        self.pair: tuple[int, int] = (0, 0)  # while comparing: the take numbers A and B
        self.title = QLabel("Select a block to see its takes.")
        self.title.setAccessibleName("Takes of the selected block")
        self.wave = WaveformView(empty_text="No take yet: render the block")
        self.wave.setAccessibleName("Waveform of the take")
        self.wave.plot.setMinimumHeight(70)
        self.wave.setMinimumHeight(70)
        self.list = QListWidget()
        self.list.setAccessibleName("Takes")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.list.itemActivated.connect(lambda _i: self.play())  # Enter or a double click
        self.play_button = self._button("▶ Play", "Play take", self.play)
        self.choose_button = self._button("✓ Choose", "Choose take", self.choose)
        self.choose_button.setToolTip("Make this take the one heard and exported")
        self.regen_button = self._button("↻ New take", "Regenerate", self.regenerate_or_cancel)
        self.regen_button.setToolTip("Regenerate with a new seed; the takes you have are kept")
        self.compare_button = self._button("A/B Compare", "Compare A/B", self.compare)
        self.compare_button.setToolTip("Select two takes (Ctrl+click), or one to compare "
                                       "with the chosen take: A plays, then B")
        self.heard = QLabel("")
        self.heard.setAccessibleName("Take being heard")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.heard)
        buttons = QVBoxLayout()
        for b in (self.play_button, self.choose_button, self.regen_button,
                  self.compare_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        below = QHBoxLayout()
        below.addWidget(self.list, 1)
        below.addLayout(buttons)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(top)
        col.addWidget(self.wave, 3)
        col.addLayout(below, 2)
        page.view.selectionModel().currentChanged.connect(lambda *_: self.sync())
        page.model.modelReset.connect(self.sync)
        page.model.dataChanged.connect(lambda *_: self.sync())
        page.ctx.playback.position_changed.connect(self._position)
        page.ctx.playback.state_changed.connect(self._state)
        self._update_buttons()

    def under(self, view: QWidget) -> QSplitter:
        """The block list above this panel, the user choosing how much each gets."""
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(view)
        split.addWidget(self)
        split.setSizes([300, 200])
        return split

    def _button(self, label: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(label)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    # -- what is shown -------------------------------------------------------------------

    def sync(self) -> None:
        """Show the current block's takes, if they changed since last shown."""
        page = self.page
        block_id = page.current_id()
        block = None
        if page.project is not None and block_id is not None:
            try:
                block = page.project.block(block_id)
            except KeyError:
                block = None
        shown = (block.id, block.chosen, tuple(
            (t.id, t.check.score if t.check else None, t.check.flagged if t.check else None)
            for t in block.takes)) if block else ()
        self.block = block
        if shown == self.shown:
            self._update_buttons()
            return
        self.shown = shown
        self.list.blockSignals(True)
        self.list.clear()
        if block is None:
            self.title.setText("Select a block to see its takes.")
        else:
            number = page.model.row_of(block.id) + page.model.first_number
            count = len(block.takes)
            self.title.setText(f"Block {number} ({block.speaker}): {count} take(s)"
                               if count else f"Block {number} ({block.speaker}): not "
                               "rendered yet")
            for k, take in enumerate(block.takes, start=1):
                item = QListWidgetItem(describe(take, k, take.id == block.chosen))
                item.setData(TAKE_ROLE, take.id)
                item.setToolTip(f"Seed {take.seed}, made {take.created:%Y-%m-%d %H:%M}"
                                + (f"; heard: {'; '.join(take.check.differences[:3])}"
                                   if take.check and take.check.differences else ""))
                self.list.addItem(item)
                if take.id == block.chosen:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._selection_changed()

    def selected_takes(self) -> list[BlockTake]:
        if self.block is None:
            return []
        ids = [self.list.item(r).data(TAKE_ROLE) for r in range(self.list.count())
               if self.list.item(r).isSelected()]
        return [t for t in self.block.takes if t.id in ids]

    def _selection_changed(self) -> None:
        picked = self.selected_takes()
        take = picked[0] if len(picked) == 1 else (self.block.chosen_take if self.block
                                                    else None)
        self._show(take)
        self._update_buttons()

    def _show(self, take: BlockTake | None) -> None:
        """A take's waveform, the words the check heard differently tinted."""
        self.wave.set_audio(self._audio(take) if take is not None else None)
        if take is not None:
            self.wave.set_marks([(a, b, "mismatch") for a, b in takes.differing_spans(take)])

    def _audio(self, take: BlockTake) -> np.ndarray | None:
        page = self.page
        if page.project is None:
            return None
        return page.attempt(lambda: read_audio(page.store.path(page.project) / take.file))  # type: ignore[return-value]

    def _update_buttons(self) -> None:
        picked = self.selected_takes()
        block = self.block
        self.play_button.setEnabled(len(picked) == 1)
        self.choose_button.setEnabled(len(picked) == 1 and block is not None
                                      and picked[0].id != block.chosen)
        self.compare_button.setEnabled(
            block is not None and (len(picked) == 2 or (len(picked) == 1 and block.chosen
                                                        not in (None, picked[0].id))))
        regenerating = self.job is not None
        self.regen_button.setText("■ Cancel" if regenerating else "↻ New take")
        self.regen_button.setAccessibleName("Cancel regenerate" if regenerating
                                            else "Regenerate")
        self.regen_button.setEnabled(regenerating or (block is not None
                                                      and not self.page.render.running()))

    # -- listening -----------------------------------------------------------------------

    def play(self) -> bool:
        picked = self.selected_takes()
        if len(picked) != 1:
            self.page.notice.show_message("Select one take to play.", "info")
            return False
        self.b_starts = None
        self._show(picked[0])
        audio = self.wave.audio
        if not len(audio):
            return False
        self.heard.setText(f"Playing take {self._number(picked[0])}")
        return self.page.ctx.playback.play(audio, SAMPLE_RATE, self)

    def compare(self) -> bool:
        """A then B: the two selected takes in list order, or the chosen one (A) and the
        selected one (B)."""
        picked = self.selected_takes()
        block = self.block
        if block is None:
            return False
        if len(picked) == 1 and block.chosen_take is not None \
                and picked[0].id != block.chosen:
            picked = [block.chosen_take, picked[0]]
        if len(picked) != 2:
            self.page.notice.show_message("Select two takes (Ctrl+click) to compare, or one "
                                          "to compare with the chosen take.", "info")
            return False
        page = self.page
        assert page.project is not None
        run = page.attempt(lambda: takes.compare_run(page.store.path(page.project),
                                                     picked[0], picked[1]))
        if run is None:
            return False
        audio, self.b_starts = run  # type: ignore[misc]
        self.pair = (self._number(picked[0]), self._number(picked[1]))
        self.wave.set_audio(audio)
        self.wave.set_marks([(self.b_starts, len(audio) / SAMPLE_RATE, "extra")])
        self.heard.setText(f"Hearing A (take {self.pair[0]})")
        return page.ctx.playback.play(audio, SAMPLE_RATE, self)

    def _number(self, take: BlockTake) -> int:
        assert self.block is not None
        return [t.id for t in self.block.takes].index(take.id) + 1

    def _position(self, owner: object, seconds: float) -> None:
        if owner is not self:
            return
        self.wave.set_playhead(seconds)
        if self.b_starts is not None:
            a, b = self.pair
            self.heard.setText(f"Hearing B (take {b})" if seconds >= self.b_starts
                               else f"Hearing A (take {a})")

    def _state(self, owner: object, state: str) -> None:
        if owner is self and state in ("idle", "finished"):
            self.wave.set_playhead(None)
            self.heard.setText("")

    def stop(self) -> None:
        self.page.ctx.playback.stop(self)

    # -- changing the takes --------------------------------------------------------------

    def choose(self) -> None:
        picked = self.selected_takes()
        block = self.block
        if len(picked) != 1 or block is None or picked[0].id == block.chosen:
            return
        self.page.undo.push(ChooseTake(self.page.change, block.id, block.chosen,
                                       picked[0].id))
        self.page.notice.show_message(f"Take {self._number(picked[0])} is now the one heard "
                                      "and exported for this block.", "info")

    def regenerate_or_cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
        else:
            self.regenerate()

    def regenerate(self) -> RenderJob | None:
        """A new take of the block with a new seed, made on the inference thread."""
        page = self.page
        block = self.block
        if block is None or page.project is None or page.live is None or self.job is not None:
            return None
        project = page.project
        shared = page.attempt(lexicon.load_shared)
        if shared is None:
            return None
        if page.attempt(lambda: render.check_cast(project, [block.id], page.ctx.library)) \
                is None:
            return None
        self.regenerating = block.id
        self.job = start_render(page.ctx.inference, page.store, page.live, [block.id],
                                page.ctx.library, shared,  # type: ignore[arg-type]
                                max_seconds=page.render.max_seconds)
        self.job.finished.connect(self._regenerated)
        self.job.failed.connect(lambda m: self._ended(m, "error"))
        self.job.cancelled.connect(lambda: self._ended("The new take was cancelled; the "
                                                       "takes you had are kept.", "info"))
        page.model.rendering = page.model.rendering | {block.id}
        page.model.refresh({block.id})
        self._update_buttons()
        return self.job

    def _regenerated(self, outcome: RenderOutcome) -> None:
        report = outcome.report
        if report.cancelled:
            message = "The new take was cancelled; the takes you had are kept."
        elif report.failed:
            message = "; ".join(report.failed[:3])
        else:
            count = len(self.page.project.block(self.regenerating).takes) \
                if self.regenerating and self.page.project else 0
            message = (f"Take {count} was made with a new seed and chosen; the earlier "
                       "takes are kept (choose one to go back).")
            if report.flagged:
                message += " The check by ear flagged it."
        self._ended(message, "info")

    def _ended(self, message: str, kind: str) -> None:
        block_id = self.regenerating
        self.job, self.regenerating = None, None
        page = self.page
        if block_id is not None:
            page.model.rendering = page.model.rendering - {block_id}
            page.reload({block_id})
        self.sync()
        page.notice.show_message(message, kind)

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.stop()
