"""The command line's engine: this computer's models on their own thread, or a server
(``--server URL`` or $VOICE_STUDIO_SERVER, the token from $VOICE_STUDIO_TOKEN). The
commands (speak, design, clone, project render) stream takes, make clone prompts and check
for a model the same way on both."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from studio.audio.forecast import ProgressBox
from studio.engine.engine_thread import EngineThread, TakeStream
from studio.engine.errors import ModelNotFound
from studio.engine.prompts import VoicePrompt
from studio.engine.speak_request import PromptRequest, SpeakRequest, make_prompt, with_kept_voice
from studio.remote.choice import LOCAL, EngineChoice, server_for
from studio.remote.offer import KIND_NAMES


def add_server_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", metavar="URL", default=None,
                   help="make the take on a Voice Studio server (voice-studio serve) instead "
                        "of this computer; also $VOICE_STUDIO_SERVER, the token from "
                        "$VOICE_STUDIO_TOKEN")


class CliEngine:
    """Use as a context manager; ``remote`` says whether a server makes the takes."""

    def __init__(self, args: argparse.Namespace, extra: list[Path]) -> None:
        choice = EngineChoice.from_command_line(getattr(args, "server", None))
        self.server = None if choice.mode == LOCAL else server_for(choice)
        self.thread: EngineThread | None = None
        if self.server is None:
            from studio.engine.pool import ModelPool

            self.thread = EngineThread(ModelPool(device=args.device, dtype=args.dtype,
                                                 extra=extra, speed=args.speed,
                                                 threads=args.threads))

    @property
    def remote(self) -> bool:
        return self.server is not None

    def stream(self, request: SpeakRequest, progress: ProgressBox | None = None) -> TakeStream:
        """``progress``: how a take made in parallel segments grows (local takes only)."""
        if self.thread is not None:
            return self.thread.stream(request, progress)
        assert self.server is not None
        server = self.server
        ts = TakeStream(progress)
        request = with_kept_voice(request)  # a design voice kept here is cloned there

        def run() -> None:
            try:
                ts.future.set_result(server.speak(request, ts.chunks.put, ts.cancel_token))
            except BaseException as exc:  # delivered to whoever reads the stream
                ts.future.set_exception(exc)
            finally:
                ts.chunks.close()

        threading.Thread(target=run, name="remote-take", daemon=True).start()
        return ts

    def make_prompt(self, request: PromptRequest) -> VoicePrompt:
        if self.thread is not None:
            return self.thread.call(lambda pool: make_prompt(pool, request)).result()
        assert self.server is not None
        return self.server.make_prompt(request)

    def require(self, kind: str, why: str) -> None:
        """Raise ModelNotFound (with ``why``) unless a model of ``kind`` can run."""
        if self.thread is not None:
            try:
                self.thread.call(lambda pool: pool.resolve(kind)).result()
            except ModelNotFound as exc:
                raise ModelNotFound(f"{why} Download one with 'voice-studio models download "
                                    f"Qwen3-TTS-12Hz-0.6B-{KIND_NAMES[kind]}'.") from exc
            return
        assert self.server is not None
        reason = self.server.probe().missing.get(kind)
        if reason:
            raise ModelNotFound(f"{why} The {self.server.label} cannot: {reason}.")

    def close(self) -> None:
        if self.thread is not None:
            self.thread.close()
        if self.server is not None:
            self.server.close()

    def __enter__(self) -> CliEngine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
