"""A project held in memory while it is open or rendering, saved by a background writer.

Reading and rewriting project.json for every change costs a tenth of a second or more on a
2,000-block book; doing it per finished block, or on the window's thread per edit, stalls
the window. So whoever opens a project (the window, a render) keeps one ``LiveProject``:
every change is applied to the object in memory under its lock and returns at once, and a
writer thread saves the newest state (atomically: temporary file, fsync, rename), as soon
as the previous save is done, so changes made meanwhile share one write. ``flush()`` saves
now and waits: on close, at the end of a render; and ProjectStore.load in this process
calls it first, so whatever reads the file here (export, duplicate) sees every change. What
another program saves meanwhile is taken in by ``sync_from_disk`` unless this copy has
changes of its own still to save.

A kill -9 therefore loses at most the edits of the write then under way (tens of ms), and
a render's takes of the last second (their files are kept; a resumed render makes them
again); the file on disk is always a whole project as it was after some change.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from studio.errors import StudioError
from studio.projects.schema import PROJECT_FILE, Project
from studio.projects.store import ProjectStore

T = TypeVar("T")
WAIT_S = 1.0  # the longest a render's finished take waits to be saved


class LiveProject:
    """One open project; share one instance between the window and a render of it."""

    def __init__(self, store: ProjectStore, project: Project,
                 on_error: Callable[[StudioError], None] | None = None) -> None:
        self.store, self.project = store, project
        self.on_error = on_error  # called on the writer thread when a save fails
        self.lock = threading.RLock()  # held while the project is changed or copied
        self._write_lock = threading.RLock()  # one save at a time, newest state wins
        self._version = self._saved = 0
        self._writer: threading.Thread | None = None
        self._urgent = threading.Event()  # a change that should not wait is waiting
        self.error: StudioError | None = None  # the last failed save's, until one succeeds
        self._seen = self._signature()  # the file as this copy last read or wrote it
        store.open_copy(project.id, self)

    @classmethod
    def load(cls, store: ProjectStore, project_id: str) -> LiveProject:
        return cls(store, store.load(project_id))

    @property
    def id(self) -> str:
        return self.project.id

    def read(self, look: Callable[[Project], T]) -> T:
        """``look`` at the project while no other thread changes it."""
        with self.lock:
            return look(self.project)

    def edit(self, change: Callable[[Project], T], can_wait: bool = False) -> T:
        """Apply ``change`` in memory and have it saved soon; returns what it returned. A
        change should look up everything it needs before it changes anything (the core's
        edits do): one that raises is not saved until the next change. ``can_wait``: a
        render's finished take, saved with the next change or within ``WAIT_S`` (each save
        of a long book holds the interpreter ~15 ms; a kill meanwhile re-renders the take,
        whose file is on disk, on resume); a user's edit is saved at once."""
        with self.lock:
            result = change(self.project)
            self._version += 1
            if not can_wait:
                self._urgent.set()
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_while_dirty,
                                                name="project-writer", daemon=True)
                self._writer.start()
        return result

    @property
    def dirty(self) -> bool:
        return self._saved != self._version

    def flush(self) -> None:
        """Save every change made so far, now; raises the save's error (DiskFull...)."""
        self._save()
        if self.error is not None:
            raise self.error

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until the writer thread has saved everything; False if still writing."""
        writer = self._writer
        if writer is not None:
            writer.join(timeout)
        return not self.dirty

    def sync_from_disk(self) -> bool:
        """Take in what another program (the command line) saved since this copy last read
        or wrote the file; False when nothing changed, or this copy has changes of its own
        to save (they win)."""
        if self.dirty or not self._write_lock.acquire(blocking=False):
            return False  # this copy's own save is under way: never wait for it
        try:
            with self.lock:
                seen = self._signature()
                if self.dirty or seen == self._seen or seen is None:
                    return False
                fresh = self.store.load(self.project.id)
                vars(self.project).update(vars(fresh))  # the same object: a render keeps it
                self._seen = seen
                return True
        finally:
            self._write_lock.release()

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.store.path(self.project.id) / PROJECT_FILE)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    @contextlib.contextmanager
    def writes_paused(self) -> Iterator[None]:
        """No save starts or runs meanwhile (sweeping the folder's temporary files)."""
        with self._write_lock:
            yield

    def _write_while_dirty(self) -> None:
        try:
            while True:
                self._urgent.wait(WAIT_S)
                self._urgent.clear()
                saved = self._save()
                with self.lock:
                    if not saved or not self.dirty:
                        self._writer = None  # the next edit starts another (failed: retries)
                        return
        finally:  # also when reporting a failure raised (its window is gone)
            with self.lock:
                if self._writer is threading.current_thread():
                    self._writer = None

    def _save(self) -> bool:
        """Write the newest state if it is not on disk yet; False when the write failed."""
        with self._write_lock:
            with self.lock:
                version = self._version
                if version == self._saved:
                    return True
                data = self.store.snapshot(self.project)
            try:
                self.store.write_snapshot(self.project.id, data)
            except StudioError as exc:
                self.error = exc
                if self.on_error is not None:
                    self.on_error(exc)
                return False
            self.error = None
            self._saved = version
            self._seen = self._signature()
            return True
