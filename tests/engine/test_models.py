"""Models are found by what their config says, not by their folder names."""

from __future__ import annotations

import json
import re

import pytest

from studio import paths
from studio.engine import models
from studio.errors import DeviceUnavailable
from studio.hub import discover


def test_models_dir_follows_environment(monkeypatch, tmp_path, studio_home):
    assert paths.models_dir() == studio_home / "models"
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(tmp_path / "elsewhere"))
    assert paths.models_dir() == tmp_path / "elsewhere"
    assert not (tmp_path / "elsewhere").exists()  # nothing is created until asked
    assert paths.models_dir(ensure=True).is_dir()


def test_pick_prefers_the_role_setting_then_the_smallest(tmp_path, tiny_models_dir):
    found = discover([tiny_models_dir])
    base = models.pick(found, "base")
    assert base.kind == "base"
    assert models.pick(found, "base", prefer=base.name) is base


def test_device_choice_on_this_machine():
    cpu = models.choose_device("auto")
    assert cpu.device == "cpu" and cpu.dtype == "float32" and cpu.attn is None
    assert models.choose_device("cpu", "bfloat16").dtype == "bfloat16"
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(DeviceUnavailable, match="Settings"):
            models.choose_device("cuda")


def test_pool_loads_lazily_bounds_memory_and_unloads_idle(tiny_models_dir):
    from studio.engine.pool import ModelPool

    pool = ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=2)
    assert pool.loaded() == []
    steps: list[str] = []
    pool.get("base", progress=lambda f, m: steps.append(m))
    assert steps[-1].endswith("ready on CPU (float32)")
    pool.get("custom_voice")
    pool.get("voice_design")
    assert sorted(m.info.kind for m in pool.loaded()) == ["custom_voice", "voice_design"]
    assert pool.unload_idle(3600.0) == 0
    assert pool.unload_idle(0.0) == 2 and pool.loaded() == []


@pytest.mark.parametrize("device, dtype, error, words", [
    ("bogus", None, "UnknownDevice", "auto, cpu, cuda, mps"),
    ("cuda:x", None, "UnknownDevice", "cuda:N"),
    ("cpu:0", None, "UnknownDevice", "'cpu:0'"),
    ("cpu", "bogus", "UnknownDtype", "auto, float32, bfloat16, float16"),
])
def test_device_and_precision_names_are_checked(device, dtype, error, words):
    """A typo is the user's to fix (InvalidInput), never torch's AttributeError or a
    'model folder cannot be used' blamed on the model."""
    from studio.engine import errors
    from studio.errors import InvalidInput

    with pytest.raises(getattr(errors, error), match=re.escape(words)) as caught:
        models.choose_device(device, dtype)
    assert isinstance(caught.value, InvalidInput)
    assert models.choose_device(" CPU ", "Float32").device == "cpu"


def test_mps_where_there_is_none_is_a_clear_device_error(monkeypatch):
    import torch

    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(DeviceUnavailable, match="Apple MPS was asked for.*'cpu'"):
        models.choose_device("mps")
    assert models.choose_device("auto").device != "mps"


def test_a_folder_named_explicitly_must_hold_a_model(tmp_path, tiny_models_dir):
    from studio.engine.errors import ModelFolderNotFound, NotAModelFolder

    with pytest.raises(ModelFolderNotFound, match="does not exist"):
        models.check_model_folder(tmp_path / "typo")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotAModelFolder, match="is a file"):
        models.check_model_folder(tmp_path / "file")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(NotAModelFolder, match="not a Qwen3-TTS model folder"):
        models.check_model_folder(tmp_path / "other")
    models.check_model_folder(tiny_models_dir)  # a folder of model folders
    models.check_model_folder(next(tiny_models_dir.iterdir()))  # one model folder
