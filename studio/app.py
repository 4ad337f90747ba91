"""Composition root of the desktop app."""

from __future__ import annotations


def run_gui(argv: list[str]) -> int:
    from studio.ui.main import run

    return run(argv)
