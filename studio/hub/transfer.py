"""Moving the bytes: ranged streaming GETs that resume, retry and stop on cancel at once.

One file at a time into ``<file>.incomplete``, hashed on the way; a watcher thread shuts the
socket down on cancel so even a stalled read returns within about 0.1 s.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from pathlib import Path
from typing import Any

from studio.hub.client import HubClient, abort_response
from studio.hub.errors import (
    ChecksumMismatch,
    ConnectionLost,
    DiskFull,
    DownloadCancelled,
    DownloadError,
    HubUnreachable,
    TransientError,
)
from studio.hub.layout import PART_SUFFIX
from studio.hub.plan import DownloadPlan, PlannedFile
from studio.hub.progress import VERIFYING, ProgressReporter
from studio.hub.verify import check_config_is_model, new_hasher, verify_file

CHUNK = 1 << 16


class _CancelNow(Exception):
    pass


def write_chunk(fh: Any, data: bytes) -> None:
    """Every write to a partial file goes through here (tests replace it to fill the disk)."""
    fh.write(data)


def _is_disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


class TransferJob:
    """Fetches a plan's missing files into its staging folder, each one checked."""

    def __init__(self, client: HubClient, pl: DownloadPlan, report: ProgressReporter,
                 cancel: threading.Event, retries: int, watch_cancel: bool = True) -> None:
        self.client = client
        self.pl = pl
        self.report = report
        self.cancel = cancel
        self.retries = max(0, retries)
        self.watch = _CancelWatch(cancel, enabled=watch_cancel)

    def run(self, check_kind: str | None) -> None:
        # config.json first (to check the repo is a model before the weights), then small
        # files before large ones
        order = sorted(self.pl.files, key=lambda f: (f.path != "config.json", f.size, f.path))
        with self.watch:
            for f in order:
                if not f.complete:
                    self._fetch(f)
                self.report.file_complete(f)
                if f.path == "config.json" and check_kind:
                    check_config_is_model(self.pl, check_kind)

    def _cancelled(self) -> DownloadCancelled:
        return DownloadCancelled(self.pl.repo_id, self.report.done, self.report.total)

    # -- one file

    def _fetch(self, f: PlannedFile) -> None:
        dest = self.pl.staging / f.path
        part = dest.with_name(dest.name + PART_SUFFIX)
        part.parent.mkdir(parents=True, exist_ok=True)
        failures = 0
        restarted = False
        while True:
            if self.cancel.is_set():
                raise self._cancelled()
            offset, hasher = self._resume_point(f, part)
            self.report.set_file(f, offset)
            try:
                if offset < f.size:
                    hasher = self._transfer(f, part, offset, hasher)
            except (TransientError, HubUnreachable) as exc:
                if self.cancel.is_set():
                    raise self._cancelled() from None
                # a retry that made progress resets the count: a flaky line still finishes
                failures = 1 if getattr(exc, "progressed", 0) else failures + 1
                if self.retries == 0 or failures > self.retries:
                    if isinstance(exc, TransientError) and exc.server_error is not None:
                        raise exc.server_error from None
                    raise ConnectionLost(self.client.host, str(exc)) from None
                delay = 0.0 if getattr(exc, "progressed", 0) else min(0.5 * 2 ** (failures - 1), 8)
                if delay and self.cancel.wait(delay):
                    raise self._cancelled() from None
                continue
            problem = verify_file(f, part, hasher)
            if problem is None:
                os.replace(part, dest)
                return
            with contextlib.suppress(OSError):
                part.unlink()
            self.report.rewind()
            if offset and not restarted:  # an old partial may have been the bad part: once more
                restarted = True
                continue
            raise ChecksumMismatch(self.pl.repo_id, f.path, problem)

    def _resume_point(self, f: PlannedFile, part: Path) -> tuple[int, Any]:
        """Bytes already in ``part`` (hashed into a fresh hasher); drops an oversized one."""
        hasher = new_hasher(f)
        try:
            offset = part.stat().st_size
        except OSError:
            return 0, hasher
        if offset > f.size:  # never counted as progress (see layout.bytes_on_disk)
            part.unlink()
            return 0, hasher
        if offset and hasher is not None:
            self.report.set_file(f, offset, VERIFYING)
            with open(part, "rb") as fh:
                while block := fh.read(1 << 20):
                    if self.cancel.is_set():
                        raise self._cancelled()
                    hasher.update(block)
                    self.report.tick()
        return offset, hasher

    def _transfer(self, f: PlannedFile, part: Path, offset: int, hasher: Any) -> Any:
        """Fetch ``f`` from ``offset`` into ``part``; returns the hasher over the whole file.

        Raises ``TransientError`` (with ``.progressed``) for what a retry may fix.
        """
        r = self.client.open(self.pl.repo_id, self.pl.commit, f.path, offset)
        received = 0
        try:
            if r.status_code == 416:  # the partial is no good for this file: start over
                part.unlink(missing_ok=True)
                self.report.rewind()
                raise TransientError("range not satisfiable")
            if offset and r.status_code == 206:
                start, total = _content_range(r.headers.get("Content-Range"))
                if total is not None and total != f.size:
                    part.unlink(missing_ok=True)
                    self.report.rewind()
                    raise DownloadError(f"The file {f.path} changed on the hub while "
                                        "downloading. Start the download again.")
                if start != offset:  # a confused server or proxy: start the file over
                    part.unlink(missing_ok=True)
                    self.report.rewind()
                    raise TransientError(f"server resumed at {start}, not {offset}")
            elif offset:  # 200: the server ignored the Range; take the whole file
                self.report.rewind()
                offset = 0
                hasher = new_hasher(f)
                self.report.set_file(f, 0)
            expected = f.size - offset
            read1 = getattr(r.raw, "read1", None)
            self.watch.attach(r)
            try:
                with open(part, "ab" if offset else "wb") as fh:
                    while received < expected:
                        if self.cancel.is_set():
                            raise _CancelNow
                        try:
                            chunk = (read1(CHUNK, decode_content=False) if read1 is not None
                                     else r.raw.read(CHUNK // 4, decode_content=False))
                        except Exception as exc:  # urllib3 / socket errors vary by version
                            if self.cancel.is_set():
                                raise _CancelNow from None
                            raise TransientError(f"connection broken: {exc}") from exc
                        if not chunk:
                            break
                        chunk = chunk[: expected - received]
                        write_chunk(fh, chunk)
                        if hasher is not None:
                            hasher.update(chunk)
                        received += len(chunk)
                        self.report.advance(len(chunk))
            except OSError as exc:
                if _is_disk_full(exc):
                    raise DiskFull(str(self.pl.target.parent)) from exc
                raise DownloadError(f"Could not write {part}: {exc.strerror or exc}. Check "
                                    "that the models folder is writable.") from exc
            finally:
                self.watch.detach()
            if self.cancel.is_set():
                raise _CancelNow
            if received < expected:
                raise TransientError(f"connection closed after {received} of {expected} bytes")
            return hasher
        except _CancelNow:
            raise self._cancelled() from None
        except TransientError as exc:
            exc.progressed = received
            raise
        finally:
            r.close()


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """``bytes a-b/total`` -> (a, total)."""
    if not value or not value.startswith("bytes "):
        return None, None
    span, _, total = value[len("bytes "):].partition("/")
    start = span.split("-")[0]
    try:
        return int(start), (int(total) if total.strip() not in ("", "*") else None)
    except ValueError:
        return None, None


class _CancelWatch:
    """Shuts down the socket being read when ``cancel`` is set (unblocks a stalled read)."""

    def __init__(self, cancel: threading.Event, enabled: bool = True) -> None:
        self.cancel = cancel
        self._lock = threading.Lock()
        self._response: Any = None
        self._done = threading.Event()
        self._thread = (threading.Thread(target=self._run, name="download-cancel", daemon=True)
                        if enabled else None)

    def __enter__(self) -> _CancelWatch:
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(1)

    def attach(self, response: Any) -> None:
        with self._lock:
            self._response = response
            if self.cancel.is_set():
                abort_response(response)

    def detach(self) -> None:
        with self._lock:
            self._response = None

    def _run(self) -> None:
        while not self._done.is_set():
            if self.cancel.wait(0.05):
                with self._lock:
                    if self._response is not None:
                        abort_response(self._response)
                return
