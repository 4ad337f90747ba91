"""The API's ``voice`` naming a built-in design voice speaks with its kept speaker."""

from __future__ import annotations

from studio.library.design_voices import kept_design_prompt
from studio.testing.model_calls import watch_models


def test_a_design_voice_is_drawn_once_then_cloned(serve):
    api = serve(max_seconds=1.2)  # long enough for the Base model to clone from
    with watch_models() as calls:
        first = api.speak(voice="Old Sea Captain", seed=1, non_streaming_mode=True)
    assert first.status_code == 200, first.text
    assert "false for what is cloned from it" in first.headers["x-warning"]
    assert calls.generated == {"voice_design": 1} and calls.prompts == {"base": 1}
    assert kept_design_prompt("old-sea-captain") is not None
    with watch_models() as calls:
        second = api.speak(voice="design:old-sea-captain", seed=2, non_streaming_mode=True)
    assert second.status_code == 200, second.text
    assert "Base takes are built with false" in second.headers["x-warning"]
    assert calls.generated == {"base": 1} and not calls.prompts
    assert second.headers["x-voice"] == "design:old-sea-captain"
    assert second.headers["x-model"].endswith("Base")
