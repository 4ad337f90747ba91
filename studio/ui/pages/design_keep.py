"""Keeping a designed candidate: ask for a name and save the voice its take drew and fixed
(studio.engine.design_voice: the clone prompt a Base model made from it, so the voice can
speak any text) with the recipe that made it, as every kept design voice is saved
(studio.library.design_voices.save_designed). A candidate made while no Base model was on
disk is fixed at keep time, by a Base model job. One keep at a time; a failure loses
nothing: the candidate stays on its card."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from studio.engine.drawn_voice import DrawnVoice
from studio.engine.prompts import VoicePrompt
from studio.engine.speak_request import PromptRequest
from studio.errors import StudioError
from studio.library.design_voices import save_designed
from studio.library.errors import InvalidName
from studio.ui.context import AppContext
from studio.ui.jobs import Job
from studio.ui.widgets.candidate_card import CandidateCard
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.voice_name import ask_name

MIN_KEEP_SECONDS = 1.0  # what the Base model's prompt builder accepts (engine/reference.py)


class CandidateKeeper(QObject):
    saved = Signal(str)  # the saved voice's key ("saved:<id>")

    def __init__(self, ctx: AppContext, notice: NoticeBar, status: QLabel, page: QWidget,
                 cards: Callable[[], list[CandidateCard]]) -> None:
        super().__init__(page)
        self.ctx, self.notice, self.status, self.page = ctx, notice, status, page
        self._cards = cards
        self.card: CandidateCard | None = None  # the one being kept
        self._name = ""
        self._job: Job | None = None  # its prompt being built

    @property
    def busy(self) -> bool:
        return self.card is not None

    def ask_name(self, default: str, problem: str = "") -> str | None:
        return ask_name(self.page, self.ctx.library, default, problem)

    def keep(self, card: CandidateCard, default_name: str) -> None:
        """Ask for a name, then have a Base model turn the candidate into a clone prompt."""
        if self.busy or not card.finished or card.kept_as is not None:
            return
        if card.duration < MIN_KEEP_SECONDS:
            self.notice.show_message(
                f"This candidate is only {card.duration:.1f} s long; a kept voice needs at "
                "least 1 s of speech (5-15 s is best). Use a longer sample sentence and "
                "generate again.", "warning")
            return
        name = self.ask_name(default_name)
        if name is None:
            return
        if card.take is not None and card.take.voice is not None:
            self._save(card, name, card.take.voice)
            return
        request = PromptRequest(np.asarray(card.audio, np.float32), card.sample_rate,
                                transcript=card.request.text, x_vector_only=False)
        self.card, self._name = card, name
        self._job = job = self.ctx.inference.make_prompt(request)
        job.finished.connect(self._prompt_ready)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._release)
        self._lock(card)
        self.status.setText(f"Saving “{name}”: analysing the candidate with a Base model…")

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
        self._release()

    def _lock(self, card: CandidateCard | None) -> None:
        """While one card is kept, the others cannot be."""
        for other in self._cards():
            other.allow_keep(card is None)
        if card is not None:
            card.set_keeping(True)

    def _release(self) -> CandidateCard | None:
        card, self.card, self._job = self.card, None, None
        if card is not None:
            card.set_keeping(False)
        self._lock(None)
        return card

    def _prompt_ready(self, prompt: VoicePrompt) -> None:
        card = self._release()
        if card is not None and card.take is not None:
            request = card.request
            voice = DrawnVoice(prompt, card.audio, card.sample_rate, request.instruct or "",
                               request.language, int(card.take.seed), card.take.model_name,
                               request.sampling)
            self._save(card, self._name, voice)

    def _save(self, card: CandidateCard, name: str, voice: DrawnVoice) -> None:
        while True:
            try:
                entry = save_designed(self.ctx.library, name, voice, card.language_name)
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
        self.saved.emit(f"saved:{entry.id}")

    def _failed(self, message: str) -> None:
        self._release()
        self.status.setText("Not saved; the candidate is still here.")
        action = None
        window = self.page.window()
        if "Model manager" in message and hasattr(window, "open_model_manager"):
            action = ("Open model manager", window.open_model_manager)
        self.notice.show_message(f"Could not keep the voice: {message} Nothing was lost: the "
                                 "candidate stays here, keep it again when that is done.",
                                 "error", action=action)
