"""``voice-studio --self-test`` and the frozen bundle's stand-ins, without building a bundle.

The bundle leaves librosa, sox, onnxruntime and their dependencies out and serves small
stand-ins instead (packaging/hooks/rthook_voice_studio.py). These tests check the
stand-ins compute exactly what librosa does, and run the whole self-test in a Python where
the left-out packages are hidden, which is what the frozen app sees. packaging/smoke-test
runs the same self-test in the real bundle.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
HOOK = REPO / "packaging" / "hooks" / "rthook_voice_studio.py"
STEPS = ("engine import", "models found: 3 (base, custom_voice, voice_design)",
         "load Qwen3-TTS-12Hz-Tiny-Base", "clone prompt on Qwen3-TTS-12Hz-Tiny-Base",
         "load Qwen3-TTS-12Hz-Tiny-VoiceDesign", "load Qwen3-TTS-12Hz-Tiny-CustomVoice",
         "streamed take -> ", "encoded takes (take.mp3 ",
         "project: 2 blocks rendered (speaker:ryan) and exported to M4B",
         "transcription models found: 1 (whisper-tiny-random)",
         "transcribe a test tone with whisper-tiny-random",
         "main window shown and closed")


@pytest.fixture(scope="module")
def hook() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("rthook_voice_studio", HOOK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # does nothing on import outside a frozen app
    return module


def _lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("self-test:")]


def _assert_passed(lines: list[str]) -> None:
    for step in STEPS:
        assert any(step in line and line.split(" ... ")[-1].startswith("ok (") for line in lines), \
            f"no passed line for {step!r} in:\n" + "\n".join(lines)
    assert not any("FAILED" in line for line in lines)
    assert lines[-1] == "self-test: passed"


# --- the librosa stand-in equals librosa ---------------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(sr=24000, n_fft=1024, n_mels=128, fmin=0, fmax=12000),  # Qwen3-TTS speaker encoder
    dict(sr=16000, n_fft=400, n_mels=80, fmin=0, fmax=None),
    dict(sr=22050, n_fft=2048, n_mels=128, fmin=30.0, fmax=8000.0),
])
def test_mel_filterbank_is_librosas(hook, kw):
    librosa = pytest.importorskip("librosa")
    expected = librosa.filters.mel(**kw)
    got = hook.mel(**kw)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(("orig", "target"), [(16000, 24000), (44100, 24000), (24000, 16000)])
def test_resample_is_librosas(hook, orig, target):
    librosa = pytest.importorskip("librosa")
    y = np.random.default_rng(0).standard_normal(orig * 2).astype(np.float32)
    np.testing.assert_array_equal(hook.resample(y, orig_sr=orig, target_sr=target),
                                  librosa.resample(y, orig_sr=orig, target_sr=target))


def test_load_is_librosas(hook, tmp_path):
    librosa = pytest.importorskip("librosa")
    import soundfile as sf

    y = np.random.default_rng(1).standard_normal((44100, 2)).astype(np.float32) * 0.3
    path = tmp_path / "stereo.wav"
    sf.write(path, y, 44100, subtype="FLOAT")
    for kw in (dict(sr=None), dict(sr=24000)):
        got, got_sr = hook.load(path, mono=True, **kw)
        want, want_sr = librosa.load(path, mono=True, **kw)
        assert got_sr == want_sr and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_25hz_only_stand_ins_import_but_refuse_use(hook):
    sox, ort = types.ModuleType("sox"), types.ModuleType("onnxruntime")
    hook._build_sox(sox)
    hook._build_onnxruntime(ort)
    assert getattr(sox, "__file__", None) is None  # introspection never raises
    with pytest.raises(hook.StandInUnavailable, match="25 Hz"):
        sox.Transformer()
    with pytest.raises(hook.StandInUnavailable):
        ort.InferenceSession("x.onnx")
    assert ort.GraphOptimizationLevel.ORT_ENABLE_ALL == 99


# --- the self-test -------------------------------------------------------------------------

_AS_FROZEN = textwrap.dedent("""
    import importlib.machinery, importlib.util, sys
    spec = importlib.util.spec_from_file_location("rthook_voice_studio", sys.argv[1])
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)

    class Hidden(importlib.machinery.PathFinder):
        '''The normal path finder, blind to what the bundle leaves out.'''
        @classmethod
        def find_spec(cls, name, path=None, target=None):
            if name.split(".")[0] in hook.LEFT_OUT:
                return None
            return super().find_spec(name, path, target)

    sys.meta_path[:] = [Hidden if f is importlib.machinery.PathFinder else f
                        for f in sys.meta_path]
    hook.install()
    from studio.__main__ import main
    code = main(sys.argv[2:])
    real = sorted(n for n in hook.LEFT_OUT if n in sys.modules
                  and not getattr(sys.modules[n], hook.STAND_IN_FLAG, False))
    if real:
        print("left-out packages were imported:", real, file=sys.stderr)
        code = 3
    sys.exit(code)
""")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HF_HUB_OFFLINE="1", **extra)
    env.pop("DISPLAY", None)
    return env


@pytest.mark.slow
def test_self_test_passes_without_the_left_out_packages(tiny_models_dir, tiny_whisper_dir,
                                                        studio_home):
    """The whole self-test, as the bundle runs it: librosa & co. hidden, stand-ins in."""
    result = subprocess.run(
        [sys.executable, "-c", _AS_FROZEN, str(HOOK), "--self-test", "--models",
         str(tiny_models_dir), "--models", str(tiny_whisper_dir.parent), "--device", "cpu",
         "--frames", "12"],
        capture_output=True, text=True, timeout=280, cwd=REPO,
        env=_env(VOICE_STUDIO_HOME=str(studio_home)))
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    lines = _lines(result.stdout)
    assert result.stdout.splitlines() == lines, "stdout holds more than step lines"
    _assert_passed(lines)
    engine = next(line for line in lines if "engine import" in line)
    assert "stand-ins: librosa, onnxruntime, sox" in engine
    take = next(line for line in lines if "streamed take" in line)
    assert str(studio_home) not in take  # the take goes to a temporary folder
    assert not (studio_home / "settings.json").exists()  # the window used its own home


def test_no_models_is_a_clear_failure(tmp_path, monkeypatch, capsys):
    from studio.selftest import run, window

    monkeypatch.setattr(window, "show_window", lambda roots, work: "main window (stub)")
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(tmp_path / "elsewhere"))
    empty = tmp_path / "no-models"
    empty.mkdir()
    assert run.main(["--models", str(empty)]) == 1
    lines = _lines(capsys.readouterr().out)
    found = next(line for line in lines if "models found" in line)
    assert f"FAILED: no usable Qwen3-TTS 12 Hz model in {empty}" in found
    assert "voice-studio models download" in found
    assert any("load models ... FAILED: skipped" in line for line in lines)
    assert any("main window (stub) ... ok" in line for line in lines)
    assert lines[-1] == "self-test: failed"


def test_window_only_reports_the_cold_start(tiny_models_dir, studio_home):
    """``--self-test`` anywhere in argv; with VOICE_STUDIO_T0 the window step times the
    whole start of the process, which is how packaging/smoke-test compares bundle and venv."""
    result = subprocess.run(
        [sys.executable, "-m", "studio", "--window-only", "--self-test", "--models",
         str(tiny_models_dir)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env=_env(VOICE_STUDIO_HOME=str(studio_home), VOICE_STUDIO_T0=f"{time.time():.3f}"))
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    lines = _lines(result.stdout)
    assert len(lines) == 2 and lines[-1] == "self-test: passed"
    assert "main window shown and closed (offscreen; cold start to first paint" in lines[0]
    assert "engine import" not in result.stdout


def test_an_error_scanning_for_whisper_models_is_a_failed_step(tmp_path, monkeypatch, capsys):
    """Not a traceback out of main: the scan is a step like the others."""
    from studio import hub
    from studio.selftest import run, window

    def broken(_roots, kind="tts"):  # noqa: ANN001, ANN202
        raise PermissionError("models folder is not readable")

    monkeypatch.setattr(window, "show_window", lambda roots, work: "main window (stub)")
    monkeypatch.setattr(hub, "discover", broken)
    empty = tmp_path / "no-models"
    empty.mkdir()
    assert run.main(["--models", str(empty)]) == 1
    lines = _lines(capsys.readouterr().out)
    scan = next(line for line in lines if "transcription models found" in line)
    assert scan == (f"self-test: transcription models found in {empty} ... FAILED: "
                    "PermissionError: models folder is not readable")
    assert not any("transcribe with" in line for line in lines)
    assert any("main window (stub) ... ok" in line for line in lines)
    assert lines[-1] == "self-test: failed"


def test_no_whisper_model_is_an_ok_step_that_says_so(tmp_path, monkeypatch, capsys):
    from studio.selftest import run, window

    monkeypatch.setattr(window, "show_window", lambda roots, work: "main window (stub)")
    empty = tmp_path / "no-models"
    empty.mkdir()
    run.main(["--models", str(empty)])
    lines = _lines(capsys.readouterr().out)
    scan = next(line for line in lines if "transcription models found" in line)
    assert scan.startswith(f"self-test: transcription models found: none in {empty} "
                           "(optional, transcription not tested) ... ok (")


# --- windowed builds: no stdout / stderr ---------------------------------------------------

def test_fix_stdio_gives_a_windowed_build_writable_streams(monkeypatch):
    """A windowed frozen build starts with sys.stdout/stderr None; tqdm and torch write there."""
    from studio.ui.main import fix_stdio

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    fix_stdio()
    try:
        for stream in (sys.stdout, sys.stderr):
            assert stream is not None
            stream.write("discarded\n")
            stream.flush()
    finally:
        sys.stdout.close()
        sys.stderr.close()


def test_fix_stdio_leaves_real_streams_alone(monkeypatch):
    import io

    from studio.ui.main import fix_stdio

    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    fix_stdio()
    assert sys.stdout is out and sys.stderr is err


def test_self_test_without_stdout_writes_its_lines_to_the_log(tmp_path, monkeypatch,
                                                               studio_home):
    """Windowed build: the step lines go to <root>/logs/self-test.log, nothing raises."""
    from studio.selftest import run, window

    monkeypatch.setattr(window, "show_window", lambda roots, work: "main window (stub)")
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    empty = tmp_path / "no-models"
    empty.mkdir()
    try:
        assert run.main(["--models", str(empty)]) == 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.close()
    log = studio_home / "logs" / "self-test.log"
    lines = _lines(log.read_text(encoding="utf-8"))
    assert any("main window (stub) ... ok" in line for line in lines)
    assert lines[-1] == "self-test: failed"
