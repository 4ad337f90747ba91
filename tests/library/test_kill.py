"""Kill a process in the middle of saving, many times at random points: the library must
always load, no voice may be half there, and leftovers must be swept.

The child is forked (no interpreter start-up per round, so many rounds stay fast), edits
the library in a loop (tests/library/kill_worker.py) and gets SIGKILL after a random delay.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from studio.engine import prompts
from studio.library import VoiceLibrary
from studio.library.folder import read_meta
from tests.library import kill_worker
from tests.library.helpers import add_voice

ROUNDS = 50
DELAY = (0.005, 0.15)  # seconds before the kill
FILES = {"voice.json", "reference.wav", "transcript.txt", "prompt.safetensors"}


def hidden_leftovers(home: Path) -> int:
    """Work folders and temporary files an interrupted write left behind."""
    count = 0
    for parent in (home / "voices", home / "trash", home / "previews"):
        for entry in parent.iterdir():
            if entry.name.startswith("."):
                count += 1
            elif entry.is_dir():
                count += sum(1 for f in entry.iterdir() if f.name.startswith("."))
                takes = entry / "takes"
                if takes.is_dir():
                    count += sum(1 for f in takes.iterdir() if f.name.startswith("."))
                    count += sum(1 for t in takes.iterdir() for f in t.iterdir()
                                 if f.name.startswith("."))
    return count


def assert_whole(home: Path) -> int:
    """Open the library as the app would and check every file of every voice."""
    lib = VoiceLibrary(home)
    assert hidden_leftovers(home) == 0, "leftovers survived the sweep"
    listing = lib.list()
    assert listing.damaged == [], listing.damaged
    for entry in listing.voices:
        names = {p.name for p in entry.path.iterdir()} - {"takes"}
        assert names == FILES | ({entry.voice.original_file} - {None}), names
        for take in entry.takes():  # every take whole, whichever is active
            assert take.problem is None, take.problem
            prompt = prompts.load(take.prompt_path)
            assert take.transcript() == (prompt.ref_text or "")
            audio, sr = sf.read(str(take.reference_path), dtype="float32")
            assert sr == 24_000 and np.isfinite(audio).all()
            assert abs(len(audio) / sr - take.reference_seconds) < 1e-3
        if entry.original_path:
            assert entry.original_path.read_bytes() == b"ID3 original bytes"
    for item in lib.list_trash():
        read_meta(item.path, item.voice_id)  # a trashed voice is whole too
        assert {p.name for p in item.path.iterdir()} >= FILES
    for item in lib.previews.items():
        sf.info(str(item.path))
    return len(listing.voices)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_kill_at_random_points_never_leaves_a_half_voice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lib = VoiceLibrary(home)
    add_voice(lib, "Seed")
    lib.export_voice("seed", tmp_path / "seed.voice.zip")
    (tmp_path / "original.mp3").write_bytes(b"ID3 original bytes")
    rng = random.Random(20250301)
    interrupted = 0
    started = time.monotonic()
    log = tmp_path / "ops.log"
    for round_ in range(ROUNDS):
        done_before = _ops_done(log)
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            try:
                kill_worker.run(home, round_)
            finally:
                os._exit(1)
        _wait_for_an_op(log, done_before)  # a loaded machine starts the child late
        time.sleep(rng.uniform(*DELAY))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        error = tmp_path / "worker-error.txt"
        assert not error.exists(), error.read_text()
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        interrupted += hidden_leftovers(home) > 0
        assert_whole(home)
    ops = Counter((tmp_path / "ops.log").read_text().split())
    elapsed = time.monotonic() - started
    print(f"\n{ROUNDS} kills in {elapsed:.1f} s; {ops.total()} operations completed "
          f"({dict(ops)}); {interrupted} kills caught a write half-done")
    assert ops.total() >= ROUNDS  # the child really worked between kills
    assert interrupted >= ROUNDS // 10  # and the kills really landed mid-write


def _ops_done(log: Path) -> int:
    return log.read_text().count("\n") if log.exists() else 0


def _wait_for_an_op(log: Path, before: int, limit_s: float = 30.0) -> None:
    """Until the child has finished one operation this round (or time is up: a child that
    failed has said why in worker-error.txt), so the kill lands in its loop, not in its
    start-up."""
    deadline = time.monotonic() + limit_s
    while _ops_done(log) <= before and time.monotonic() < deadline:
        time.sleep(0.002)
