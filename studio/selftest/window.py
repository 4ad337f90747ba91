"""The self-test's last step: the real main window, opened offscreen on a fake sound device."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from studio.selftest.report import StepFailed

T0_ENV = "VOICE_STUDIO_T0"


def has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@contextlib.contextmanager
def scoped_env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def show_window(roots: list[Path], work: Path, timeout_s: float = 60.0) -> str:
    """Open the real main window offscreen on a fake sound device, wait for its first
    paint, close it; settings and library live in ``work`` so the user's stay untouched."""
    t0_env = os.environ.get(T0_ENV)
    start = time.perf_counter()
    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from studio import paths

    home = work / "home"
    models = roots[0] if roots else paths.models_dir()
    with scoped_env(**{paths.HOME_ENV: str(home), paths.MODELS_ENV: str(models)}):
        from studio.engine.pool import ModelPool
        from studio.testing.fake_sd import FakeSoundDevice
        from studio.ui.compose import build_context
        from studio.ui.main import create_app
        from studio.ui.main_window import MainWindow

        app = create_app([])
        painted: list[float] = []

        class Probe(MainWindow):
            """The real window, noting its first paint. An override, not an event filter:
            with PySide6 6.12 on Python 3.11 a filter returning False made the interpreter
            abort at exit ("deallocating True or False", a reference count error)."""

            def paintEvent(self, event: Any) -> None:  # noqa: N802
                if not painted:
                    painted.extend((time.perf_counter(), time.time()))
                super().paintEvent(event)

        ctx = build_context(pool=ModelPool(roots=roots), sd=FakeSoundDevice())
        window = Probe(ctx)
        window.show()
        deadline = time.perf_counter() + timeout_s
        while not painted and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.005)
        if not painted:
            window.close()
            raise StepFailed(f"the window was not painted within {timeout_s:.0f} s")
        window.close()
        app.processEvents()
        if ctx.inference.thread.isRunning():
            raise StepFailed("the inference thread was still running after the window closed")
    platform = app.platformName()
    if t0_env:
        cold = painted[1] - float(t0_env)
        return (f"main window shown and closed ({platform}; cold start to first paint "
                f"{cold:.2f} s)")
    return (f"main window shown and closed ({platform}; first paint after "
            f"{painted[0] - start:.2f} s)")
