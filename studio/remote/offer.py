"""What a server offers (Settings > Engine > Test connection): its version, its models by
kind, its voices, and what it cannot do, each with the reason, so the window can say why
something is greyed out instead of failing when it is tried."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.remote.connection import Connection
from studio.remote.errors import NotASpeechServer

KINDS = ("custom_voice", "voice_design", "base")
KIND_NAMES = {"base": "Base", "custom_voice": "CustomVoice", "voice_design": "VoiceDesign"}
USES = {"base": "saved and cloned voices", "custom_voice": "the preset speakers",
        "voice_design": "design voices and Design candidates"}
PROMPT = "prompt"  # making a clone prompt from a clip (Clone preview and save, Keep in Design)


@dataclass
class Offer:
    server: str  # "Voice Studio 0.1.0 on CUDA (bfloat16)", "vLLM-Omni"
    models: dict[str, str] = field(default_factory=dict)  # kind -> a model of that kind
    voices: int = 0  # voices the server itself has (saved, design, speakers)
    missing: dict[str, str] = field(default_factory=dict)  # kind (or PROMPT) -> why not
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "\n".join([self.offered(), *self.not_available()])

    def not_available(self) -> list[str]:
        return [f"Not available: {reason}." for reason in self.missing.values()]

    def offered(self) -> str:
        lines = [f"Connected: {self.server}."]
        if self.models:
            lines.append("Models: " + ", ".join(f"{KIND_NAMES[k]} ({name})" for k, name
                                                in self.models.items()) + ".")
        if self.voices:
            lines.append(f"{self.voices} voices on the server.")
        lines += self.notes
        return "\n".join(lines)


def kind_of(model: dict[str, Any]) -> str | None:
    """A model's kind from our /v1/models ``kind`` or from a Qwen3-TTS name."""
    kind = model.get("kind")
    if kind in KINDS:
        return str(kind)
    name = str(model.get("id", "")).lower()
    for key, word in (("voice_design", "voicedesign"), ("custom_voice", "customvoice"),
                      ("base", "-base")):
        if word in name.replace("_", ""):
            return key
    return None


def probe_studio(conn: Connection) -> Offer:
    """A Voice Studio server: /health (the token is checked there too), /v1/models,
    /v1/voices. Raises a RemoteError saying what is wrong."""
    health = conn.json("GET", "/health")
    if not isinstance(health, dict) or "queue" not in health or "version" not in health:
        raise NotASpeechServer(f"{conn.host} answered /health, but not as a Voice Studio server. "
                               "For a vLLM-Omni server choose vLLM-Omni in Settings > Engine.")
    models = conn.json("GET", "/v1/models").get("data", [])
    voices = conn.json("GET", "/v1/voices").get("data", [])
    offer = Offer(f"Voice Studio {health['version']} on {health.get('device') or 'its device'}")
    for model in models:
        kind = kind_of(model)
        if kind is not None and model.get("kind") == kind and kind not in offer.models:
            offer.models[kind] = str(model["id"])
    offer.voices = sum(1 for v in voices if v.get("source") != "alias")
    for kind in KINDS:
        if kind not in offer.models:
            offer.missing[kind] = (f"{USES[kind]}: the server has no {KIND_NAMES[kind]} model "
                                   "(its owner can download one)")
    if "base" in offer.missing:
        offer.missing[PROMPT] = ("making a voice from a clip (Clone, Keep): the server has no "
                                 "Base model")
    return offer


def probe_omni(conns: dict[str, Connection]) -> Offer:
    """vLLM-Omni servers, one per kind: each must serve a model of its kind."""
    offer = Offer("vLLM-Omni")
    for kind in KINDS:
        conn = conns.get(kind)
        if conn is None:
            offer.missing[kind] = f"{USES[kind]}: no {KIND_NAMES[kind]} server is set"
            continue
        served = conn.json("GET", "/v1/models").get("data", [])
        kinds = [(kind_of(m), str(m.get("id", ""))) for m in served]
        match = next((name for k, name in kinds if k == kind), None)
        if match is None:
            names = ", ".join(name for _, name in kinds) or "no model"
            offer.missing[kind] = (f"{USES[kind]}: {conn.host} serves {names}, not a "
                                   f"{KIND_NAMES[kind]} model")
            continue
        offer.models[kind] = match
    offer.missing[PROMPT] = ("making a voice from a clip (Clone preview and save, Keep in "
                             "Design): vLLM-Omni clones from the clip in every request and "
                             "cannot hand back a prompt to save")
    offer.notes.append("Saved voices travel as their clip and transcript with every take.")
    return offer
