"""Model downloads against the fake hub: progress, cancel, resume, integrity, errors, deletion.

No real network: every call goes to a FakeHub on 127.0.0.1. No sleeps: tests wait on the
hub's byte counters (events) and on threads.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import threading
import time
from collections import namedtuple
from pathlib import Path

import pytest
import requests

from studio import hub as dl
from studio import paths
from studio.errors import Cancelled, InvalidInput, NotFound, StudioError
from studio.hub import discover, read_model_info, transfer
from studio.hub.catalog import find
from studio.hub.staging import write_manifest
from studio.testing.fake_hub import (
    FakeHub,
    fake_hub_fixture,  # noqa: F401 - the fake_hub fixture
)
from studio.testing.fake_hub_repos import TINY_REPO_ID, tiny_repo

REPO = TINY_REPO_ID
NAME = REPO.split("/")[1]
WEIGHTS = "model.safetensors"
TOKENIZER_WEIGHTS = "speech_tokenizer/model.safetensors"
FILES = {k: v for k, v in tiny_repo().items() if k not in dl.DEFAULT_IGNORE}
TOTAL = sum(len(v) for v in FILES.values())


@pytest.fixture(autouse=True)
def _hf_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep HF_* changes made by the download code inside the test; never use a proxy."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def models(studio_home: Path) -> Path:
    return paths.models_dir(ensure=True)


class Recorder:
    def __init__(self) -> None:
        self.events: list[dl.DownloadProgress] = []
        self._cond = threading.Condition()

    def __call__(self, p: dl.DownloadProgress) -> None:
        with self._cond:
            self.events.append(p)
            self._cond.notify_all()

    def wait_file(self, name: str, n: int, timeout: float = 10.0) -> bool:
        """Wait until the downloader has read ``n`` bytes of ``name`` (not just been sent)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: any(e.file == name and e.file_done >= n for e in self.events), timeout)


class Runner:
    """A download in a background thread, for cancel tests."""

    def __init__(self, hub: FakeHub, **kw) -> None:
        self.cancel = threading.Event()
        self.progress = Recorder()
        self.result: Path | None = None
        self.error: BaseException | None = None
        self.finished_at: float | None = None
        kw.setdefault("endpoint", hub.endpoint)
        self.thread = threading.Thread(target=self._run, args=(kw,), daemon=True)
        self.thread.start()

    def _run(self, kw) -> None:
        try:
            self.result = dl.download(REPO, progress=self.progress, cancel=self.cancel, **kw)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc
        finally:
            self.finished_at = time.monotonic()

    def stop(self, timeout: float = 5.0) -> float:
        """Cancel, wait, and return how long the download took to stop."""
        t0 = time.monotonic()
        self.cancel.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "download did not stop"
        return self.finished_at - t0


def served(hub: FakeHub, filename: str) -> int:
    return hub.bytes_served.get(hub.key(REPO, filename), 0)


def assert_complete(folder: Path) -> None:
    info = read_model_info(folder)
    assert info is not None and info.usable, info
    for name, data in FILES.items():
        assert (folder / name).read_bytes() == data, name
    assert not list(folder.rglob("*" + dl.PART_SUFFIX))


# --- success ---------------------------------------------------------------------------------


def test_download_reports_throttled_progress_and_gives_a_usable_model(models: Path):
    # ~0.3 s at 1.5 MB/s, served in 4 KiB pieces: >100 reads, but few progress calls
    with FakeHub.start(throttle_bps=1_500_000) as hub:
        rec = Recorder()
        t0 = time.monotonic()
        path = dl.download(REPO, progress=rec, endpoint=hub.endpoint)
        elapsed = time.monotonic() - t0

    assert path == models / NAME
    assert_complete(path)
    assert [m.name for m in discover()] == [NAME]
    assert not (models / dl.STAGING_DIR).exists()
    manifest = json.loads((path / dl.MANIFEST).read_text())
    assert manifest["repo_id"] == REPO and manifest["complete"] is True

    ev = rec.events
    done = [e.done_bytes for e in ev]
    assert done == sorted(done), "progress went backwards"
    assert ev[0].state == dl.CHECKING
    assert ev[-1].state == dl.DONE
    assert ev[-1].done_bytes == ev[-1].total_bytes == TOTAL
    assert ev[-1].fraction == 1.0 and ev[-1].files_done == ev[-1].files_total == len(FILES)
    assert all(e.total_bytes == TOTAL for e in ev[1:])
    # throttled: about one call per 0.1 s, plus the forced state changes
    assert len(ev) <= elapsed / 0.1 + 5, (len(ev), elapsed)
    downloading = [e for e in ev if e.state == dl.DOWNLOADING]
    assert downloading and all(e.file in FILES for e in downloading)
    assert any(e.speed_bps > 0 and e.eta_s is not None for e in downloading)
    assert "Downloaded" in ev[-1].describe()


def test_catalog_name_env_endpoint_and_offline_flag(models: Path, fake_hub: FakeHub,
                                                    monkeypatch: pytest.MonkeyPatch):
    """A catalog folder name works, HF_ENDPOINT is read at call time, HF_HUB_OFFLINE ignored."""
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.endpoint)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = dl.download("qwen3-tts-12hz-0.6b-base")
    assert path == models / NAME
    assert_complete(path)
    assert dl.installed_path(find(REPO)) == path


def test_redownload_of_a_complete_model_fetches_nothing(models: Path, fake_hub: FakeHub):
    path = dl.download(REPO, endpoint=fake_hub.endpoint)
    fake_hub.reset_counters()
    rec = Recorder()
    assert dl.download(REPO, progress=rec, endpoint=fake_hub.endpoint) == path
    assert fake_hub.requests == []  # not even the listing
    assert [e.state for e in rec.events] == [dl.DONE]
    assert rec.events[-1].done_bytes == rec.events[-1].total_bytes == TOTAL
    pl = dl.plan(REPO, endpoint=fake_hub.endpoint)
    assert pl.installed and pl.remaining_bytes == 0 and pl.total_bytes == TOTAL
    assert fake_hub.total_bytes_served() == 0


def test_plan_lists_files_sizes_and_hashes(models: Path, fake_hub: FakeHub):
    pl = dl.plan(find(REPO), endpoint=fake_hub.endpoint)
    assert pl.repo_id == REPO and pl.commit == fake_hub.commit(REPO)
    assert pl.target == models / NAME
    assert {f.path: f.size for f in pl.files} == {k: len(v) for k, v in FILES.items()}
    weights = next(f for f in pl.files if f.path == WEIGHTS)
    assert weights.sha256 and weights.have == 0
    assert (pl.total_bytes, pl.have_bytes, pl.remaining_bytes) == (TOTAL, 0, TOTAL)
    assert not pl.installed and not pl.conflict
    assert fake_hub.total_bytes_served() == 0
    assert not (models / NAME).exists()


def test_sizes_from_head_when_the_listing_has_none(models: Path):
    with FakeHub.start(blobs_metadata=False) as hub:
        assert_complete(dl.download(REPO, endpoint=hub.endpoint))
        assert any(r.method == "HEAD" for r in hub.requests)


# --- cancel and resume -------------------------------------------------------------------------


def test_cancel_mid_file_stops_promptly_keeps_partial_and_resumes(models: Path):
    size = len(FILES[WEIGHTS])
    with FakeHub.start(throttle_bps=250_000) as hub:  # the weights alone take > 1 s
        run = Runner(hub)
        assert run.progress.wait_file(WEIGHTS, 40_000)
        took = run.stop()
        assert took < 0.5, took
        assert isinstance(run.error, dl.DownloadCancelled), run.error
        assert isinstance(run.error, Cancelled) and run.error.code == "cancelled"
        assert "resume" in str(run.error)
        assert run.progress.events[-1].state == dl.CANCELLED
        assert not (models / NAME).exists()
        part = models / dl.STAGING_DIR / NAME / (WEIGHTS + dl.PART_SUFFIX)
        kept = part.stat().st_size
        assert 40_000 <= kept < size

        state = dl.partial_state(REPO)
        assert state is not None and not state.active
        assert 0 < state.fraction < 1 and state.total_bytes == TOTAL
        assert state.describe().startswith("Paused")
        pl = dl.plan(REPO, endpoint=hub.endpoint)
        assert pl.have_bytes == state.done_bytes

        hub.throttle_bps = None
        rec = Recorder()
        path = dl.download(REPO, progress=rec, endpoint=hub.endpoint)
        assert_complete(path)
        assert dl.partial_state(REPO) is None
        assert any(r.range == f"bytes={kept}-" for r in hub.requests)
        # what was sent before the cancel plus the rest: not the file twice
        assert size <= served(hub, WEIGHTS) < size + 64 * 1024
        assert rec.events[1].done_bytes >= state.done_bytes  # resumed bytes count as done


def test_cancel_on_a_stalled_connection_is_prompt(models: Path):
    with FakeHub.start(stall_after=20_000) as hub:
        run = Runner(hub, progress_interval=0)  # report every read, to see the stall point
        assert run.progress.wait_file(TOKENIZER_WEIGHTS, 20_000)
        took = run.stop()
        assert took < 0.5, took
        assert isinstance(run.error, dl.DownloadCancelled)
        hub.release()
        assert_complete(dl.download(REPO, endpoint=hub.endpoint))
        assert served(hub, TOKENIZER_WEIGHTS) == len(FILES[TOKENIZER_WEIGHTS])


def test_a_dropped_connection_is_resumed_within_the_call(models: Path):
    with FakeHub.start(fail_after=100_000) as hub:
        path = dl.download(REPO, endpoint=hub.endpoint)
        assert_complete(path)
        assert hub.fail_times == 0  # the fault did happen
        assert any(r.range == "bytes=100000-" for r in hub.requests)
        assert hub.total_bytes_served(REPO) == TOTAL  # every byte exactly once


def test_a_dropped_connection_without_retries_resumes_on_the_next_call(models: Path):
    with FakeHub.start(fail_after=100_000) as hub:
        with pytest.raises(dl.ConnectionLost) as err:
            dl.download(REPO, endpoint=hub.endpoint, retries=0)
        assert isinstance(err.value, dl.HubUnreachable)
        assert "resume" in str(err.value)
        assert not (models / NAME).exists()
        state = dl.partial_state(REPO)
        assert state is not None and state.done_bytes >= 100_000

        path = dl.download(REPO, endpoint=hub.endpoint)
        assert_complete(path)
        assert any(r.range == "bytes=100000-" for r in hub.requests)
        assert hub.total_bytes_served(REPO) == TOTAL


def test_a_second_download_of_the_same_model_is_refused_while_one_runs(models: Path):
    with FakeHub.start(stall_after=20_000) as hub:
        run = Runner(hub)
        assert hub.wait_for_bytes(hub.key(REPO, TOKENIZER_WEIGHTS), 20_000)
        state = dl.partial_state(REPO)
        assert state is not None and state.active and state.describe().startswith("Downloading")
        with pytest.raises(dl.DownloadInProgress):
            dl.download(REPO, endpoint=hub.endpoint)
        with pytest.raises(dl.DownloadInProgress):
            dl.discard_partial(REPO)
        run.stop()
        assert isinstance(run.error, dl.DownloadCancelled)
        assert dl.discard_partial(REPO) is True
        assert dl.partial_state(REPO) is None
        assert not (models / dl.STAGING_DIR).exists()
        assert dl.discard_partial(REPO) is False


def test_cancel_before_start_downloads_nothing(models: Path, fake_hub: FakeHub):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(dl.DownloadCancelled):
        dl.download(REPO, cancel=cancel, endpoint=fake_hub.endpoint)
    assert fake_hub.requests == []
    assert not (models / NAME).exists()


def test_a_server_that_ignores_range_gets_the_whole_file_again(models: Path):
    with FakeHub.start(fail_after=100_000, honor_range=False) as hub:
        with pytest.raises(dl.ConnectionLost):
            dl.download(REPO, endpoint=hub.endpoint, retries=0)
        rec = Recorder()
        assert_complete(dl.download(REPO, progress=rec, endpoint=hub.endpoint))
        assert hub.total_bytes_served(REPO) == TOTAL + 100_000
        assert rec.events[-1].done_bytes == TOTAL


# --- integrity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [WEIGHTS, "config.json"])
def test_a_corrupt_file_is_detected_and_discarded(models: Path, bad: str):
    with FakeHub.start(corrupt={f"{REPO}/{bad}"}) as hub:
        with pytest.raises(dl.ChecksumMismatch) as err:
            dl.download(REPO, endpoint=hub.endpoint)
        assert bad in str(err.value) and "discarded" in str(err.value)
        staging = models / dl.STAGING_DIR / NAME
        assert not (staging / bad).exists()
        assert not (staging / (bad + dl.PART_SUFFIX)).exists()
        assert not (models / NAME).exists()

        hub.corrupt.clear()
        hub.reset_counters()
        assert_complete(dl.download(REPO, endpoint=hub.endpoint))
        assert served(hub, bad) == len(FILES[bad])


def test_a_bad_partial_is_fetched_again_from_scratch(models: Path, fake_hub: FakeHub):
    staging = models / dl.STAGING_DIR / NAME
    # a partial whose bytes are wrong (e.g. written by a broken earlier run)
    pl = dl.plan(REPO, endpoint=fake_hub.endpoint)
    staging.mkdir(parents=True)
    write_manifest(pl, complete=False)
    (staging / (WEIGHTS + dl.PART_SUFFIX)).write_bytes(b"\0" * 1000)
    assert_complete(dl.download(REPO, endpoint=fake_hub.endpoint))
    assert served(fake_hub, WEIGHTS) == len(FILES[WEIGHTS]) - 1000 + len(FILES[WEIGHTS])


# --- errors ------------------------------------------------------------------------------------


def test_unknown_repo_is_a_clear_not_found(models: Path, fake_hub: FakeHub):
    with pytest.raises(dl.RepoNotFound) as err:
        dl.download("nobody/no-such-model", endpoint=fake_hub.endpoint)
    assert isinstance(err.value, NotFound) and err.value.code == "not_found"
    assert "no-such-model" in str(err.value) and "Check the name" in str(err.value)
    assert list(models.iterdir()) == []  # no folder, no lock, no staging


@pytest.mark.parametrize("kind, error, words", [
    ("private", dl.RepoNotFound, "private"),
    ("gated", dl.AccessDenied, "accept its conditions"),
    ("401", dl.AccessDenied, "rejected the access token"),
    ("403", dl.AccessDenied, "HTTP 403"),
])
def test_refused_access_is_explained(models: Path, kind: str, error: type, words: str):
    options = {"private": {"private": {REPO}}, "gated": {"gated": {REPO}},
               "401": {"status": {REPO: 401}}, "403": {"status": {REPO: 403}}}[kind]
    with FakeHub.start(**options) as hub, pytest.raises(error) as err:
        dl.download(REPO, endpoint=hub.endpoint)
    assert words in str(err.value)
    assert "HF_TOKEN" in str(err.value)
    assert not (models / NAME).exists()


def test_unknown_revision(models: Path, fake_hub: FakeHub):
    with pytest.raises(dl.RevisionNotFound, match="no revision 'v9'"):
        dl.plan(REPO, revision="v9", endpoint=fake_hub.endpoint)


def test_server_errors_say_try_later(models: Path):
    with FakeHub.start(status={REPO: 503}) as hub, pytest.raises(dl.HubError, match="HTTP 503"):
        dl.plan(REPO, endpoint=hub.endpoint)


def test_connection_refused_says_could_not_reach(models: Path):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    for call in (lambda: dl.plan(REPO, endpoint=endpoint),
                 lambda: dl.download(REPO, endpoint=endpoint)):
        with pytest.raises(dl.HubUnreachable) as err:
            call()
        assert str(err.value).startswith("Could not reach 127.0.0.1")
        assert "Check your internet connection" in str(err.value)
        assert "Models > Use a folder" in str(err.value)
        assert err.value.code == "network"
    assert str(dl.HubUnreachable()).startswith("Could not reach huggingface.co.")
    assert not (models / NAME).exists()


def test_not_enough_disk_space_is_refused_before_downloading(models: Path, fake_hub: FakeHub,
                                                            monkeypatch: pytest.MonkeyPatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(dl.DiskFull) as err:
        dl.download(REPO, endpoint=fake_hub.endpoint)
    assert "free disk space" in str(err.value) and err.value.code == "disk_full"
    assert fake_hub.total_bytes_served() == 0
    assert not (models / NAME).exists()


def test_a_disk_filling_up_mid_download_keeps_the_partial(models: Path, fake_hub: FakeHub,
                                                          monkeypatch: pytest.MonkeyPatch):
    written = {"n": 0}
    real_write = transfer.write_chunk

    def write(fh, data):
        written["n"] += len(data)
        if written["n"] > 200_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(fh, data)

    monkeypatch.setattr(transfer, "write_chunk", write)
    with pytest.raises(dl.DiskFull, match="is full") as err:
        dl.download(REPO, endpoint=fake_hub.endpoint)
    assert "kept" in str(err.value)
    state = dl.partial_state(REPO)
    assert state is not None and state.done_bytes > 100_000
    monkeypatch.setattr(transfer, "write_chunk", real_write)
    assert_complete(dl.download(REPO, endpoint=fake_hub.endpoint))


def test_repos_that_are_not_tts_models_are_refused(models: Path):
    files = dict(tiny_repo())
    no_tokenizer = {k: v for k, v in files.items() if not k.startswith("speech_tokenizer/")}
    other = dict(files, **{"config.json": b'{"model_type": "bert"}'})
    with FakeHub.start({"a/no-tokenizer": no_tokenizer, "a/bert": other}) as hub:
        with pytest.raises(dl.NotAModel, match="speech_tokenizer"):
            dl.download("a/no-tokenizer", endpoint=hub.endpoint)
        with pytest.raises(dl.NotAModel, match="qwen3_tts"):
            dl.download("a/bert", endpoint=hub.endpoint)
        # refused on the listing, or right after config.json: never the weights
        assert hub.total_bytes_served() == len(other["config.json"])
    assert list(models.iterdir()) == []


def test_an_existing_foreign_folder_is_never_overwritten(models: Path, fake_hub: FakeHub):
    mine = models / NAME
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(dl.FolderConflict):
        dl.download(REPO, endpoint=fake_hub.endpoint)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_bad_names(models: Path):
    with pytest.raises(InvalidInput, match="catalog"):
        dl.download("no-such-model")
    with pytest.raises(InvalidInput, match="owner/name"):
        dl.plan("bad//id")


# --- environment -------------------------------------------------------------------------------


def test_hf_home_defaults_to_the_app_cache(models: Path, fake_hub: FakeHub,
                                           monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("HF_HOME")
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    dl.plan(REPO, endpoint=fake_hub.endpoint)
    assert os.environ["HF_HOME"] == str(paths.cache_dir() / "huggingface")

    monkeypatch.setenv("HF_HOME", "/somewhere/else")
    dl.plan(REPO, endpoint=fake_hub.endpoint)
    assert os.environ["HF_HOME"] == "/somewhere/else"


# --- deleting ----------------------------------------------------------------------------------


def test_delete_model_removes_only_model_folders_inside_the_models_folder(
        models: Path, fake_hub: FakeHub, tmp_path: Path):
    path = dl.download(REPO, endpoint=fake_hub.endpoint)

    outside = tmp_path / "elsewhere" / NAME
    shutil.copytree(path, outside)
    not_a_model = models / "photos"
    not_a_model.mkdir()
    (not_a_model / "cat.jpg").write_bytes(b"meow")
    for bad in (outside, models, models / ".." / "models", not_a_model,
                models / dl.STAGING_DIR, tmp_path):
        with pytest.raises(StudioError):
            dl.delete_model(bad)
    with pytest.raises(NotFound):
        dl.delete_model(models / "missing")
    assert read_model_info(outside).usable and (not_a_model / "cat.jpg").exists()

    if os.name != "nt":  # symlinks need privileges on Windows
        link = models / "linked"
        link.symlink_to(outside, target_is_directory=True)
        assert dl.delete_model(link) is None  # the link goes, never its target
        assert not link.exists() and read_model_info(outside).usable

    assert dl.delete_model(path) is None
    assert not path.exists() and discover() == []
    assert not (models / dl.DELETING_DIR).exists()


def test_delete_model_to_trash(models: Path, fake_hub: FakeHub):
    path = dl.download(REPO, endpoint=fake_hub.endpoint)
    kept = dl.delete_model(path, to_trash=True)
    assert kept is not None and kept.parent == paths.trash_dir() / "models"
    assert not path.exists() and read_model_info(kept).usable


# --- the fake hub itself -----------------------------------------------------------------------


def test_fake_hub_answers_like_the_hub(fake_hub: FakeHub):
    from huggingface_hub.hf_api import ModelInfo, RepoFile

    r = requests.get(f"{fake_hub.endpoint}/api/models/{REPO}", params={"blobs": "true"},
                     timeout=5)
    info = ModelInfo(**r.json())
    sizes = {s.rfilename: s.size for s in info.siblings}
    assert sizes[WEIGHTS] == len(FILES[WEIGHTS]) and info.sha == fake_hub.commit(REPO)
    weights = next(s for s in info.siblings if s.rfilename == WEIGHTS)
    assert weights.lfs is not None and len(weights.lfs.sha256) == 64

    r = requests.get(f"{fake_hub.endpoint}/api/models/{REPO}/tree/main",
                     params={"recursive": "true"}, timeout=5)
    files = [RepoFile(**e) for e in r.json() if e["type"] == "file"]
    assert {f.path for f in files} == set(tiny_repo())

    url = f"{fake_hub.endpoint}/{REPO}/resolve/main/{WEIGHTS}"
    head = requests.head(url, allow_redirects=False, timeout=5)
    assert head.status_code == 302
    assert head.headers["X-Linked-Size"] == str(len(FILES[WEIGHTS]))
    assert head.headers["X-Repo-Commit"] == fake_hub.commit(REPO)
    part = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=5)
    assert part.status_code == 206 and part.content == FILES[WEIGHTS][10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(FILES[WEIGHTS])}"
    assert requests.get(url, headers={"Range": "bytes=99999999-"}, timeout=5).status_code == 416
    assert served(fake_hub, WEIGHTS) == 10
