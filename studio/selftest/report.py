"""The self-test's step lines: ``self-test: <step> ... ok (1.2 s)`` or ``... FAILED: <reason>``,
on the real stdout, while whatever the steps themselves print goes to stderr."""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO

PREFIX = "self-test:"


class StepFailed(Exception):
    """A check inside a step did not hold; the message is the reason printed."""


class Report:
    """Prints step lines on the real stdout while the steps' own output goes to stderr."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.failures = 0

    def line(self, text: str) -> None:
        self.out.write(f"{PREFIX} {text}\n")
        self.out.flush()

    def step(self, title: str, fn: Callable[[], str | None]) -> bool:
        """Run ``fn``; it may return a more precise title (with what it found)."""
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(sys.stderr):
                title = fn() or title
        except Exception as exc:  # every failure is reported, none ends the run unprinted
            self.failures += 1
            traceback.print_exc(file=sys.stderr)
            self.line(f"{title} ... FAILED: {failure_reason(exc)}")
            return False
        self.line(f"{title} ... ok ({time.perf_counter() - start:.1f} s)")
        return True

    def skip(self, title: str, why: str) -> None:
        self.failures += 1
        self.line(f"{title} ... FAILED: skipped, {why}")


def failure_reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, StepFailed):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def finish(report: Report) -> int:
    report.line("passed" if report.failures == 0 else "failed")
    return 0 if report.failures == 0 else 1
