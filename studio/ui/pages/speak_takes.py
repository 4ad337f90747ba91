"""The Speak page's takes and the take history on disk: every finished take is kept there
(audio, text, voice, seed, settings, time), the list is read back when the window opens,
Delete removes the files, and a take from an earlier session can be made again from
what was kept. A take the history could not keep (a full disk) stays in memory and
counts as unsaved work, so quitting asks first."""

from __future__ import annotations

from studio.engine.speak_request import SpeakRequest
from studio.engine.take import Take
from studio.errors import StudioError
from studio.library.anyvoice import resolve
from studio.ui.context import AppContext
from studio.ui.take_records import TakeRecord, from_history, remake, settings_of
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.take_history import TakeHistory


class SpeakTakes:
    """The history's side of the page's take list (``history``, the widget)."""

    def __init__(self, ctx: AppContext, notice: NoticeBar, history: TakeHistory) -> None:
        self.ctx, self.notice, self.history = ctx, notice, history
        history.deleted.connect(self.delete)

    def reload(self) -> None:
        """Show the history as on disk (a shorter retention may have trimmed it), with the
        takes it could not keep still in the list."""
        unkept = self.unkept()
        self.history.set_records(sorted([*unkept, *self.load()], key=lambda r: r.created,
                                        reverse=True))

    def load(self) -> list[TakeRecord]:
        """The history's takes, newest first (none if it cannot be read: said why)."""
        try:
            return [from_history(t) for t in self.ctx.history.list()]
        except StudioError as exc:
            self.notice.show_message(str(exc), "warning")
            return []

    def keep(self, take: Take, request: SpeakRequest | None, voice: tuple[str, str]
             ) -> TakeRecord:
        """A finished take as a record, kept in the history when the disk allows;
        ``voice``: the key and name of the voice that made it."""
        speed = self.ctx.pool.speed
        settings = settings_of(request, speed)
        mode = settings.get("speed", speed)
        name = voice[1] + (" · fast" if mode == "fast" else "")
        record = TakeRecord(text=request.text if request else "", voice_name=name,
                            voice_key=voice[0], seed=int(take.seed),
                            sample_rate=take.sample_rate,
                            duration_s=len(take.audio) / float(take.sample_rate),
                            request=request, stop_reason=take.stop_reason, settings=settings,
                            audio_data=take.audio)
        try:
            record.stored = self.ctx.history.add(
                take.audio, take.sample_rate, text=record.text, voice_key=record.voice_key,
                voice_name=name, seed=record.seed, stop_reason=take.stop_reason,
                settings=settings)
        except StudioError as exc:
            self.notice.show_message(str(exc), "warning")
        return record

    def delete(self, records: list[TakeRecord]) -> None:
        """The user deleted these from the list: their files go too."""
        for record in records:
            if record.stored is None:
                continue
            try:
                self.ctx.history.delete(record.stored.id)
            except StudioError as exc:
                self.notice.show_message(f"Could not delete the take's files: {exc}", "error")

    @staticmethod
    def voice_of(record: TakeRecord) -> tuple[str, str]:
        """The key and name of the voice that made ``record`` (its name without ' · fast')."""
        return record.voice_key, record.voice_name.removesuffix(" · fast")

    def remake(self, record: TakeRecord, seed: int, other_mode: bool = False
               ) -> SpeakRequest | None:
        """The request that makes ``record`` again with ``seed`` (in the other speed mode:
        exact <-> fast), or None after saying why not."""
        speed = None
        if other_mode:
            mode = record.settings.get("speed") or self.ctx.pool.speed
            speed = "exact" if mode == "fast" else "fast"
        try:
            ref = None if record.request is not None else resolve(
                record.voice_key, self.ctx.library, self.ctx.presets)
            return remake(record, ref, self.ctx.library, seed,
                          max(1, int(self.ctx.settings.first_chunk_frames)), speed)
        except StudioError as exc:
            self.notice.show_message(f"This take cannot be made again: {exc}", "warning")
            return None

    def unkept(self) -> list[TakeRecord]:
        """The takes in the list that the history could not keep (only in memory)."""
        return [r for r in self.history.records if r.stored is None]

    @staticmethod
    def describe_unkept(n: int) -> str:
        them = "them" if n != 1 else "it"
        return (f"{n} take{'s' if n != 1 else ''} the take history could not keep (export "
                f"{them} to save {them})")
