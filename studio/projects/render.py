"""Render a project's blocks: what is missing or stale, or one chapter, or chosen blocks.

Each block is spoken through the same engine call as ``voice-studio speak`` (one take per
block). The project stays in memory for the whole render (a LiveProject, shared with the
window when it has the project open), so a finished block costs no re-reading of
project.json. A finished take is written atomically into ``takes/`` and only then named in
the project, whose writer saves project.json atomically as soon as it can: cancel keeps
every block already finished, and a process killed at any moment (kill -9) leaves every
block the file names intact and none half-written; the next render continues with what is
still missing or stale. A take file a kill left unnamed is removed when the next render
starts. While a render runs, its note (resume.py) says so, for the next start to offer.

Every new take is checked by ear when a recognition model is there (earcheck.py); a flagged
take is rendered again with new seeds up to ``retries`` times, every take kept and the best
matching one chosen.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studio.audio.samplerate import SAMPLE_RATE
from studio.engine.options import Sampling
from studio.engine.speak_request import SpeakRequest
from studio.engine.take import CANCELLED, Take
from studio.errors import InvalidInput
from studio.projects import cast, earcheck, lexicon, resume, stale
from studio.projects.audiofiles import read_audio, write_flac
from studio.projects.earcheck import EarCheck
from studio.projects.live import LiveProject
from studio.projects.schema import TAKES_DIR, BlockTake, LexiconEntry, Project
from studio.projects.store import ProjectStore

FRAME_RATE = 12.5


@dataclass(frozen=True)
class Progress:
    done: int  # blocks finished in this render
    total: int
    label: str  # "block 3 of 12 (Alice)"
    elapsed_s: float
    eta_s: float | None  # time left, once one block has been timed
    block_id: str | None = None  # the block being rendered now (None: done)


@dataclass
class RenderReport:
    rendered: int = 0
    takes: int = 0
    flagged: list[str] = field(default_factory=list)  # "#3: “word” (heard “other”)"
    failed: list[str] = field(default_factory=list)
    cancelled: bool = False
    checked: bool = False  # whether takes were checked by ear
    seconds: float = 0.0  # of audio rendered


def select(project: Project, entries: list[LexiconEntry], library: Any,
           chapter: int | None = None, blocks: tuple[int, int] | None = None,
           again: bool = False) -> list[str]:
    """Ids of the blocks to render: missing or stale (all with ``again``) within one chapter
    (1-based) and/or a range of block numbers (1-based, across the project)."""
    if chapter is not None and not 1 <= chapter <= len(project.chapters):
        raise InvalidInput(f"There is no chapter {chapter}; the project has "
                           f"{len(project.chapters)}.")
    numbered = list(enumerate(project.blocks(), start=1))
    if blocks is not None:
        a, b = blocks
        if not 1 <= a <= b <= len(numbered):
            raise InvalidInput(f"Blocks {a}-{b} are not in the project; it has blocks 1-"
                               f"{len(numbered)}.")
    out = []
    for number, (ch, block) in numbered:
        if chapter is not None and ch is not project.chapters[chapter - 1]:
            continue
        if blocks is not None and not blocks[0] <= number <= blocks[1]:
            continue
        if again or stale.state(project, block, entries, library) != stale.FRESH:
            out.append(block.id)
    return out


def check_cast(project: Project, block_ids: list[str], library: Any) -> list[str]:
    """The speakers of ``block_ids``; a clear error for one without a voice (or whose voice
    is gone), before any model is loaded."""
    names: list[str] = []
    for block_id in block_ids:
        speaker = project.block(block_id).speaker
        if speaker not in names:
            names.append(speaker)
    for name in names:
        member = project.member(name)
        if member is None or not member.voice:
            raise InvalidInput(
                f"{name!r} speaks in the script but has no voice yet. Cast it first, "
                f"e.g. voice-studio project cast \"{project.name}\" \"{name}=Vivian\".")
        cast.voice_of(member, library)
    return names


class Renderer:
    """Renders blocks of one project through an EngineThread (or anything with its
    ``stream``); ``cancel()`` may be called from any thread."""

    def __init__(self, store: ProjectStore, project_id: str, engine: Any, library: Any = None,
                 checker: EarCheck | None = None, shared: list[LexiconEntry] | None = None,
                 on_progress: Callable[[Progress], None] | None = None,
                 max_seconds: float | None = None, live: LiveProject | None = None) -> None:
        self.store, self.project_id, self.engine = store, project_id, engine
        self.live = live  # the window's open copy, else loaded when the render starts
        self.max_seconds = max_seconds  # a cap on each take for this render (drafts, tests)
        self.library, self.checker = library, checker
        self.shared = list(shared or [])
        self.on_progress = on_progress
        self._cancel = threading.Event()
        self._interrupted = False
        self._written: set[str] = set()  # take ids given out by this render
        self._stream: Any = None

    def interrupt(self) -> None:
        """Stop because the app is closing: unlike ``cancel``, the next start offers to
        resume."""
        self._interrupted = True
        self.cancel()

    def cancel(self) -> None:
        self._cancel.set()
        stream = self._stream
        if stream is not None:
            stream.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- the engine ------------------------------------------------------------------------

    def _speak(self, request: SpeakRequest) -> Take | None:
        """One take through the engine, as `speak` makes it; None when cancelled."""
        if self.cancelled:
            return None
        stream = self.engine.stream(request)
        self._stream = stream
        try:
            if self.cancelled:
                stream.cancel()
            for _chunk in stream:
                pass
            take = stream.result()
        finally:
            self._stream = None
        return None if take.stop_reason == CANCELLED or self.cancelled else take

    # -- rendering -------------------------------------------------------------------------

    def _live(self) -> LiveProject:
        if self.live is None:
            self.live = LiveProject.load(self.store, self.project_id)
        return self.live

    def run(self, block_ids: list[str], retries: int | None = None) -> RenderReport:
        live = self._live()
        with self.store.render_lock(live.project):
            resume.mark(self.store, live.project, block_ids)
            try:
                return self._run(live, block_ids, retries)
            finally:
                try:
                    live.flush()
                finally:
                    if not self._interrupted:
                        resume.clear(self.store, live.id)

    def _run(self, live: LiveProject, block_ids: list[str],
             retries: int | None) -> RenderReport:
        with live.writes_paused(), live.lock:
            project = live.project
            self.store.sweep_takes(project)
            entries = lexicon.merged(project.lexicon, self.shared)
            retries = project.settings.retries if retries is None else max(0, retries)
            known = {x.id for _c, x in project.blocks()}
            block_ids = [b for b in block_ids if b in known]
            total_chars = sum(len(project.block(b).text) for b in block_ids) or 1
            numbers = {b.id: n for n, (_c, b) in enumerate(project.blocks(), start=1)}
        report = RenderReport(checked=self.checker is not None)
        try:
            self._prepare(project, block_ids)
        except InterruptedError:
            report.cancelled = True
            return report
        self._note_check(project)
        done_chars = 0
        started = time.monotonic()
        for k, block_id in enumerate(block_ids):
            if self.cancelled:
                report.cancelled = True
                break
            try:
                block = live.read(lambda p, b=block_id: p.block(b))
            except KeyError:
                continue  # deleted while rendering
            elapsed = time.monotonic() - started
            eta = elapsed / done_chars * (total_chars - done_chars) if done_chars else None
            label = (f"block {numbers.get(block_id, k + 1)} ({k + 1} of {len(block_ids)}, "
                     f"{block.speaker})")
            self._progress(Progress(k, len(block_ids), label, elapsed, eta, block_id))
            try:
                finished = self._render_block(project, block_id, entries, retries, report,
                                              numbers.get(block_id, k + 1))
            except KeyError:
                continue  # deleted while rendering
            if not finished:
                report.cancelled = self.cancelled
                if report.cancelled:
                    break
            done_chars += len(block.text)
        if not report.cancelled:
            self._progress(Progress(len(block_ids), len(block_ids), "done",
                                    time.monotonic() - started, 0.0))
        return report

    def _progress(self, progress: Progress) -> None:
        if self.on_progress is not None:
            self.on_progress(progress)

    def _prepare(self, project: Project, block_ids: list[str]) -> None:
        """Every speaker cast (clear error before any work), design voices pinned."""
        for name in check_cast(project, block_ids, self.library):
            member = project.member(name)
            if member is not None and cast.needs_keep(member) and not self.cancelled:
                cast.keep_design_voice(project, member, self.store.path(project),
                                       self.library, lambda r: self._must(self._speak(r)))
                self._commit(lambda _p: None)  # the member and notes changed in place

    @staticmethod
    def _must(take: Take | None) -> Take:
        if take is None:
            raise InterruptedError
        return take

    def _note_check(self, project: Project) -> None:
        note = None if self.checker is not None else earcheck.SKIPPED_NOTE
        if project.notes.get(earcheck.NOTE_KEY) != note:
            def apply(fresh: Project) -> None:
                if note is None:
                    fresh.notes.pop(earcheck.NOTE_KEY, None)
                else:
                    fresh.notes[earcheck.NOTE_KEY] = note
            self._commit(apply)

    def _render_block(self, project: Project, block_id: str, entries: list[LexiconEntry],
                      retries: int, report: RenderReport, number: int) -> bool:
        live = self._live()
        with live.lock:
            block = project.block(block_id)
            member = project.member(block.speaker)
            assert member is not None
            text = stale.spoken(block, entries)
            fingerprint = stale.fingerprint(project, block, entries, self.library)
            cap = self.max_seconds or project.settings.max_seconds
            language, instruct = block.language, block.instruct
        folder = self.store.path(project)
        best: BlockTake | None = None
        for _attempt in range(retries + 1):
            sampling = Sampling(seed=secrets.randbelow(2**31 - 1),
                                max_frames=int(round(cap * FRAME_RATE)) if cap else None)
            with live.lock:
                request = cast.request(project, member, text, language, instruct,
                                       self.library, folder, sampling)
            take = self._speak(request)
            if take is None:
                return False
            if not take.audio.size:
                report.failed.append(f"#{number}: the model produced no audio")
                continue
            new = self._save_take(project, block_id, take, fingerprint)
            new.settings = dict(max_seconds=cap, stop_reason=take.stop_reason)
            if self.checker is not None:
                new.check = self.checker.check(take.audio, take.sample_rate, text, language)
            choose = best is None or earcheck.better(new.check, best.check)
            self._commit(lambda fresh, t=new, c=choose: _add_take(fresh, block_id, t, c))
            report.takes += 1
            report.seconds += take.duration_s
            if choose:
                best = new
            if new.check is None or not new.check.flagged:
                break
        if best is None:
            return True
        report.rendered += 1
        if best.check is not None and best.check.flagged:
            report.flagged.append(f"#{number}: " + "; ".join(best.check.differences[:3]))
        return True

    def check_chosen(self, block_ids: list[str]) -> list[str]:
        """Hear the chosen takes of ``block_ids`` again, from their files as they are now,
        and store the results; returns the ids of the flagged blocks."""
        if self.checker is None:
            raise InvalidInput("Checking by ear needs a speech recognition model "
                               "('voice-studio models download whisper-small').")
        live = self._live()
        project = live.project
        entries = lexicon.merged(project.lexicon, self.shared)
        flagged = []
        for block_id in block_ids:
            with live.lock:
                block = project.block(block_id)
                take = block.chosen_take
                spoken, language = stale.spoken(block, entries), block.language
            if take is None:
                continue
            audio = read_audio(self.store.path(project) / take.file)
            result = self.checker.check(audio, SAMPLE_RATE, spoken, language)
            if result.flagged:
                flagged.append(block_id)

            def apply(fresh: Project, b: str = block_id, t: str = take.id,
                      r: Any = result) -> None:
                for candidate in fresh.block(b).takes:
                    if candidate.id == t:
                        candidate.check = r
            self._commit(apply)
        live.flush()
        return flagged

    def _save_take(self, project: Project, block_id: str, take: Take,
                   fingerprint: str) -> BlockTake:
        """The take's audio written whole into takes/ under an id no take of the block has;
        the project names it only once the caller commits it."""
        with self._live().lock:
            used = {t.id for t in project.block(block_id).takes}
            n = 1
            while f"{block_id}-{n}" in used or f"{block_id}-{n}" in self._written:
                n += 1
            take_id = f"{block_id}-{n}"
            self._written.add(take_id)
        rel = f"{TAKES_DIR}/{take_id}.flac"
        write_flac(self.store.path(project) / rel, take.audio, take.sample_rate)
        return BlockTake(take_id, rel, take.seed, int(take.audio.size), fingerprint,
                         take.model_name)

    def _commit(self, change: Callable[[Project], None]) -> None:
        """Apply ``change`` to the project in memory; its writer saves it atomically, with
        the next change or within a second."""
        self._live().edit(change, can_wait=True)


def _add_take(project: Project, block_id: str, take: BlockTake, choose: bool) -> None:
    try:
        block = project.block(block_id)
    except KeyError:
        return  # the block was deleted meanwhile; its file is swept next time
    block.takes = [t for t in block.takes if t.id != take.id] + [take]
    if choose or block.chosen_take is None:
        block.chosen = take.id

