"""Who makes a take: this computer's models, or a server (studio.remote). The window's
inference client, the command line and a project's render hold a :class:`Backend` and do
not know which one runs their takes.

Every call blocks, runs on the caller's worker thread (one at a time per backend) and
reports audio through ``on_chunk`` as it arrives; ``cancel`` stops a take within a step
(a remote one closes its request, and the server stops the take).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from studio.engine import speak_request

if TYPE_CHECKING:
    from studio.audio.forecast import ProgressBox
    from studio.engine.pool import ModelPool
    from studio.engine.prompts import VoicePrompt
    from studio.engine.speak_request import PromptRequest, SpeakRequest
    from studio.engine.stream import CancelToken
    from studio.engine.synth import ChunkFn
    from studio.engine.take import Take


class Backend(Protocol):
    label: str  # for people: "This computer", "Voice Studio server at gpu.lan:8765"
    remote: bool

    def speak(self, request: SpeakRequest, on_chunk: ChunkFn | None = None,
              cancel: CancelToken | None = None, progress: ProgressBox | None = None) -> Take:
        """The take, streamed through ``on_chunk``; stopped early it holds what was made.
        A take made in parallel segments publishes how it grows to ``progress``."""
        ...

    def make_prompt(self, request: PromptRequest) -> VoicePrompt:
        """A clone prompt from a reference clip (what a saved voice speaks with)."""
        ...

    def unavailable(self, kind: str) -> str | None:
        """Why takes of a model kind (``base``, ``custom_voice``, ``voice_design``, or
        ``prompt`` for make_prompt) cannot run here, in a sentence; None when they can
        (as far as is known before trying)."""
        ...

    def close(self) -> None:
        """Let go of connections; the backend is not used again."""
        ...


class LocalBackend:
    """This computer: the model pool, on the caller's thread (the pool's owner)."""

    label = "This computer"
    remote = False

    def __init__(self, pool: ModelPool) -> None:
        self.pool = pool

    def speak(self, request: SpeakRequest, on_chunk: ChunkFn | None = None,
              cancel: CancelToken | None = None, progress: ProgressBox | None = None) -> Take:
        return speak_request.run(self.pool, request, on_chunk, cancel, progress)

    def make_prompt(self, request: PromptRequest) -> VoicePrompt:
        return speak_request.make_prompt(self.pool, request)

    def unavailable(self, kind: str) -> str | None:
        return None  # a missing model is reported by the take, with what to download

    def close(self) -> None:
        """The pool belongs to whoever made it, and is unloaded by them."""
