"""GUI test fixtures: a real AppContext on the tiny models (real engine), a fake sound
device, and checks that fail a test which leaves a thread or an active timer behind."""

from __future__ import annotations

import threading

import pytest

from studio.testing.fake_sd import FakeSoundDevice


@pytest.fixture
def fake_sd() -> FakeSoundDevice:
    return FakeSoundDevice(inputs=1, outputs=1, default_samplerate=24000.0)


@pytest.fixture
def no_audio_sd() -> FakeSoundDevice:
    """A PortAudio with no devices at all."""
    return FakeSoundDevice(inputs=0, outputs=0)


@pytest.fixture(autouse=True)
def no_leaks(qapp):
    """Fail a test that leaves a thread running or a timer ticking in a top-level widget."""
    from PySide6.QtCore import QTimer

    before = {t.ident for t in threading.enumerate()}
    yield
    for widget in qapp.topLevelWidgets():
        active = [t for t in widget.findChildren(QTimer) if t.isActive()]
        widget.close()
        assert not active or not widget.isVisible(), f"active timers left in {widget!r}"
    qapp.processEvents()
    left = [t for t in threading.enumerate()
            if t.ident not in before and t.is_alive() and not t.daemon]
    assert not left, f"threads left running: {[t.name for t in left]}"


def make_ctx(pool, sd):  # noqa: ANN001, ANN201
    from studio.ui.context import AppContext

    return AppContext.create(pool=pool, sd=sd)


@pytest.fixture
def ui_ctx(qtbot, tiny_models_dir, fake_sd):
    """An AppContext whose inference worker runs the real engine on the tiny models."""
    from studio.engine.pool import ModelPool

    ctx = make_ctx(ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=3), fake_sd)
    yield ctx
    assert ctx.shutdown(), "the inference thread did not stop"
    assert not ctx.inference.thread.isRunning()
