"""Design: describe a voice in words, generate a few candidates side by side, keep one.

Kept candidates become saved "designed" voices: each candidate's take fixes the voice it drew
as a clone prompt made by a Base model (studio.engine.design_voice, as for every design
voice), so the voice can speak any text afterwards, and the recipe (description, seed,
sampling) is stored so it can be made again.

Candidates are generated one after another (the next request is submitted when the previous
one reports back), so Stop only has one running request to cancel and nothing queued in the
worker, and a Keep's prompt request never waits behind a whole batch.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.audio.samplerate import SAMPLE_RATE
from studio.engine.drawn_voice import FRESH
from studio.engine.options import Streaming
from studio.engine.speak_request import DESIGN, SpeakRequest
from studio.engine.take import Take
from studio.library.schema import MAX_DESCRIPTION
from studio.ui.context import AppContext
from studio.ui.jobs import TakeJob
from studio.ui.pages.base import Page
from studio.ui.pages.design_keep import CandidateKeeper
from studio.ui.shortcuts import RUN, STOP, add_shortcuts
from studio.ui.take_notices import show_take_notices
from studio.ui.widgets.candidate_card import CandidateCard, CandidateShelf
from studio.ui.widgets.design_form import GUIDANCE, DesignForm
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.voice_name import first_words, suggest_name


class DesignPage(Page):
    def __init__(self, ctx: AppContext, notice: NoticeBar) -> None:
        super().__init__(ctx, notice)
        self.max_frames: int | None = None  # a length cap for every candidate (tests)
        self.cards: list[CandidateCard] = []
        self._pending: list[CandidateCard] = []  # not submitted yet
        self._active: CandidateCard | None = None  # the one being generated
        self._jobs: dict[CandidateCard, TakeJob] = {}  # each card's take, until it reports
        self.form = DesignForm(ctx.presets.designs, ctx.settings.default_language,
                               ctx.settings.sampling)
        f = self.form  # its fields, by the names the rest of the page (and tests) use
        self.presets, self.description, self.language = f.presets, f.description, f.language
        self.sample, self.count, self.sampling = f.sample, f.count, f.sampling
        self.select_preset = f.select_preset
        self.generate_button = QPushButton("Generate candidates")
        self.generate_button.setObjectName("primary")
        self.generate_button.setToolTip("Generate the candidates (Ctrl+Enter)")
        self.generate_button.clicked.connect(self.generate)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop generating (Esc); finished candidates stay")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.keeper = CandidateKeeper(ctx, notice, self.status, self, lambda: self.cards)
        self.keeper.saved.connect(self.voice_saved)

        actions = QHBoxLayout()
        actions.addWidget(self.generate_button)
        actions.addWidget(self.stop_button)
        actions.addWidget(self.status, 1)
        top = QWidget()
        col = QVBoxLayout(top)
        col.setContentsMargins(12, 10, 12, 4)
        col.addWidget(self.form)
        col.addLayout(actions)
        col.addStretch(1)

        self.shelf = CandidateShelf()
        bottom = QWidget()
        col2 = QVBoxLayout(bottom)
        col2.setContentsMargins(12, 4, 12, 10)
        col2.addWidget(self.shelf, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([300, 420])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        add_shortcuts(self, RUN, self.generate)
        add_shortcuts(self, STOP, self.stop)

        ctx.playback.position_changed.connect(self._on_position)
        ctx.playback.state_changed.connect(self._on_play_state)

    # --- generating ----------------------------------------------------------------------

    @property
    def generating(self) -> bool:
        return self._active is not None or bool(self._pending)

    def generate(self) -> int:
        """Start a batch of candidates; returns how many were queued (0: nothing started)."""
        if self.generating:
            return 0
        if self.keeper.busy:
            self.notice.show_message("Wait until the voice you kept is saved, then generate "
                                     "new candidates.", "info")
            return 0
        description = self.description.toPlainText().strip()
        text = self.sample.text().strip()
        if not description:
            self.notice.show_message("Describe the voice first: " + GUIDANCE, "warning")
            return 0
        if len(description) > MAX_DESCRIPTION:
            self.notice.show_message(f"The description is {len(description)} characters long; "
                                     f"shorten it to {MAX_DESCRIPTION} or fewer.", "warning")
            return 0
        if not text:
            self.notice.show_message("Type a sample sentence for the candidates to say, in "
                                     "the chosen language (5-15 s of speech is best).", "warning")
            return 0
        if not self.confirm_discard(self):
            return 0
        self._clear_cards()
        first = max(1, int(self.ctx.settings.first_chunk_frames))
        for index, seed in enumerate(self.form.seeds(self.count.value()), start=1):
            sampling = replace(self.sampling.sampling(seed), max_frames=self.max_frames)
            request = SpeakRequest(text, DESIGN, language=self.language.currentData(),
                                   instruct=description, sampling=sampling, keeper=FRESH,
                                   streaming=Streaming(enabled=True, first_chunk=first))
            card = CandidateCard(index, seed, request, self.form.language_name(), SAMPLE_RATE)
            card.play_requested.connect(self.toggle_play)
            card.keep_requested.connect(self.keep)
            card.discard_requested.connect(self.discard)
            self.ctx.playback.watch_output(card.set_output)
            self.cards.append(card)
            self.shelf.add(card)
        self._pending = list(self.cards)
        self._set_generating(True)
        self._next()
        return len(self.cards)

    def _next(self) -> None:
        if not self._pending:
            self._active = None
            self._set_generating(False)
            done = sum(1 for c in self.cards if c.finished)
            self.status.setText(f"{done} candidate{'s' if done != 1 else ''} ready. Listen "
                                "to each, then keep the one you like." if done else "")
            return
        card = self._pending.pop(0)
        job = self.ctx.inference.speak(card.request)
        job.chunk.connect(partial(self._on_chunk, card))
        job.finished.connect(partial(self._on_finished, card))
        job.failed.connect(partial(self._on_failed, card))
        job.cancelled.connect(partial(self._on_cancelled, card))
        self._jobs[card] = job
        self._active = card
        card.begin(job.track)
        self.status.setText(f"Generating candidate {card.index} of {len(self.cards)}…")

    def stop(self) -> None:
        """Cancel the running candidate and drop the queued ones; finished ones stay."""
        for card in self.cards:
            self.ctx.playback.stop(card)
        if not self.generating:
            return
        for card in self._pending:
            self._remove(card)
        self._pending = []
        card, self._active = self._active, None
        if card is not None:
            self._jobs[card].cancel()
            if len(card.audio):
                card.stopping()  # its partial take still arrives and is shown
            else:
                self._remove(card)
        self._set_generating(False)
        self.status.setText("Stopped.")

    def _set_generating(self, on: bool) -> None:
        self.generate_button.setEnabled(not on)
        self.stop_button.setEnabled(on)

    def _on_chunk(self, card: CandidateCard, _start: int, _end: int) -> None:
        if card not in self._jobs:
            return  # discarded meanwhile
        card.grew()
        if self._active is card:
            self.status.setText(f"Generating candidate {card.index} of {len(self.cards)}: "
                                f"{card.wave.duration:.1f} s of audio")

    def _on_finished(self, card: CandidateCard, take: Take) -> None:
        if self._jobs.pop(card, None) is None:
            return
        if len(take.audio) == 0:
            self._remove(card)
        else:
            card.finish(take)
            card.allow_keep(not self.keeper.busy)
            show_take_notices(self, self.notice, take, with_message=False)
        if self._active is card:
            self._next()

    def _on_failed(self, card: CandidateCard, message: str) -> None:
        if self._jobs.pop(card, None) is None:
            return
        if self._active is card:
            for other in self._pending:  # they would fail the same way
                self._remove(other)
            self._pending = []
            self._active = None
            self._set_generating(False)
            self.status.setText("")
        self._remove(card)  # a failed take has nothing to keep
        self.notice.show_message(message, "error")

    def _on_cancelled(self, card: CandidateCard) -> None:
        if self._jobs.pop(card, None) is None:
            return
        self._remove(card)  # stopped before it made anything
        if self._active is card:
            self._next()

    # --- the cards -----------------------------------------------------------------------

    def _remove(self, card: CandidateCard) -> None:
        self.ctx.playback.stop(card)
        job = self._jobs.pop(card, None)
        if job is not None:
            job.cancel()
        if card in self.cards:
            self.cards.remove(card)
        self.shelf.remove(card)

    def _clear_cards(self) -> None:
        for card in list(self.cards):
            self._remove(card)

    def discard(self, card: CandidateCard) -> None:
        """The user's ✕: a deliberate choice, so no question is asked."""
        if self.keeper.card is card:
            return
        active = self._active is card
        if card in self._pending:
            self._pending.remove(card)
        self._remove(card)
        if active:
            self._active = None
            self._next()
        if not self.cards:
            self.status.setText("")

    def toggle_play(self, card: CandidateCard) -> None:
        playback = self.ctx.playback
        if playback.owner is card and playback.state in ("playing", "buffering"):
            playback.stop(card)
            return
        if not playback.play(card.audio, card.sample_rate, card):
            self.notice.show_message(f"Cannot play the candidate: {playback.last_error}",
                                     "error")

    def _card_of(self, owner: object) -> CandidateCard | None:
        return next((c for c in self.cards if c is owner), None)

    def _on_position(self, owner: object, seconds: float) -> None:
        card = self._card_of(owner)
        if card is not None:
            card.set_playhead(seconds)

    def _on_play_state(self, owner: object, state: str) -> None:
        card = self._card_of(owner)
        if card is not None:
            card.set_playing(state in ("playing", "buffering"))
            if state in ("idle", "finished"):
                card.set_playhead(None)

    # --- keeping -------------------------------------------------------------------------

    def default_name(self, card: CandidateCard) -> str:
        """The preset's name if the description is still the preset's, else its first words."""
        description = (card.request.instruct or "").strip()
        preset = self.form.preset
        if preset is not None and description == preset.description.strip():
            return suggest_name(self.ctx.library, preset.name)
        return suggest_name(self.ctx.library, first_words(description) or "Designed voice")

    def keep(self, card: CandidateCard) -> None:
        """Save the candidate as a voice (its name asked first): see design_keep.py."""
        self.keeper.keep(card, self.default_name(card))

    # --- the page ------------------------------------------------------------------------

    def has_unsaved_work(self) -> bool:
        return any(card.unsaved for card in self.cards)

    def unsaved_description(self) -> str:
        n = sum(1 for card in self.cards if card.unsaved)
        return (f"{n} designed voice candidate{'s' if n != 1 else ''} you have not kept "
                "(keep one to save it as a voice)")

    def shutdown(self) -> None:
        self._pending = []
        for job in self._jobs.values():
            job.cancel()
        self.keeper.cancel()
        self._active = None
        for card in self.cards:
            self.ctx.playback.stop(card)
