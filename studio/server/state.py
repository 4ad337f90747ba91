"""What the request handlers share: settings, the scheduler, the library, and the clone
prompts made by recent previews (so saving a preview does not recompute its prompt)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel
from starlette.requests import Request

from studio.engine.prompts import VoicePrompt
from studio.library.library import VoiceLibrary
from studio.server.aliases import Aliases
from studio.server.config import ServerConfig
from studio.server.prompt_store import PromptStore
from studio.server.scheduler import Scheduler


class PromptCache:
    """The last few preview prompts by preview id; the event loop's thread only."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[str, VoicePrompt] = OrderedDict()

    def put(self, key: str, prompt: VoicePrompt) -> None:
        self._items[key] = prompt
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def get(self, key: str) -> VoicePrompt | None:
        return self._items.get(key)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)


@dataclass
class ServerState:
    config: ServerConfig
    scheduler: Scheduler
    library: VoiceLibrary
    aliases: Aliases = field(default_factory=Aliases)
    prompts: PromptCache = field(default_factory=PromptCache)
    prompt_store: PromptStore = field(init=False)  # voices clients sent, by hash

    def __post_init__(self) -> None:
        self.prompt_store = PromptStore(self.library.root / "cache" / "voice-prompts")


def state(request: Request) -> ServerState:
    return request.app.state.studio


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a JSON body the handler reads itself (to answer 415/413 properly)."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}


def header_value(text: str) -> str:
    """HTTP headers are Latin-1: percent-encode anything else (names may be any script)."""
    return quote(text, safe=" !#$&'()*+,/:;=?@[]~")
