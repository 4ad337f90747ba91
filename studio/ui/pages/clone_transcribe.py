"""The Clone page's Transcribe button and transcript check.

Transcribe sends the selected audio to the transcription thread (studio.ui.transcription)
and never waits for it: the job it gets back reports what was heard. What comes back is kept in clip time with the range it covers: the words
fill an empty transcript box (or the box the last Transcribe filled), and from then on
the typed transcript is compared with what was heard whenever either the text or the
selection changes. Differences are tinted in the text and on the waveform, and the
comparison is one more item of the reference check. A selection that reaches beyond the
transcribed part is not compared (the words there were never heard): Transcribe again.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio.asr.transcript_check import compare, words_within
from studio.audio.samplerate import SAMPLE_RATE
from studio.ui.jobs import Job, Step
from studio.ui.transcription import request_for

MIN_SECONDS = 0.3
SLACK_S = 0.05  # a selection this much wider than the transcribed part still counts


class CloneTranscriber(QObject):
    heard_changed = Signal(object)  # the Transcript, once the page has shown it
    failed = Signal(str)  # why a transcription ended without words (not on Stop)

    def __init__(self, page: Any) -> None:
        super().__init__(page)
        self.page = page
        self.form, self.workspace = page.form, page.workspace
        self.job: Job | None = None  # the transcription running
        self.heard: Any = None  # Transcript in clip time, for self.heard_serial's clip
        self.heard_serial = -1
        self.heard_range = (0.0, 0.0)
        self.check: Any = None  # the TranscriptCheck shown now
        self._filled = ""  # the text Transcribe put in the box (replaced by the next one)
        self._message = ""  # what the status says about the last transcription
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.workspace.refresh_report)
        self.form.transcribe_button.clicked.connect(self.toggle)
        self.form.transcript.textChanged.connect(self._text_changed)
        self.form.x_vector_only.toggled.connect(lambda _on: self.workspace.refresh_report())
        self.workspace.transcript_check = self._check_for
        self.workspace.selection_changed.connect(self._show)

    @property
    def busy(self) -> bool:
        return self.job is not None

    # --- transcribing ----------------------------------------------------------------------

    def toggle(self) -> None:
        if self.busy:
            self.stop()
        else:
            self.transcribe()

    def transcribe(self) -> Job | None:
        """Hear the selection; returns its job (None if there is nothing to hear)."""
        if self.busy:
            return None
        if self.workspace.clip is None:
            self.page.notice.show_message("Record or import a clip first, then Transcribe "
                                          "hears what is said in it.", "warning")
            return None
        a, b = self.workspace.selection()
        if b - a < MIN_SECONDS:
            self.page.notice.show_message("Select at least a second of speech to transcribe.",
                                          "warning")
            return None
        if not self.page.need_model("asr", "Transcribe"):
            return None
        ctx = self.page.ctx
        language = self.form.language.currentData()
        request = request_for(ctx.settings, ctx.pool, self.workspace.selected_audio(),
                              SAMPLE_RATE, None if language == "auto" else language, offset=a)
        self.job = job = ctx.transcription.transcribe(request)
        serial = self.workspace.serial
        job.progress.connect(partial(self._progress, job))
        job.finished.connect(partial(self._finished, job, serial, (a, b)))
        job.failed.connect(partial(self._failed, job))
        self.form.set_transcribing(True)
        self.form.transcript_status.setText("Starting the transcription model…")
        return job

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.job = None
        self.form.set_transcribing(False)
        self.form.transcript_status.setText("Stopped.")

    def _progress(self, job: Job, step: Step) -> None:
        if self.job is job:
            self.form.transcript_status.setText(f"{step.message}…")

    def _finished(self, job: Job, serial: int, covered: tuple[float, float],
                  transcript: Any) -> None:
        if self.job is not job:
            return  # stopped meanwhile
        self.job = None
        self.form.set_transcribing(False)
        if serial != self.workspace.serial:  # another clip meanwhile
            self.form.transcript_status.setText("")
            self.failed.emit("The clip changed meanwhile.")
            return
        self.heard, self.heard_serial, self.heard_range = transcript, serial, covered
        if transcript.empty:
            self._message = "No words were heard in the selection."
            self.form.transcript_status.setText(self._message)
            self.workspace.refresh_report()
            self.heard_changed.emit(transcript)
            return
        how = "detected" if transcript.language_detected else "as chosen"
        self._message = (f"Heard by {transcript.model} ({transcript.language_name}, {how}). "
                         "Check the words: recognition can mishear.")
        self.form.transcript_status.setText(self._message)
        typed = self.form.transcript_text()
        if not typed or typed == " ".join(self._filled.split()):
            self.use_heard()  # the box refreshes the report through textChanged
        else:
            self.page.notice.show_message(
                "Your transcript was kept and compared with what is heard: differences are "
                "highlighted.", "info", action=("Use what was heard", self.use_heard))
            self.workspace.refresh_report()
        self.heard_changed.emit(transcript)

    def use_heard(self) -> None:
        if self.heard is None:
            return
        self._filled = self.heard.text
        self.form.transcript.setPlainText(self.heard.text)
        self._debounce.stop()
        self.workspace.refresh_report()

    def _failed(self, job: Job, message: str) -> None:
        if self.job is not job:
            return
        self.job = None
        self.form.set_transcribing(False)
        self.form.transcript_status.setText("")
        self.failed.emit(message)
        window = self.page.window()
        action = None
        if "Model manager" in message and hasattr(window, "open_model_manager"):
            action = ("Open model manager", lambda: window.open_model_manager("asr"))
        self.page.notice.show_message(f"Could not transcribe the clip: {message}", "error",
                                      action=action)

    # --- the check -------------------------------------------------------------------------

    def _check_for(self, start: float, end: float) -> Any:
        """The comparison for the reference check, or None when there is nothing to compare."""
        self.check = None
        if self.heard is None or self.heard_serial != self.workspace.serial:
            return None
        if self.form.x_vector_only.isChecked() or not self.form.transcript_text():
            return None
        lo, hi = self.heard_range
        if start < lo - SLACK_S or end > hi + SLACK_S:
            return None
        self.check = compare(self.form.transcript.toPlainText(),
                             words_within(self.heard.words, start, end), end)
        return self.check

    def _show(self, _start: float = 0.0, _end: float = 0.0) -> None:
        """Tint the differences of the check the report was just made with."""
        check = self.check if self.workspace.report is not None else None
        self.form.highlight(check)
        self.workspace.editor.wave.set_marks(check.regions() if check is not None else [])
        stale = (self.heard is not None and self.heard_serial == self.workspace.serial
                 and check is None and self.form.transcript_text()
                 and not self.form.x_vector_only.isChecked())
        if not self.busy and self.heard is not None:
            self.form.transcript_status.setText(
                "The selection goes beyond the part that was transcribed: Transcribe again to "
                "check it." if stale else self._message)

    def _text_changed(self) -> None:
        if self.heard is not None:
            self._debounce.start()

    # --- the page --------------------------------------------------------------------------

    def reset(self) -> None:
        """A new clip: what was heard belongs to the old one."""
        if self.busy:
            self.stop()
        self.heard, self.check, self._message = None, None, ""
        self.heard_serial = -1
        self.form.transcript_status.setText("")
        self.form.highlight(None)
        self.workspace.editor.wave.set_marks([])

    def shutdown(self) -> None:
        self._debounce.stop()
        if self.job is not None:
            self.job.cancel()
        self.job = None
