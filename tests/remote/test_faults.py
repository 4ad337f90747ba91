"""What the remote engine says when the server is not there, is not a speech server, wants
another token, has a certificate this computer does not trust, or is killed mid-take."""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from studio.engine.options import Sampling
from studio.engine.speak_request import PRESET, SpeakRequest
from studio.remote.choice import STUDIO, EngineChoice, server_for
from studio.remote.errors import (
    NotASpeechServer,
    ServerUnreachable,
    StreamDropped,
    TlsProblem,
    WrongToken,
)
from studio.server.config import ServerConfig
from studio.server.runner import ServerThread
from tests.remote.conftest import SAMPLES, preset

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_nothing_listening_is_unreachable():
    server = server_for(EngineChoice(STUDIO, f"127.0.0.1:{free_port()}"))
    try:
        with pytest.raises(ServerUnreachable, match="Cannot reach the server at 127.0.0.1:.* "
                           r"\(Connection refused\)\. Check that 'voice-studio serve' runs"):
            server.speak(preset())
        with pytest.raises(ServerUnreachable):
            server.probe()
    finally:
        server.close()


def test_another_web_server_is_not_a_speech_server(tmp_path):
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))  # noqa: E731
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=web.serve_forever, daemon=True)
    thread.start()
    server = server_for(EngineChoice(STUDIO, f"http://127.0.0.1:{web.server_port}/"))
    try:
        with pytest.raises(NotASpeechServer, match="answered, but not as a speech server"):
            server.probe()
        with pytest.raises(NotASpeechServer):
            server.speak(preset())
    finally:
        server.close()
        web.shutdown()
        web.server_close()
        thread.join(5)


def test_a_wrong_or_missing_token_is_said_and_never_shown(serve, remote, caplog):
    api = serve(token="the-right-token")
    caplog.set_level("DEBUG")
    with pytest.raises(WrongToken) as wrong:
        remote(api, token="a-wrong-token").speak(preset())
    assert "refused the token (it is wrong)" in str(wrong.value)
    with pytest.raises(WrongToken, match="needs a token"):
        remote(api).probe()
    right = remote(api, token="the-right-token")
    assert not right.probe().missing and len(right.speak(preset()).audio) == SAMPLES
    shown = str(wrong.value) + caplog.text + repr(right) + repr(right.conn)
    assert "the-right-token" not in shown and "a-wrong-token" not in shown


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_is_checked_against_the_systems_certificates(tiny_models_dir, tmp_path):
    """A self-made certificate (as behind a home reverse proxy) is refused with a clear
    reason by default, and works once trusted (here: by the test's own TLS context)."""
    from studio.engine.pool import ModelPool
    from tests.server.conftest import MAX_SECONDS, STREAMING

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    config = ServerConfig(port=0, pool=ModelPool(device="cpu", roots=[tiny_models_dir]),
                          max_seconds=MAX_SECONDS, idle_unload_s=None, streaming=STREAMING)
    with ServerThread(config, ssl_keyfile=str(key), ssl_certfile=str(cert)) as served:
        url = served.url.replace("http://", "https://")
        untrusted = server_for(EngineChoice(STUDIO, url))
        try:
            with pytest.raises(TlsProblem, match="certificate is not trusted by this computer"):
                untrusted.probe()
        finally:
            untrusted.close()
        trusting = ssl.create_default_context(cafile=str(cert))
        secure = server_for(EngineChoice(STUDIO, url), tls=trusting)
        try:
            assert len(secure.speak(preset()).audio) == SAMPLES
        finally:
            secure.close()
        plain = server_for(EngineChoice(STUDIO, served.url))  # http:// to a TLS port
        try:
            with pytest.raises(StreamDropped, match="closed the connection without answering"):
                plain.probe()
        finally:
            plain.close()


def listening(server) -> bool:  # noqa: ANN001
    try:
        server.probe()
    except ServerUnreachable:
        return False
    return True


@pytest.mark.slow
def test_killing_the_server_mid_take_keeps_what_arrived(tiny_models_dir, studio_home):
    """``voice-studio serve`` in its own process, killed (SIGKILL) when the first audio of
    a long take arrives: the take ends as interrupted with that audio, and the next one
    says the server cannot be reached."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
           "VOICE_STUDIO_HOME": str(studio_home), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "studio", "--device", "cpu", "-v",
                             "--model", str(tiny_models_dir), "serve", "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # "Voice Studio API on http://127.0.0.1:PORT ..."
        assert "Voice Studio API on" in line, proc.stderr.read()
        url = line.split(" on ", 1)[1].split()[0]
        log = iter(proc.stderr.readline, "")  # -v: uvicorn says when its app is ready
        assert any("Application startup complete" in entry for entry in log)
        server = server_for(EngineChoice(STUDIO, url))
        assert any(listening(server) for _ in range(1000))  # it listens a moment later
        arrived: list[int] = []

        def kill_at_first_audio(chunk) -> None:  # noqa: ANN001
            arrived.append(len(chunk))
            if len(arrived) == 1:
                proc.send_signal(signal.SIGKILL)

        long_text = "This is a long sentence that the tiny model will never finish. " * 20
        take = server.speak(SpeakRequest(long_text, PRESET, speaker="ryan",
                                         sampling=Sampling(seed=1)), on_chunk=kill_at_first_audio)
        assert take.stop_reason == "interrupted"
        assert len(take.audio) == sum(arrived) > 0
        assert "dropped in the middle of the take" in take.message
        proc.wait(20)  # gone for good: nothing listens any more
        with pytest.raises(ServerUnreachable):
            server.speak(preset())
        server.close()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
