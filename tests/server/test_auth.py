"""Who may call: a token-protected server, loopback Host/Origin checks, and the CLI's
refusal to listen on the network without a token."""

from __future__ import annotations

import pytest

from studio.cli import main
from studio.errors import InvalidInput
from studio.server.config import ServerConfig, is_loopback
from tests.server.conftest import error_of

TOKEN = "s3cret-token-for-tests"


def test_token_protected_server_refuses_unauthenticated_calls(serve, studio_home):
    api = serve(token=TOKEN)
    for method, path in [("GET", "/health"), ("GET", "/v1/voices"), ("POST", "/v1/audio/speech"),
                         ("DELETE", "/v1/voices/speaker:ryan"), ("GET", "/nowhere")]:
        r = api.http.request(method, path, json={"input": "Hi", "voice": "Ryan"})
        assert error_of(r, 401)["code"] == "missing_token", path
        assert r.headers["www-authenticate"] == "Bearer"
    for header in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer", f"Bearer {TOKEN[:-1]}"):
        r = api.http.get("/health", headers={"Authorization": header})
        err = error_of(r, 401)
        assert err["code"] == "invalid_token" and err["type"] == "authentication_error"
    upload = api.http.post("/v1/voices/preview", files={"file": ("a.wav", b"x" * 1000)})
    assert error_of(upload, 401)["code"] == "missing_token"

    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert api.http.get("/health", headers=auth).json()["status"] == "ok"
    r = api.http.post("/v1/audio/speech", json={"input": "Hi.", "voice": "Ryan"}, headers=auth)
    assert r.status_code == 200 and r.headers["content-type"] == "audio/mpeg"  # OpenAI's default
    lower = {"authorization": f"bearer {TOKEN}", "Origin": "https://app.example"}
    assert api.http.get("/v1/voices", headers=lower).status_code == 200


def test_loopback_server_refuses_foreign_hosts_and_web_pages(api):
    rebinding = api.http.get("/health", headers={"Host": "evil.example:8765"})
    assert error_of(rebinding, 403)["code"] == "host_not_allowed"
    page = api.http.post("/v1/voices/preview", headers={"Origin": "https://evil.example"},
                         files={"file": ("a.wav", b"x")}, data={"text": "hi"})
    assert error_of(page, 403)["code"] == "origin_not_allowed"
    assert error_of(api.http.get("/health", headers={"Origin": "null"}), 403)
    for host in ("localhost:8765", "127.0.0.1", "[::1]:8765"):
        assert api.http.get("/health", headers={"Host": host}).status_code == 200
    local_page = api.http.get("/health", headers={"Origin": "http://localhost:3000"})
    assert local_page.status_code == 200


def test_network_host_needs_a_token():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert is_loopback("127.0.0.2") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("example.com") and not is_loopback("::")
    with pytest.raises(InvalidInput, match="without a token"):
        ServerConfig(host="0.0.0.0").check()
    with pytest.raises(InvalidInput, match="empty"):
        ServerConfig(host="0.0.0.0", token="  ").check()
    ServerConfig(host="0.0.0.0", token=TOKEN).check()
    with pytest.raises(InvalidInput):
        ServerConfig(queue_size=-1).check()


def test_cli_refuses_a_network_host_without_a_token(capsys, monkeypatch):
    monkeypatch.delenv("VOICE_STUDIO_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "without a token" in err and "--token" in err


def test_cli_serve_passes_its_options(monkeypatch, tmp_path):
    seen: list = []
    monkeypatch.setattr("studio.server.runner.serve",
                        lambda config, verbose=False: seen.append((config, verbose)))
    monkeypatch.setenv("VOICE_STUDIO_TOKEN", TOKEN)
    # a --model folder must hold a model (an incomplete one is listed, not refused)
    (tmp_path / "config.json").write_text('{"model_type": "qwen3_tts", "tts_model_type": "base"}')
    argv = ["--device", "cpu", "--model", str(tmp_path), "serve", "--host", "0.0.0.0",
            "--port", "9000", "--queue-size", "2", "--timeout", "30", "--idle-unload", "0",
            "--max-seconds", "20"]
    assert main(argv) == 0
    config, verbose = seen[0]
    assert (config.host, config.port, config.token) == ("0.0.0.0", 9000, TOKEN)
    assert (config.queue_size, config.request_timeout_s) == (2, 30.0)
    assert config.idle_unload_s is None and config.max_seconds == 20.0
    assert config.device == "cpu" and config.extra_models == [tmp_path] and not verbose


def test_cli_reports_a_taken_port(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err and "--port" in err
