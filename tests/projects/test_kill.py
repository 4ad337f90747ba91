"""Render, kill -9 at random moments, resume: every finished block intact, none half-written.

30 rounds fork a renderer (tests/projects/kill_worker.py, an engine stand-in that makes
audio in microseconds so the kills land in every phase of the storage) and SIGKILL it after
a random delay; after each kill the project must load, every take it names must decode
whole to the length it records, and every take that existed before the kill must still be
there, unchanged. One more round kills a real render on the tiny models (a separate
process) once its first block is finished, and resumes it.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from studio.projects import render, resume, stale
from studio.projects.audiofiles import read_audio
from studio.projects.store import ProjectStore
from tests.projects import kill_worker
from tests.projects.helpers import make_project

ROUNDS = 30
DELAY = (1.0, 8.0)  # before the kill, in units of one block's render time on this machine now
REPO = Path(__file__).resolve().parents[2]


def whole_takes(store: ProjectStore, project_id: str) -> dict[str, str]:
    """Load the project as the app would; check every take it names; take id -> file hash."""
    project = store.load(project_id)
    folder = store.path(project)
    out = {}
    for _c, block in project.blocks():
        for take in block.takes:
            audio = read_audio(folder / take.file)
            assert audio.size == take.samples, f"{take.file} is not whole"
            out[take.id] = hashlib.sha256((folder / take.file).read_bytes()).hexdigest()
    return out


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_kill_9_at_random_moments_and_resume(studio_home, tmp_path):
    store = ProjectStore()
    timing = make_project(store, ["Timing."], name="Timing")
    started = time.perf_counter()
    render.Renderer(store, timing.id, kill_worker.FakeEngine()).run([timing.blocks()[0][1].id])
    unit = time.perf_counter() - started  # one block, as loaded as the machine is now
    project = make_project(store, [f"Line number {k}." for k in range(40)])
    rng = random.Random(20)
    before: dict[str, str] = {}
    kills_with_work = 0
    for round_ in range(ROUNDS):
        pid = os.fork()
        if pid == 0:  # the child: render until killed
            try:
                kill_worker.run(studio_home, project.id, round_)
            finally:
                os._exit(1)
        time.sleep(unit * rng.uniform(*DELAY))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), (tmp_path / "worker-error.txt").read_text() \
            if (tmp_path / "worker-error.txt").exists() else "the worker ended by itself"
        now = whole_takes(ProjectStore(), project.id)
        lost = {t: h for t, h in before.items() if now.get(t) != h}
        assert not lost, f"round {round_}: takes lost or changed: {sorted(lost)}"
        kills_with_work += len(now) > len(before)
        before = now
    assert kills_with_work >= ROUNDS // 5  # many kills landed after blocks were finished
    final = ProjectStore()
    done = final.load(project.id)
    todo = render.select(done, [], None)
    render.Renderer(final, project.id, kill_worker.FakeEngine()).run(todo)
    done = final.load(project.id)
    assert stale.status(done, [], None).rendered == 40
    assert whole_takes(final, project.id).items() >= before.items()
    folder = final.path(done)
    named = {t.file.split("/")[1] for _c, b in done.blocks() for t in b.takes}
    assert {p.name for p in (folder / "takes").iterdir()} == named  # no orphans, no temp files
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


_REAL_WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from studio.engine.engine_thread import EngineThread
    from studio.engine.pool import ModelPool
    from studio.projects import render
    from studio.projects.store import ProjectStore

    store = ProjectStore()
    project = store.load(sys.argv[1])
    pool = ModelPool(device="cpu", roots=[Path(sys.argv[2])])
    with EngineThread(pool) as engine:
        render.Renderer(store, project.id, engine).run(render.select(project, [], None))
""")


@pytest.mark.slow
def test_kill_9_a_real_render_and_resume(models, store, library, engine, studio_home):
    project = make_project(store, ["One line.", "Two lines.", "Three lines.", "Four."],
                           max_seconds=2.0)
    child = subprocess.Popen([sys.executable, "-c", _REAL_WORKER, project.id, str(models)],
                             cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while not any(b.chosen for _c, b in store.load(project.id).blocks()):
            assert child.poll() is None, child.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "no block was finished in 120 s"
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    survived = whole_takes(store, project.id)
    assert 1 <= len(survived) < 4
    note = resume.pending(store, store.load(project.id))  # the next start offers to resume
    assert note is not None and len(note.block_ids) == 4
    left = resume.still_to_do(store.load(project.id), note, [], library)
    assert 0 < len(left) == 4 - len(survived)
    r = render.Renderer(store, project.id, engine, library)
    r.run(left)
    done = store.load(project.id)
    assert stale.status(done, [], library).rendered == 4
    assert resume.pending(store, done) is None
    assert whole_takes(store, project.id).items() >= survived.items()
