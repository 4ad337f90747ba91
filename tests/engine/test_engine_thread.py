from __future__ import annotations

import pytest

from studio.engine import errors as E
from studio.engine.engine_thread import EngineThread
from studio.engine.options import Sampling
from studio.engine.speak_request import PRESET, SpeakRequest


def test_owner_thread_runs_jobs_in_order_and_delivers_errors(tiny_pool):
    import threading

    engine = EngineThread(tiny_pool)
    try:
        names = [engine.call(lambda _p: threading.current_thread().name).result(5) for _ in range(3)]
        assert names == ["engine-owner"] * 3
        take = engine.speak(SpeakRequest("Hi.", PRESET, speaker="sohee",
                                         sampling=Sampling(seed=1, max_frames=4)))
        assert len(take.audio) == 4 * 1920
        stream = engine.stream(SpeakRequest("", PRESET, speaker="sohee"))
        with pytest.raises(E.EmptyText):
            list(stream)
    finally:
        engine.close()
    assert not engine.thread.is_alive()


def test_idle_unload(tiny_models_dir):
    import threading

    from studio.engine.pool import ModelPool

    unloaded = threading.Event()
    pool = ModelPool(device="cpu", roots=[tiny_models_dir])
    engine = EngineThread(pool, idle_unload_s=0.05, on_idle_unload=lambda n: unloaded.set())
    try:
        engine.call(lambda p: p.get("custom_voice")).result(30)
        assert unloaded.wait(10)
        assert engine.call(lambda p: len(p.loaded())).result(5) == 0
    finally:
        engine.close()
