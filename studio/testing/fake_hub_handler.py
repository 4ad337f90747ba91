"""The fake hub's HTTP side: the hub's API, resolve and LFS URLs, Range requests and faults.

It reads the hub's state (repos, faults, counters) through ``self.hub`` at each request, so
a test can change faults between calls.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from studio.testing.fake_hub_repos import HostedRepo
from studio.testing.fake_hub_state import FakeHubState, Request


def make_handler(hub: FakeHubState) -> type[BaseHTTPRequestHandler]:
    """A request handler class serving ``hub`` (an http.server wants a class, not an object)."""
    class Handler(_Handler):
        pass

    Handler.hub = hub
    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body
    server_version = "FakeHub/1.0"
    hub: FakeHubState

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    # -- plumbing

    def _head(self, status: int, length: int, headers: Mapping[str, str] | None,
              content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()

    def _send(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None,
              content_type: str = "application/json") -> None:
        self._head(status, len(body), headers, content_type)
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _json(self, obj: Any, status: int = 200) -> None:
        self._send(status, json.dumps(obj).encode())

    def _error(self, status: int, message: str, code: str | None = None) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._send(status, json.dumps({"error": message}).encode(), headers)

    def _repo_guard(self, repo_id: str, for_file: bool) -> HostedRepo | None:
        """Answer errors for unknown, private, gated or failing repos; else the repo."""
        hub = self.hub
        if repo_id in hub.status:
            code = hub.status[repo_id]
            msg = {401: "Invalid credentials in Authorization header",
                   403: "Forbidden", 404: "Repository not found"}.get(code, "Error")
            self._error(code, msg, "RepoNotFound" if code == 404 else None)
            return None
        repo = hub.repos.get(repo_id)
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

    def _endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _split_repo(self, rest: str) -> tuple[str, str] | None:
        """``owner/name/tail`` -> (repo_id, tail) for a repo the hub knows (longest match)."""
        known = sorted(self.hub.repos.keys() | self.hub.status.keys(), key=len, reverse=True)
        for repo_id in known:
            if rest == repo_id or rest.startswith(repo_id + "/"):
                return repo_id, rest[len(repo_id) + 1:]
        parts = rest.split("/")
        return ("/".join(parts[:2]), "/".join(parts[2:])) if len(parts) >= 2 else None

    def _revision_ok(self, repo: HostedRepo, revision: str) -> bool:
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
        self.hub.note_request(Request(self.command, path, self.headers.get("Range")))
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

    def _tree(self, repo: HostedRepo, sub: str, recursive: bool) -> None:
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
                            "Location": f"{self._endpoint()}/_lfs/{f.sha256}?name="
                                        f"{quote(self.hub.key(repo.repo_id, filename), safe='')}"})
            self._send(302, b"", headers)
            return
        headers["ETag"] = f'"{f.blob_id}"'
        self._body(self.hub.key(repo.repo_id, filename), f.data, headers)

    def _lfs(self, rest: str) -> None:
        sha = rest.split("?")[0]
        query = parse_qs(urlsplit(self.path).query)
        key = query.get("name", [""])[-1]
        for repo in list(self.hub.repos.values()):
            for name, f in repo.files.items():
                if f.sha256 == sha and (not key or key == self.hub.key(repo.repo_id, name)):
                    self._body(self.hub.key(repo.repo_id, name), f.data, {"ETag": f'"{sha}"'})
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
        self._head(status, len(body), headers, "application/octet-stream")
        if self.command == "HEAD":
            return
        fail_at = hub.take_failure(len(body))
        stall_at = hub.stall_after if not hub.released.is_set() else None
        sent = 0
        began = time.monotonic()
        while sent < len(body):
            if hub.stopping.is_set():
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
            # counted before writing: a client may have read the bytes (and a test its
            # counters) before this thread runs again
            hub.note_bytes(key, step)
            try:
                self.wfile.write(body[sent:sent + step])
                self.wfile.flush()
            except OSError:
                hub.note_bytes(key, -step)
                raise
            sent += step
            bps = hub.throttle_bps
            if bps:
                due = began + sent / bps
                delay = due - time.monotonic()
                if delay > 0 and hub.stopping.wait(delay):
                    break
        if sent < len(body):
            self._drop()

    def _wait_released(self) -> bool:
        """Stall until released; False if the hub stops or the client hangs up meanwhile."""
        hub = self.hub
        while not hub.released.is_set():
            if hub.stopping.is_set():
                return False
            try:
                readable, _, _ = select.select([self.connection], [], [], 0.05)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    return False  # the client closed: send nothing more (counters stay exact)
            except OSError:
                return False
        return not hub.stopping.is_set()

    def _drop(self) -> None:
        """Cut the connection mid-body (what a flaky network does)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
