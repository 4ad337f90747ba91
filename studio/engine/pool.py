"""The models a process has loaded, by kind. Not thread-safe by design: one owner thread.

Loading is lazy (the first request that needs a kind loads it) and bounded: at most
``max_loaded`` models stay in memory, the least recently used is unloaded first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

from studio.engine import models
from studio.engine.models import DeviceChoice, LoadedModel, ProgressFn
from studio.engine.synth import Synthesizer
from studio.hub import ModelInfo, discover

log = logging.getLogger(__name__)


class ModelPool:
    def __init__(self, device: str = "auto", dtype: str | None = None,
                 roots: Iterable[Path] | None = None, extra: Iterable[Path] = (),
                 roles: dict[str, str] | None = None, max_loaded: int = 2,
                 speed: str = "exact", threads: int = 0) -> None:
        self.device_pref = device
        self.dtype_pref = dtype
        self.speed = speed  # the default speed mode (speed.py); a request may ask for another
        self.threads = threads  # CPU threads, 0 = automatic
        self.roots = list(roots) if roots is not None else None
        self.extra = [Path(p) for p in extra]
        self.roles = dict(roles or {})  # kind -> preferred model path or name
        self.max_loaded = max(1, max_loaded)
        self._loaded: dict[tuple[Path, str], LoadedModel] = {}
        self._used: dict[tuple[Path, str], float] = {}
        self._device: DeviceChoice | None = None
        self.collect_garbage = True  # False where another thread must run gc (the GUI)

    # --- what exists ---------------------------------------------------------------

    def available(self) -> list[ModelInfo]:
        return discover(self.roots, self.extra)

    @property
    def device(self) -> DeviceChoice:
        if self._device is None:
            self._device = models.choose_device(self.device_pref, self.dtype_pref, self.threads)
        return self._device

    def loaded(self) -> list[LoadedModel]:
        return list(self._loaded.values())

    def set_device(self, device: str, dtype: str | None = None) -> None:
        """Change device/precision; loaded models are unloaded (they live on the old one)."""
        self.unload()
        self.device_pref, self.dtype_pref, self._device = device, dtype, None

    # --- loading ---------------------------------------------------------------------

    def resolve(self, kind: str, prefer: str | None = None, need_instruct: bool = False) -> ModelInfo:
        return models.pick(self.available(), kind, prefer or self.roles.get(kind), need_instruct)

    def get(self, kind: str, prefer: str | None = None, need_instruct: bool = False,
            progress: ProgressFn | None = None, speed: str | None = None) -> LoadedModel:
        info = self.resolve(kind, prefer, need_instruct)
        key = (info.path.resolve(), speed or self.speed)
        model = self._loaded.get(key)
        if model is None:
            self._make_room()
            model = models.load(info, self.device, progress, key[1])
            self._loaded[key] = model
        elif progress is not None:
            progress(1.0, f"{info.name} ready on {self.device.label}")
        self._used[key] = time.monotonic()
        return model

    def synthesizer(self, kind: str, prefer: str | None = None, need_instruct: bool = False,
                    progress: ProgressFn | None = None, speed: str | None = None) -> Synthesizer:
        return Synthesizer(self.get(kind, prefer, need_instruct, progress, speed))

    def _make_room(self) -> None:
        while len(self._loaded) >= self.max_loaded:
            oldest = min(self._used, key=self._used.__getitem__)
            self._drop(oldest)

    def _drop(self, key: tuple[Path, str]) -> None:
        model = self._loaded.pop(key, None)
        self._used.pop(key, None)
        if model is not None:
            log.info("unloading %s", model.info.name)
            models.unload(model, collect=self.collect_garbage)

    def unload(self, kind: str | None = None) -> int:
        """Unload every model (or those of ``kind``); returns how many."""
        keys = [k for k, m in self._loaded.items() if kind is None or m.info.kind == kind]
        for key in keys:
            self._drop(key)
        return len(keys)

    def unload_idle(self, idle_s: float, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        keys = [k for k, t in self._used.items() if now - t >= idle_s]
        for key in keys:
            self._drop(key)
        return len(keys)
