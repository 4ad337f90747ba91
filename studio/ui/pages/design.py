"""Design: describe a voice in words, generate a few candidates side by side, keep one.

Kept candidates become saved "designed" voices: the candidate's audio is turned into a clone
prompt by a Base model, so the voice can speak any text afterwards, and the recipe
(description, seed, sampling) is stored so it can be made again.

Candidates are generated one after another (the next request is submitted when the previous
one reports back), so Stop only has one running request to cancel and nothing queued in the
worker, and a Keep's prompt request never waits behind a whole batch.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.engine.options import Streaming
from studio.engine.speak_request import DESIGN, PromptRequest, SpeakRequest
from studio.errors import StudioError
from studio.library.errors import InvalidName
from studio.library.schema import MAX_DESCRIPTION, Recipe
from studio.ui.context import AppContext
from studio.ui.pages.base import Page
from studio.ui.shortcuts import RUN, STOP, add_shortcuts
from studio.ui.widgets.candidate_card import CandidateCard, CandidateShelf
from studio.ui.widgets.design_form import GUIDANCE, DesignForm
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.voice_name import ask_name, first_words, suggest_name

SR = 24000
MIN_KEEP_SECONDS = 1.0  # what the Base model's prompt builder accepts (engine/reference.py)


class DesignPage(Page):
    def __init__(self, ctx: AppContext, notice: NoticeBar) -> None:
        super().__init__(ctx, notice)
        self.max_frames: int | None = None  # a length cap for every candidate (tests)
        self.cards: list[CandidateCard] = []
        self._pending: list[CandidateCard] = []  # not submitted yet
        self._active: tuple[int, CandidateCard] | None = None  # the running request
        self._owned: dict[int, CandidateCard] = {}  # request id -> card, until it reports
        self._keep: tuple[int, CandidateCard, str] | None = None  # prompt request, card, name

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

        w = ctx.inference.worker
        w.chunk.connect(self._on_chunk)
        w.finished.connect(self._on_finished)
        w.failed.connect(self._on_failed)
        w.prompt_ready.connect(self._on_prompt)
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
        if self._keep is not None:
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
                                   instruct=description, sampling=sampling,
                                   streaming=Streaming(enabled=True, first_chunk=first))
            card = CandidateCard(index, seed, request, self.form.language_name(), SR)
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
        request_id = self.ctx.inference.speak(card.request)
        self._owned[request_id] = card
        self._active = (request_id, card)
        card.begin()
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
        if self._active is not None:
            request_id, card = self._active
            self.ctx.inference.cancel(request_id)
            if len(card.audio):
                card.stopping()  # its partial take still arrives and is shown
            else:
                self._owned.pop(request_id, None)
                self._remove(card)
        self._active = None
        self._set_generating(False)
        self.status.setText("Stopped.")

    def _set_generating(self, on: bool) -> None:
        self.generate_button.setEnabled(not on)
        self.stop_button.setEnabled(on)

    def _on_chunk(self, request_id: int, chunk: np.ndarray) -> None:
        card = self._owned.get(request_id)
        if card is None:
            return  # another page's request, or one this page stopped showing
        card.append(chunk)
        if self._active is not None and self._active[1] is card:
            self.status.setText(f"Generating candidate {card.index} of {len(self.cards)}: "
                                f"{card.wave.duration:.1f} s of audio")

    def _on_finished(self, request_id: int, take: Any) -> None:
        card = self._owned.pop(request_id, None)
        if card is None:
            return
        if len(take.audio) == 0:
            self._remove(card)
        else:
            card.finish(take)
            card.allow_keep(self._keep is None)
        if self._active is not None and self._active[0] == request_id:
            self._next()

    def _on_failed(self, request_id: int, message: str) -> None:
        if self._keep is not None and self._keep[0] == request_id:
            self._keep_failed(message)
            return
        card = self._owned.pop(request_id, None)
        if card is None:
            return
        was_active = self._active is not None and self._active[0] == request_id
        if was_active:
            for other in self._pending:  # they would fail the same way
                self._remove(other)
            self._pending = []
            self._active = None
            self._set_generating(False)
            self.status.setText("")
        self._remove(card)  # a failed take has nothing to keep
        self.notice.show_message(message, "error")

    # --- the cards -----------------------------------------------------------------------

    def _remove(self, card: CandidateCard) -> None:
        self.ctx.playback.stop(card)
        if card in self.cards:
            self.cards.remove(card)
        self.shelf.remove(card)

    def _clear_cards(self) -> None:
        for card in list(self.cards):
            self._remove(card)
        self._owned = {rid: c for rid, c in self._owned.items() if c in self.cards}

    def discard(self, card: CandidateCard) -> None:
        """The user's ✕: a deliberate choice, so no question is asked."""
        if self._keep is not None and self._keep[1] is card:
            return
        if self._active is not None and self._active[1] is card:
            self.ctx.inference.cancel(self._active[0])
            self._owned.pop(self._active[0], None)
            self._active = None
            self._remove(card)
            self._next()
        else:
            if card in self._pending:
                self._pending.remove(card)
            self._owned = {rid: c for rid, c in self._owned.items() if c is not card}
            self._remove(card)
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

    def ask_name(self, default: str, problem: str = "") -> str | None:
        return ask_name(self, self.ctx.library, default, problem)

    def keep(self, card: CandidateCard) -> None:
        """Ask for a name, then have a Base model turn the candidate into a clone prompt."""
        if self._keep is not None or not card.finished or card.kept_as is not None:
            return
        if card.duration < MIN_KEEP_SECONDS:
            self.notice.show_message(
                f"This candidate is only {card.duration:.1f} s long; a kept voice needs at "
                "least 1 s of speech (5-15 s is best). Use a longer sample sentence and "
                "generate again.", "warning")
            return
        name = self.ask_name(self.default_name(card))
        if name is None:
            return
        request = PromptRequest(np.asarray(card.audio, np.float32), card.sample_rate,
                                transcript=card.request.text, x_vector_only=False)
        self._keep = (self.ctx.inference.make_prompt(request), card, name)
        self._lock_keeping(card)
        self.status.setText(f"Saving “{name}”: analysing the candidate with a Base model…")

    def _lock_keeping(self, card: CandidateCard | None) -> None:
        for other in self.cards:
            other.allow_keep(card is None)
        if card is not None:
            card.set_keeping(True)

    def _on_prompt(self, request_id: int, prompt: Any) -> None:
        if self._keep is None or self._keep[0] != request_id:
            return
        _, card, name = self._keep
        self._keep = None
        card.set_keeping(False)
        self._lock_keeping(None)
        self._save(card, name, prompt)

    def _save(self, card: CandidateCard, name: str, prompt: Any) -> None:
        take, request, sampling = card.take, card.request, card.request.sampling
        recipe = Recipe(instruct=request.instruct or "", sample_text=request.text,
                        language=card.language_name, seed=int(take.seed),
                        model=take.model_name,
                        params=dict(temperature=sampling.temperature, top_k=sampling.top_k,
                                    top_p=sampling.top_p,
                                    repetition_penalty=sampling.repetition_penalty))
        while True:
            try:
                entry = self.ctx.library.create(
                    name, prompt=prompt, kind="designed", audio=card.audio,
                    sample_rate=card.sample_rate, transcript=request.text,
                    language=card.language_name, description=request.instruct or "",
                    recipe=recipe, model=prompt.model_name or None)
                break
            except InvalidName as exc:  # taken meanwhile: ask again, the prompt is ready
                retry = self.ask_name(name, str(exc))
                if retry is None:
                    self.status.setText("Not saved; the candidate is still here.")
                    return
                name = retry
            except StudioError as exc:
                self.status.setText("")
                self.notice.show_message(f"Could not save the voice: {exc} The candidate is "
                                         "still here; try keeping it again.", "error")
                return
        card.mark_kept(entry.name)
        self.status.setText(f"Saved “{entry.name}”.")
        self.notice.show_message(f"Saved “{entry.name}” to your voices. It can now speak any "
                                 "text: choose it in the list on the left.", "info")
        self.voice_saved.emit(f"saved:{entry.id}")

    def _keep_failed(self, message: str) -> None:
        _, card, _ = self._keep
        self._keep = None
        card.set_keeping(False)
        self._lock_keeping(None)
        self.status.setText("Not saved; the candidate is still here.")
        action = None
        window = self.window()
        if "Model manager" in message and hasattr(window, "open_model_manager"):
            action = ("Open model manager", window.open_model_manager)
        self.notice.show_message(f"Could not keep the voice: {message} Nothing was lost: the "
                                 "candidate stays here, keep it again when that is done.",
                                 "error", action=action)

    # --- the page ------------------------------------------------------------------------

    def has_unsaved_work(self) -> bool:
        return any(card.unsaved for card in self.cards)

    def unsaved_description(self) -> str:
        n = sum(1 for card in self.cards if card.unsaved)
        return (f"{n} designed voice candidate{'s' if n != 1 else ''} you have not kept "
                "(keep one to save it as a voice)")

    def shutdown(self) -> None:
        self._pending = []
        for request_id in list(self._owned) + ([self._keep[0]] if self._keep else []):
            self.ctx.inference.cancel(request_id)
        self._active = None
        self._keep = None
        for card in self.cards:
            self.ctx.playback.stop(card)
