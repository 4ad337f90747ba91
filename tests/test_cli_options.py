"""Sampling options are checked once (studio.engine.sampling_ranges), the same way by the
command line, the server and the window, and on the command line before any model loads:
these runs have no model on disk, so an option checked later would fail as "no model"."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from studio.cli import main
from studio.engine import sampling_ranges
from studio.server.config import ServerConfig
from studio.server.schemas import SpeechRequest

BAD = [
    ("--max-seconds", "nan"), ("--max-seconds", "inf"), ("--max-seconds", "1e308"),
    ("--max-seconds", "0"), ("--max-seconds", "-1"),
    ("--seed", "99999999999999999999"), ("--seed", "-5"), ("--seed", "2147483647"),
    ("--temperature", "nan"), ("--temperature", "0"), ("--temperature", "2.5"),
    ("--top-p", "2"), ("--top-p", "0"), ("--top-k", "0"), ("--top-k", "4096"),
    ("--repetition-penalty", "inf"), ("--repetition-penalty", "0.5"),
]


@pytest.mark.parametrize("command", [["speak", "Hi.", "--speaker", "ryan"],
                                     ["design", "Hi.", "-i", "A calm voice."]])
@pytest.mark.parametrize("option,value", BAD)
def test_bad_sampling_options_are_one_line_before_any_model(command, option, value, capsys):
    assert main([*command, option, value]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"voice-studio: error: {option} must be ")


@pytest.mark.parametrize("option,value", BAD)
def test_the_server_refuses_exactly_what_the_cli_refuses(option, value):
    name = option.lstrip("-").replace("-", "_")
    number = int(value) if name in ("seed", "top_k") else float(value)
    assert sampling_ranges.problem(name, number)
    if name in ("seed", "max_seconds"):  # the options the API takes
        with pytest.raises(ValidationError):
            SpeechRequest.model_validate({"input": "Hi.", "voice": "Ryan", name: number})


@pytest.mark.parametrize("name,value", [("seed", 0), ("seed", 2**31 - 2), ("max_seconds", 3600),
                                        ("max_seconds", 0.01)])
def test_edge_values_pass_everywhere(name, value):
    assert sampling_ranges.problem(name, value) is None
    SpeechRequest.model_validate({"input": "Hi.", "voice": "Ryan", name: value})


def test_the_window_spin_boxes_span_the_same_ranges(qtbot):
    from studio.ui.widgets.sampling_box import SamplingBox

    box = SamplingBox()
    qtbot.addWidget(box)
    for widget, name in [(box.temperature, "temperature"), (box.top_k, "top_k"),
                         (box.top_p, "top_p"), (box.repetition, "repetition_penalty"),
                         (box.seed, "seed")]:
        assert (widget.minimum(), widget.maximum()) == (sampling_ranges.RANGES[name].low,
                                                        sampling_ranges.RANGES[name].high)


@pytest.mark.parametrize("option,value", [("--max-seconds", "inf"), ("--max-seconds", "nan"),
                                          ("--max-seconds", "1e308"), ("--timeout", "nan"),
                                          ("--timeout", "inf"), ("--idle-unload", "nan")])
@pytest.mark.timeout(60)  # a server that accepted the value would run until killed
def test_serve_refuses_bad_limits_before_it_starts(option, value, capsys):
    assert main(["serve", "--port", "0", option, value]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("voice-studio: error: ")
    assert "must be" in err[0]


def test_server_config_refuses_non_finite_numbers():
    for change in (dict(max_seconds=float("nan")), dict(request_timeout_s=float("inf")),
                   dict(body_timeout_s=0), dict(max_uploads=0)):
        with pytest.raises(Exception, match="must be"):
            ServerConfig(**change).check()


def test_max_seconds_caps_the_whole_take_on_the_command_line(tiny_models_dir, monkeypatch,
                                                             tmp_path):
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(tiny_models_dir))
    text = "\n\n".join(f"Part number {i} of a longer text." for i in range(5))  # 5 segments
    for extra in ([], ["--stream"], ["--batch", "1"], ["--batch", "3", "--stream"]):
        out = tmp_path / f"out{len(extra)}.wav"
        assert main(["speak", text, "--speaker", "ryan", "--seed", "2", "--max-seconds", "0.5",
                     "-o", str(out), *extra]) == 0
        audio, sr = sf.read(out)
        assert sr == 24000 and len(audio) == 12000 and np.isfinite(audio).all()
