"""A fake Hugging Face hub on 127.0.0.1 for download tests (no real network, no sleeps in tests).

It answers the calls that ``studio.engine.download`` and huggingface_hub's own client make:

* ``GET /api/models/{repo}`` and ``/api/models/{repo}/revision/{rev}`` (``?blobs=true`` adds
  sizes, blob ids and LFS sha256 to ``siblings``), as ``HfApi().model_info`` expects;
* ``GET /api/models/{repo}/tree/{rev}[/{path}]`` (``?recursive=true``), as ``list_repo_tree``;
* ``HEAD`` / ``GET /{repo}/resolve/{rev}/{file}`` with ``ETag``, ``X-Repo-Commit``,
  ``Content-Length``, ``Accept-Ranges`` and, for LFS files, ``X-Linked-Size`` /
  ``X-Linked-Etag`` and a 302 to ``/_lfs/{sha256}`` (like the hub's CDN redirect);
* ``Range: bytes=N-`` / ``N-M`` (206 + ``Content-Range``; 416 past the end).

Faults, all plain attributes that a test may change between calls:

* ``throttle_bps``: serve file bodies at about this many bytes per second;
* ``fail_after`` / ``fail_times``: drop the connection after ``fail_after`` bytes of a file
  body, for the next ``fail_times`` responses that are longer than that;
* ``stall_after``: stop sending after this many bytes of a file body until :meth:`release`;
* ``status``: ``{repo_id: http_status}`` answered for everything about that repo;
* ``private`` (401 + ``X-Error-Code: RepoNotFound``, as the hub answers anonymous callers),
  ``gated`` (metadata readable, files 403 + ``X-Error-Code: GatedRepo``);
* ``corrupt``: file keys (``"repo/file"``) served with one byte flipped (sha mismatch);
* ``blobs_metadata``: ``False`` to leave sizes out of the model info (client must HEAD);
* ``honor_range``: ``False`` to answer Range requests with the whole file (200), like some
  proxies.

Counters: :attr:`bytes_served` (``{"repo/file": bytes}`` of file bodies sent),
:attr:`requests` (method, path, Range header) and :meth:`wait_for_bytes` to block a test until
a file is partly served (an event, not a sleep).

Use it as a context manager (``with FakeHub(repos) as hub:``), via :meth:`FakeHub.start`, or
as the ``fake_hub`` pytest fixture (``from studio.testing.fake_hub import fake_hub_fixture``), which
serves :func:`tiny_repo` as :data:`TINY_REPO_ID`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import select
import socket
import struct
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

TINY_REPO_ID = "Qwen/Qwen3-TTS-12Hz-0.6B-Base"
LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".onnx", ".gguf")
LFS_MIN_SIZE = 100_000  # like the hub's .gitattributes: big files and weights go to LFS


# --- content ------------------------------------------------------------------------------


def _fake_safetensors(n_bytes: int, seed: int) -> bytes:
    """A valid safetensors file holding one uint8 tensor of random bytes."""
    data = random.Random(seed).randbytes(n_bytes)
    header = json.dumps({"blob": {"dtype": "U8", "shape": [n_bytes],
                                  "data_offsets": [0, n_bytes]}}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + data


def tiny_repo(kind: str = "base", weights_bytes: int = 300_000, seed: int = 0) -> dict[str, bytes]:
    """A small repository laid out like a published Qwen3-TTS 12 Hz model.

    ``studio.engine.models.read_model_info`` sees it as a usable model of ``kind``; the weights
    are random bytes (valid safetensors framing, not loadable by qwen-tts).
    """
    languages = {"chinese": 2055, "english": 2050, "german": 2053, "japanese": 2058}
    speakers = {"vivian": 3065, "ryan": 3061} if kind == "custom_voice" else {}
    config = {
        "architectures": ["Qwen3TTSForConditionalGeneration"],
        "model_type": "qwen3_tts",
        "tts_model_type": kind,
        "tts_model_size": "0b6",
        "tokenizer_type": "qwen3_tts_tokenizer_12hz",
        "talker_config": {"codec_language_id": languages, "spk_id": speakers},
    }
    tok_config = {"model_type": "qwen3_tts_tokenizer_12hz", "output_sample_rate": 24000}
    dumps = lambda obj: (json.dumps(obj, indent=2) + "\n").encode()  # noqa: E731
    return {
        ".gitattributes": b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n",
        "README.md": b"# Tiny fake Qwen3-TTS\n\nRandom weights for tests.\n",
        "config.json": dumps(config),
        "generation_config.json": dumps({"do_sample": True, "temperature": 0.9}),
        "tokenizer_config.json": dumps({"model_max_length": 32768}),
        "vocab.json": dumps({"a": 0, "b": 1}),
        "merges.txt": b"#version: 0.2\na b\n",
        "model.safetensors": _fake_safetensors(weights_bytes, seed),
        "speech_tokenizer/config.json": dumps(tok_config),
        "speech_tokenizer/preprocessor_config.json": dumps({"sampling_rate": 24000}),
        "speech_tokenizer/model.safetensors": _fake_safetensors(weights_bytes // 2, seed + 1),
    }


def git_blob_id(data: bytes) -> str:
    """The git object id of a blob (what the hub reports as ``blobId`` / non-LFS ETag)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _lfs_pointer(data: bytes) -> bytes:
    return (f"version https://git-lfs.github.com/spec/v1\n"
            f"oid sha256:{hashlib.sha256(data).hexdigest()}\nsize {len(data)}\n").encode()


@dataclass
class _File:
    data: bytes
    is_lfs: bool
    sha256: str
    blob_id: str  # git id of what git stores: the pointer for LFS files

    @classmethod
    def of(cls, name: str, data: bytes) -> _File:
        is_lfs = name.endswith(LFS_SUFFIXES) or len(data) >= LFS_MIN_SIZE
        stored = _lfs_pointer(data) if is_lfs else data
        return cls(data, is_lfs, hashlib.sha256(data).hexdigest(), git_blob_id(stored))


@dataclass
class _Repo:
    repo_id: str
    files: dict[str, _File]
    commit: str


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    range: str | None


def _load_files(files: Mapping[str, bytes] | Path | str) -> dict[str, bytes]:
    if isinstance(files, str | Path):
        root = Path(files)
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}
    return {str(k): bytes(v) for k, v in files.items()}


# --- server -------------------------------------------------------------------------------


class FakeHub:
    """A threaded fake hub. ``repos`` maps repo ids to ``{path: bytes}`` or a folder."""

    def __init__(self, repos: Mapping[str, Mapping[str, bytes] | Path | str] | None = None, *,
                 throttle_bps: float | None = None, fail_after: int | None = None,
                 fail_times: int = 1, stall_after: int | None = None,
                 status: Mapping[str, int] | None = None, private: Any = (), gated: Any = (),
                 corrupt: Any = (), blobs_metadata: bool = True, honor_range: bool = True,
                 chunk_size: int = 4096) -> None:
        self.throttle_bps = throttle_bps
        self.fail_after = fail_after
        self.fail_times = fail_times
        self.stall_after = stall_after
        self.status: dict[str, int] = dict(status or {})
        self.private: set[str] = set(private)
        self.gated: set[str] = set(gated)
        self.corrupt: set[str] = set(corrupt)
        self.blobs_metadata = blobs_metadata
        self.honor_range = honor_range
        self.chunk_size = chunk_size
        self._repos: dict[str, _Repo] = {}
        self._cond = threading.Condition()
        self._bytes: dict[str, int] = {}
        self._requests: list[Request] = []
        self._released = threading.Event()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for repo_id, files in (repos or {}).items():
            self.add_repo(repo_id, files)

    # -- life cycle

    @classmethod
    def start(cls, repos: Mapping[str, Mapping[str, bytes] | Path | str] | None = None,
              **options: Any) -> FakeHub:
        """Create and start a hub (``repos`` default: the tiny model as TINY_REPO_ID)."""
        hub = cls(repos if repos is not None else {TINY_REPO_ID: tiny_repo()}, **options)
        return hub.serve()

    def serve(self) -> FakeHub:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; stalled and throttled responses are cut off."""
        self._stopping.set()
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> FakeHub:
        return self.serve()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``: pass as ``endpoint=`` or set as ``HF_ENDPOINT``."""
        if self._server is None:
            raise RuntimeError("the fake hub is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- content

    def add_repo(self, repo_id: str, files: Mapping[str, bytes] | Path | str) -> None:
        loaded = {name: _File.of(name, data) for name, data in _load_files(files).items()}
        digest = hashlib.sha1(repo_id.encode())
        for name in sorted(loaded):
            digest.update(name.encode() + b"\0" + loaded[name].sha256.encode())
        with self._cond:
            self._repos[repo_id] = _Repo(repo_id, loaded, digest.hexdigest())

    def commit(self, repo_id: str) -> str:
        return self._repos[repo_id].commit

    def file_bytes(self, repo_id: str, filename: str) -> bytes:
        return self._repos[repo_id].files[filename].data

    @staticmethod
    def key(repo_id: str, filename: str) -> str:
        return f"{repo_id}/{filename}"

    # -- faults and counters

    def release(self) -> None:
        """Let stalled responses (``stall_after``) go on; later ones are not stalled."""
        self._released.set()

    @property
    def bytes_served(self) -> dict[str, int]:
        """File body bytes sent so far, by ``"repo/file"`` key."""
        with self._cond:
            return dict(self._bytes)

    def total_bytes_served(self, repo_id: str | None = None) -> int:
        with self._cond:
            return sum(n for k, n in self._bytes.items()
                       if repo_id is None or k.startswith(repo_id + "/"))

    @property
    def requests(self) -> list[Request]:
        with self._cond:
            return list(self._requests)

    def reset_counters(self) -> None:
        with self._cond:
            self._bytes.clear()
            self._requests.clear()

    def wait_for_bytes(self, key: str | None, n: int, timeout: float = 10.0) -> bool:
        """Block until at least ``n`` bytes of ``key`` (or of all files, if None) were sent."""
        def enough() -> bool:
            got = sum(self._bytes.values()) if key is None else self._bytes.get(key, 0)
            return got >= n

        with self._cond:
            return self._cond.wait_for(enough, timeout)

    # -- used by the handler

    def _note_request(self, request: Request) -> None:
        with self._cond:
            self._requests.append(request)

    def _note_bytes(self, key: str, n: int) -> None:
        with self._cond:
            self._bytes[key] = self._bytes.get(key, 0) + n
            self._cond.notify_all()

    def _take_failure(self, body_len: int) -> int | None:
        with self._cond:
            if self.fail_after is None or self.fail_times <= 0 or body_len <= self.fail_after:
                return None
            self.fail_times -= 1
            return self.fail_after


def _make_handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.hub = hub
    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body
    server_version = "FakeHub/1.0"
    hub: FakeHub

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    # -- plumbing

    def _send(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None,
              content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _json(self, obj: Any, status: int = 200) -> None:
        self._send(status, json.dumps(obj).encode())

    def _error(self, status: int, message: str, code: str | None = None) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._send(status, json.dumps({"error": message}).encode(), headers)

    def _repo_guard(self, repo_id: str, for_file: bool) -> _Repo | None:
        """Answer errors for unknown, private, gated or failing repos; else the repo."""
        hub = self.hub
        if repo_id in hub.status:
            code = hub.status[repo_id]
            msg = {401: "Invalid credentials in Authorization header",
                   403: "Forbidden", 404: "Repository not found"}.get(code, "Error")
            self._error(code, msg, "RepoNotFound" if code == 404 else None)
            return None
        repo = hub._repos.get(repo_id)
        if repo is None:
            self._error(404, "Repository not found", "RepoNotFound")
            return None
        if repo_id in hub.private:
            self._error(401, "Repository not found", "RepoNotFound")
            return None
        if for_file and repo_id in hub.gated:
            self._error(403, f"Access to model {repo_id} is restricted and you are not in the "
                             "authorized list.", "GatedRepo")
            return None
        return repo

    def _split_repo(self, rest: str) -> tuple[str, str] | None:
        """``owner/name/tail`` -> (repo_id, tail) for a repo the hub knows (longest match)."""
        known = sorted(self.hub._repos.keys() | self.hub.status.keys(), key=len, reverse=True)
        for repo_id in known:
            if rest == repo_id or rest.startswith(repo_id + "/"):
                return repo_id, rest[len(repo_id) + 1:]
        parts = rest.split("/")
        return ("/".join(parts[:2]), "/".join(parts[2:])) if len(parts) >= 2 else None

    def _revision_ok(self, repo: _Repo, revision: str) -> bool:
        if revision in ("main", repo.commit):
            return True
        self._error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return False

    # -- verbs

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.hub._note_request(Request(self.command, path, self.headers.get("Range")))
        try:
            if path.startswith("/api/models/"):
                self._api(path[len("/api/models/"):], query)
            elif path.startswith("/_lfs/"):
                self._lfs(path[len("/_lfs/"):])
            elif "/resolve/" in path:
                self._resolve(path.lstrip("/"))
            else:
                self._error(404, "Not found")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _api(self, rest: str, query: Mapping[str, str]) -> None:
        split = self._split_repo(rest)
        if split is None:
            self._error(404, "Repository not found", "RepoNotFound")
            return
        repo_id, tail = split
        repo = self._repo_guard(repo_id, for_file=False)
        if repo is None:
            return
        revision = "main"
        if tail.startswith("revision/"):
            revision = tail[len("revision/"):]
            tail = ""
        elif tail.startswith("tree/"):
            revision, _, sub = tail[len("tree/"):].partition("/")
            if self._revision_ok(repo, revision):
                self._tree(repo, sub.strip("/"), query.get("recursive") in ("true", "True", "1"))
            return
        if tail or not self._revision_ok(repo, revision):
            if tail:
                self._error(404, "Not found")
            return
        blobs = self.hub.blobs_metadata and query.get("blobs") in ("true", "True", "1")
        siblings = []
        for name in sorted(repo.files):
            f = repo.files[name]
            sib: dict[str, Any] = {"rfilename": name}
            if blobs:
                sib.update(blobId=f.blob_id, size=len(f.data))
                if f.is_lfs:
                    sib["lfs"] = {"sha256": f.sha256, "size": len(f.data), "pointerSize": 134}
            siblings.append(sib)
        owner = repo_id.split("/")[0] if "/" in repo_id else None
        self._json({
            "_id": repo.commit[:24], "id": repo_id, "modelId": repo_id, "author": owner,
            "sha": repo.commit, "lastModified": "2025-01-01T00:00:00.000Z",
            "createdAt": "2025-01-01T00:00:00.000Z", "private": repo_id in self.hub.private,
            "gated": "manual" if repo_id in self.hub.gated else False, "disabled": False,
            "downloads": 0, "likes": 0, "tags": ["qwen3_tts"], "library_name": "transformers",
            "siblings": siblings,
            "usedStorage": sum(len(f.data) for f in repo.files.values()),
        })

    def _tree(self, repo: _Repo, sub: str, recursive: bool) -> None:
        prefix = f"{sub}/" if sub else ""
        entries: dict[str, dict[str, Any]] = {}
        for name in sorted(repo.files):
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix):]
            if "/" in rest and not recursive:
                folder = prefix + rest.split("/")[0]
                entries[folder] = {"type": "directory", "oid": "0" * 40, "size": 0, "path": folder}
                continue
            if "/" in rest:
                parts = name.split("/")
                for i in range(len(prefix.split("/")) - 1 if prefix else 0, len(parts) - 1):
                    folder = "/".join(parts[: i + 1])
                    entries.setdefault(folder, {"type": "directory", "oid": "0" * 40,
                                                "size": 0, "path": folder})
            f = repo.files[name]
            entry: dict[str, Any] = {"type": "file", "oid": f.blob_id, "size": len(f.data),
                                     "path": name}
            if f.is_lfs:
                entry["lfs"] = {"oid": f.sha256, "size": len(f.data), "pointerSize": 134}
            entries[name] = entry
        if sub and not entries:
            self._error(404, f"{sub} does not exist", "EntryNotFound")
            return
        self._json(list(entries.values()))

    def _resolve(self, rest: str) -> None:
        repo_part, _, file_part = rest.partition("/resolve/")
        repo = self._repo_guard(repo_part, for_file=True)
        if repo is None:
            return
        revision, _, filename = file_part.partition("/")
        if not self._revision_ok(repo, revision):
            return
        f = repo.files.get(filename)
        if f is None:
            self._error(404, "Entry not found", "EntryNotFound")
            return
        headers = {"X-Repo-Commit": repo.commit, "Accept-Ranges": "bytes"}
        if f.is_lfs:
            headers.update({"ETag": f'"{f.blob_id}"', "X-Linked-Etag": f'"{f.sha256}"',
                            "X-Linked-Size": str(len(f.data)),
                            "Location": f"{self.hub.endpoint}/_lfs/{f.sha256}?name="
                                        f"{quote(FakeHub.key(repo.repo_id, filename), safe='')}"})
            self._send(302, b"", headers)
            return
        headers["ETag"] = f'"{f.blob_id}"'
        self._body(FakeHub.key(repo.repo_id, filename), f.data, headers)

    def _lfs(self, rest: str) -> None:
        sha = rest.split("?")[0]
        query = parse_qs(urlsplit(self.path).query)
        key = query.get("name", [""])[-1]
        for repo in list(self.hub._repos.values()):
            for name, f in repo.files.items():
                if f.sha256 == sha and (not key or key == FakeHub.key(repo.repo_id, name)):
                    self._body(FakeHub.key(repo.repo_id, name), f.data, {"ETag": f'"{sha}"'})
                    return
        self._error(404, "Not found")

    def _body(self, key: str, data: bytes, headers: dict[str, str]) -> None:
        hub = self.hub
        if key in hub.corrupt and data:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        size = len(data)
        start, end, status = 0, size - 1, 200
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and hub.honor_range:
            first, _, last = rng[len("bytes="):].split(",")[0].partition("-")
            try:
                start = int(first) if first else max(0, size - int(last))
                end = min(int(last), size - 1) if first and last else size - 1
            except ValueError:
                start, end = 0, size - 1
            if start >= size:
                self._send(416, b"", {"Content-Range": f"bytes */{size}"})
                return
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        body = data[start:end + 1]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        fail_at = hub._take_failure(len(body))
        stall_at = hub.stall_after if not hub._released.is_set() else None
        sent = 0
        began = time.monotonic()
        while sent < len(body):
            if hub._stopping.is_set():
                break
            if stall_at is not None and sent >= stall_at:
                if not self._wait_released():
                    break
                stall_at = None
            step = min(hub.chunk_size, len(body) - sent)
            for limit in (fail_at, stall_at):
                if limit is not None and sent < limit:
                    step = min(step, limit - sent)
            if fail_at is not None and sent >= fail_at:
                self._drop()
                return
            self.wfile.write(body[sent:sent + step])
            self.wfile.flush()
            sent += step
            hub._note_bytes(key, step)
            bps = hub.throttle_bps
            if bps:
                due = began + sent / bps
                delay = due - time.monotonic()
                if delay > 0 and hub._stopping.wait(delay):
                    break
        if sent < len(body):
            self._drop()

    def _wait_released(self) -> bool:
        """Stall until released; False if the hub stops or the client hangs up meanwhile."""
        hub = self.hub
        while not hub._released.is_set():
            if hub._stopping.is_set():
                return False
            try:
                readable, _, _ = select.select([self.connection], [], [], 0.05)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    return False  # the client closed: send nothing more (counters stay exact)
            except OSError:
                return False
        return not hub._stopping.is_set()

    def _drop(self) -> None:
        """Cut the connection mid-body (what a flaky network does)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)


# --- pytest -------------------------------------------------------------------------------

try:
    import pytest
except ImportError:  # pragma: no cover - only the tests need the fixture
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture(name="fake_hub")
    def fake_hub_fixture() -> Iterator[FakeHub]:
        """The ``fake_hub`` fixture: a running FakeHub serving :func:`tiny_repo` as
        :data:`TINY_REPO_ID`. Use it with ``from studio.testing.fake_hub import
        fake_hub_fixture  # noqa: F401`` in a test module or conftest."""
        hub = FakeHub.start()
        try:
            yield hub
        finally:
            hub.stop()
