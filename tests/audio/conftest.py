"""Real PortAudio devices for tests: a private PulseAudio null sink, and ALSA's null device.

The ``pulse`` fixture starts its own PulseAudio daemon (never the user's) with a null sink
whose monitor records whatever is played, points this process's PortAudio at it (through
ALSA's "pulse" plugin), and stops the daemon by its PID afterwards. It skips, saying why,
where pulseaudio, its tools or PortAudio are missing.

The ``alsa_null`` fixture makes ALSA's default device a ``null`` pcm (through a private
asoundrc): PortAudio streams open and their callbacks run, unpaced (a second of audio
"plays" at once) and recording only silence. No daemon, so it runs wherever PortAudio and
ALSA exist; it checks the real callback plumbing, not the sound.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from studio.audio.samplerate import SAMPLE_RATE

RATE = SAMPLE_RATE
SINK = "nullsink"


class MonitorCapture:
    """``parec`` on the null sink's monitor: float32 mono at 24 kHz, read by a thread."""

    def __init__(self, env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(
            ["parec", "-d", f"{SINK}.monitor", "--raw", "--format=float32le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=20"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._data = bytearray()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="parec-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        while True:
            chunk = self._proc.stdout.read1(8192)
            with self._cond:
                if chunk:
                    self._data.extend(chunk)
                self._cond.notify_all()
            if not chunk:
                return

    def samples(self) -> np.ndarray:
        with self._cond:
            n = len(self._data) // 4 * 4
            return np.frombuffer(bytes(self._data[:n]), dtype="<f4").astype(np.float32)

    def wait_until(self, predicate: Callable[[np.ndarray], bool], timeout: float) -> bool:
        """Wait (on the reader's notifications, no polling) until ``predicate(samples)``."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self._samples_locked()), timeout)

    def _samples_locked(self) -> np.ndarray:
        n = len(self._data) // 4 * 4
        return np.frombuffer(bytes(self._data[:n]), dtype="<f4")

    def close(self) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._thread.join(timeout=5)


@dataclass
class PulseServer:
    pid: int
    socket: Path
    env: dict[str, str]  # for pulse client tools (parec, pacat)
    device: str = "pulse"  # PortAudio's name for it
    sink: str = SINK
    exact_start: bool = True  # False: the monitor may miss a new stream's first ~15 ms

    @contextlib.contextmanager
    def capture(self) -> Iterator[MonitorCapture]:
        """Record the sink's monitor; yields once parec is delivering samples."""
        cap = MonitorCapture(self.env)
        try:
            if not cap.wait_until(lambda s: s.size >= RATE // 20, timeout=10):
                pytest.fail("parec delivered no samples from the null sink's monitor")
            yield cap
        finally:
            cap.close()

    def play_raw(self, audio: np.ndarray) -> subprocess.Popen:
        """Play float32 mono 24 kHz into the sink with pacat (returns the running process)."""
        proc = subprocess.Popen(
            ["pacat", "--playback", "-d", self.sink, "--raw", "--format=float32le",
             f"--rate={RATE}", "--channels=1"],
            env=self.env, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdin is not None
        proc.stdin.write(np.asarray(audio, "<f4").tobytes())
        proc.stdin.close()
        return proc


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _reinit_portaudio(sd) -> None:
    """PortAudio lists devices once, at initialisation: make it look again."""
    sd._terminate()
    sd._initialize()


def _start_daemon(env: dict[str, str], sock: Path, sink_args: str
                  ) -> tuple[subprocess.Popen, list[str]]:
    """Start a private daemon; returns once it is ready or has exited (with its log)."""
    cmd = ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--use-pid-file=no",
           "--disable-shm=yes", "--realtime=no", "--high-priority=no", "--log-target=stderr",
           "--log-level=info",
           f"--load=module-null-sink sink_name={SINK} rate={RATE} channels=1 "
           f"format=float32le {sink_args}".strip(),
           f"--load=module-native-protocol-unix auth-anonymous=1 socket={sock}"]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_parent)
    atexit.register(_stop, proc)  # even if the session is torn down abruptly
    log: list[str] = []
    ready = threading.Event()

    def read_log() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line.rstrip())
            if "Daemon startup complete" in line:
                ready.set()
        ready.set()  # it exited

    threading.Thread(target=read_log, name="pulse-log", daemon=True).start()
    started = ready.wait(15)
    if not started or proc.poll() is not None or any("Failed to load module" in line for line in log):
        _stop(proc)  # a daemon without our modules is no use (it keeps running otherwise)
    return proc, log


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    missing = [t for t in ("pulseaudio", "parec", "pacat") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"PulseAudio is not installed ({', '.join(missing)} not found); "
                    "install pulseaudio and pulseaudio-utils to run the real-device tests")
    try:
        import sounddevice as sd
    except OSError as exc:
        pytest.skip(f"PortAudio is not installed ({exc}); install libportaudio2")
    if not (hasattr(sd, "_terminate") and hasattr(sd, "_initialize")):
        pytest.skip("this sounddevice cannot re-initialise PortAudio")

    root = tmp_path_factory.mktemp("pulse")
    run = root / "run"
    run.mkdir(mode=0o700)
    sock = run / "native"
    daemon_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root),
                  "XDG_RUNTIME_DIR": str(run), "XDG_CONFIG_HOME": str(root / "config"),
                  "XDG_STATE_HOME": str(root / "state"), "XDG_CACHE_HOME": str(root / "cache"),
                  "LANG": "C"}
    (root / "client.conf").write_text("autospawn = no\n")
    client_env = {"PULSE_SERVER": f"unix:{sock}",
                  "PULSE_CLIENTCONFIG": str(root / "client.conf"),
                  "PULSE_COOKIE": str(root / "cookie")}
    # norewinds=1 (PulseAudio >= 15) keeps the monitor from missing the start of a stream
    # after a rewind, and lets parec's samples flow at once; older daemons refuse it.
    proc, log = _start_daemon(daemon_env, sock, "norewinds=1")
    exact = proc.poll() is None
    if not exact:
        proc, log = _start_daemon(daemon_env, sock, "")
    saved = {k: os.environ.get(k) for k in client_env}
    try:
        if proc.poll() is not None:
            pytest.skip("the private PulseAudio daemon did not start: "
                        + " | ".join(log[-5:]))
        os.environ.update(client_env)
        _reinit_portaudio(sd)
        names = [d["name"] for d in sd.query_devices()]
        if "pulse" not in names:
            pytest.skip(f"PortAudio does not see the 'pulse' ALSA device (it sees {names}); "
                        "install libasound2-plugins")
        yield PulseServer(pid=proc.pid, socket=sock, env={**daemon_env, **client_env},
                          exact_start=exact)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _stop(proc)
        atexit.unregister(_stop)
        with contextlib.suppress(Exception):
            _reinit_portaudio(sd)


@pytest.fixture
def alsa_null(tmp_path: Path) -> Iterator[str]:
    """PortAudio's ALSA "default" device, pointed at ALSA's null pcm; yields its name."""
    if not sys.platform.startswith("linux"):
        pytest.skip("ALSA is Linux only")
    try:
        import sounddevice as sd
    except OSError as exc:
        pytest.skip(f"PortAudio is not installed ({exc}); install libportaudio2")
    if not (hasattr(sd, "_terminate") and hasattr(sd, "_initialize")):
        pytest.skip("this sounddevice cannot re-initialise PortAudio")
    (tmp_path / "alsa").mkdir()
    (tmp_path / "alsa" / "asoundrc").write_text(
        'pcm.!default {\n    type plug\n    slave.pcm "null"\n}\n')
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path)
    try:
        _reinit_portaudio(sd)
        alsa = [i for i, h in enumerate(sd.query_hostapis()) if h["name"] == "ALSA"]
        names = [d["name"] for d in sd.query_devices() if d["hostapi"] in alsa]
        if "default" not in names:
            pytest.skip(f"PortAudio has no ALSA default device here (it sees {names})")
        yield "default"
    finally:
        if saved is None:
            os.environ.pop("XDG_CONFIG_HOME", None)
        else:
            os.environ["XDG_CONFIG_HOME"] = saved
        with contextlib.suppress(Exception):
            _reinit_portaudio(sd)
