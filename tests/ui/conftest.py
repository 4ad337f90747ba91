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


def _active_timers(owner) -> list:  # noqa: ANN001
    from PySide6.QtCore import QTimer

    return [t for t in owner.findChildren(QTimer) if t.isActive()]


def _describe(timers: list) -> str:
    return ", ".join(f"{type(t.parent()).__name__}/{t.objectName() or 'QTimer'} every "
                     f"{t.interval()} ms{' (single shot)' if t.isSingleShot() else ''}"
                     for t in timers)


def _leaks(qapp, contexts: list) -> list[str]:  # noqa: ANN001
    """What is still running once a test and its fixtures are done (see ``no_leaks``)."""
    from PySide6.QtCore import QEvent

    problems = []
    # 1. pytest-qt has closed the widgets given to qtbot (and asked for their deletion):
    # closing must have stopped every repeating timer in them (a single-shot one, such as a
    # notice's auto-hide, ends by itself and dies with its widget)
    for widget in qapp.topLevelWidgets():
        ticking = [t for t in _active_timers(widget) if not t.isSingleShot()]
        if ticking:
            state = "still open" if widget.isVisible() else "closed"
            problems.append(f"timers left running in {widget!r} ({state}): {_describe(ticking)}")
    # 2. once the closed widgets are deleted, nothing still alive may have an active timer,
    # single-shot ones included (the repeating ones are reported above)
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    for widget in qapp.topLevelWidgets():
        active = [t for t in _active_timers(widget) if t.isSingleShot()]
        if active:
            problems.append(f"timers left running in {widget!r}: {_describe(active)}")
    # 3. the timers and threads no widget owns: every AppContext the test made must be shut
    # down (player position timer, inference worker and its idle timer, transcription,
    # downloads)
    for ctx in contexts:
        owners = {"the player": ctx.playback, "the inference worker": ctx.inference.jobs.worker,
                  "the transcription worker": ctx.transcription.jobs.worker}
        threads = {"inference": ctx.inference.thread, "transcription": ctx.transcription.thread}
        for name, owner in owners.items():
            active = _active_timers(owner)
            if active:
                problems.append(f"timers left running in {name}: {_describe(active)}")
        for name, thread in threads.items():
            if thread.isRunning():
                problems.append(f"the {name} thread is still running (ctx.shutdown() not called)")
        if ctx.downloads.running():
            problems.append(f"downloads still running: {ctx.downloads.running()}")
    return problems


@pytest.fixture(autouse=True)
def no_leaks(qapp, monkeypatch):
    """Fail a test that leaves a thread running or a QTimer active once it and its fixtures
    are done: in a window (closed or not), or in the objects of an AppContext that are not
    widgets (the player's position timer, the inference worker's idle timer, the worker
    threads). Autouse, so it is set up first and checks after every other fixture's
    teardown; pytest-qt closes the qtbot widgets before that."""
    from studio.ui.context import AppContext

    contexts: list[AppContext] = []
    init = AppContext.__init__

    def tracked(ctx, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        init(ctx, *args, **kwargs)
        contexts.append(ctx)

    monkeypatch.setattr(AppContext, "__init__", tracked)
    before = {t.ident for t in threading.enumerate()}
    yield
    problems = _leaks(qapp, contexts)
    if problems:  # clean up, so that one leak does not spread into the next tests
        for widget in qapp.topLevelWidgets():
            for timer in _active_timers(widget):
                timer.stop()
            widget.hide()  # not close(): that could ask about unsaved work in a modal box
        for ctx in contexts:
            ctx.shutdown()
    contexts.clear()
    qapp.processEvents()
    left = [t for t in threading.enumerate()
            if t.ident not in before and t.is_alive() and not t.daemon]
    assert not left, f"threads left running: {[t.name for t in left]}"
    assert not problems, "left running after the test:\n" + "\n".join(problems)


@pytest.fixture
def app_look(qapp):
    """Put the application's style, palette and style sheet back afterwards."""
    from PySide6.QtGui import QPalette

    style, palette, sheet = qapp.style().name(), QPalette(qapp.palette()), qapp.styleSheet()
    yield qapp
    from PySide6.QtWidgets import QStyleFactory

    qapp.setStyle(QStyleFactory.create(style))
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def make_ctx(pool, sd):  # noqa: ANN001, ANN201
    from studio.ui.compose import build_context

    return build_context(pool=pool, sd=sd)


@pytest.fixture
def ui_ctx(qtbot, tiny_models_dir, fake_sd):
    """An AppContext whose inference worker runs the real engine on the tiny models."""
    from studio.engine.pool import ModelPool

    ctx = make_ctx(ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=3), fake_sd)
    yield ctx
    assert ctx.shutdown(), "the inference thread did not stop"
    assert not ctx.inference.thread.isRunning()


@pytest.fixture
def speak_window(qtbot, ui_ctx):
    """The main window, active, on the Speak page with preset speaker Ryan and short takes."""
    from studio.ui.main_window import MainWindow

    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    w.speak.max_frames = 8
    assert w.voices.select_key("speaker:ryan")
    yield w
    w.close()


def record_jobs(monkeypatch, client) -> list[tuple[str, object, object]]:  # noqa: ANN001
    """What every job started through ``client`` (an InferenceClient) from now on reports,
    in order: ("chunk", job, frames), ("finished", job, take), ("prompt", job, prompt),
    ("failed", job, message), ("cancelled", job, None). The test listens to the jobs as
    their owners do, and only to them."""
    events: list[tuple[str, object, object]] = []
    speak, make_prompt, speak_batch = client.speak, client.make_prompt, client.speak_batch

    def watch(job, done: str):  # noqa: ANN001, ANN202
        job.finished.connect(lambda result: events.append((done, job, result)))
        job.failed.connect(lambda message: events.append(("failed", job, message)))
        job.cancelled.connect(lambda: events.append(("cancelled", job, None)))
        return job

    def heard(job):  # noqa: ANN001, ANN202
        job.chunk.connect(lambda start, end: events.append(("chunk", job, end - start)))
        return watch(job, "finished")

    monkeypatch.setattr(client, "speak", lambda request: heard(speak(request)))
    monkeypatch.setattr(client, "speak_batch",
                        lambda batch: [heard(job) for job in speak_batch(batch)])
    monkeypatch.setattr(client, "make_prompt", lambda request: watch(make_prompt(request),
                                                                     "prompt"))
    return events
