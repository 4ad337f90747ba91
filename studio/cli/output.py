"""How the command line talks: results on stdout, progress and errors on stderr."""

from __future__ import annotations

import logging
import sys
import time
import traceback

from studio import paths
from studio.errors import StudioError

PROG = "voice-studio"


def info(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def error(exc: BaseException) -> int:
    """One clear line on stderr; tracebacks only go to the log file. Returns the exit code."""
    if isinstance(exc, StudioError):
        print(f"{PROG}: error: {exc}", file=sys.stderr, flush=True)
        return 1
    log_path = _log_traceback(exc)
    where = f" (details in {log_path})" if log_path else ""
    print(f"{PROG}: internal error: {type(exc).__name__}: {exc}{where}", file=sys.stderr, flush=True)
    return 3


def _log_traceback(exc: BaseException) -> str | None:
    """Append the traceback to the log; None if that fails (a full disk, a read-only
    folder...): the one-line message is printed either way, so nothing hides it."""
    try:
        path = paths.logs_dir(ensure=True) / "cli-errors.log"
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return str(path)
    except Exception:  # noqa: BLE001 - whatever stops the log must not stop the message
        return None


class ProgressLine:
    """A single self-overwriting status line on a terminal; plain lines otherwise."""

    def __init__(self, min_interval: float = 0.1) -> None:
        self._tty = sys.stderr.isatty()
        self._last = 0.0
        self._interval = min_interval
        self._shown = False

    def update(self, text: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        if self._tty:
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()
            self._shown = True

    def done(self, text: str | None = None) -> None:
        if self._tty and self._shown:
            sys.stderr.write("\r\033[K")
        if text:
            info(text)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("transformers", "huggingface_hub", "sox", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.ERROR)
