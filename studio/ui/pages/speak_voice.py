"""What the Speak page says about the voice chosen: its kind, language, description and
the model it still needs, and what the style box is for with that voice."""

from __future__ import annotations

from dataclasses import dataclass

from studio.library.anyvoice import DESIGN_PRESET, SAVED, SPEAKER, VoiceRef
from studio.ui.model_help import SOURCE_KINDS, model_label, on_disk

KINDS = {SAVED: "Your voice", DESIGN_PRESET: "Built-in voice (VoiceDesign)",
         SPEAKER: "Preset speaker (CustomVoice)"}


@dataclass(frozen=True)
class VoiceSummary:
    detail: str  # the line under the voice's name
    style_enabled: bool
    style_hint: str  # the style box's placeholder


def summarize(ref: VoiceRef, pool: object, kept: str = "") -> VoiceSummary:
    """``kept``: what to say about a design voice's kept speaker (" · ...")."""
    needed = SOURCE_KINDS[ref.source]
    missing = "" if on_disk(pool, needed) else (
        f" · needs {model_label(needed)}, not downloaded yet")
    detail = (f"{KINDS[ref.source]} · {ref.language}{kept}"
              + (f" · {ref.description}" if ref.description else "") + missing)
    if ref.source == SPEAKER:
        supports = any(m.kind == "custom_voice" and m.supports_instruct and m.usable
                       for m in pool.available())  # type: ignore[attr-defined]
        return VoiceSummary(detail, supports, "Style, e.g. 'cheerful and fast'" if supports
                            else "Style instructions need the CustomVoice 1.7B model "
                                 "(Model manager)")
    if ref.source == DESIGN_PRESET:
        return VoiceSummary(detail, True, "Another description: a new voice every take "
                                          "(leave empty for this voice's kept speaker)")
    return VoiceSummary(detail, False, "Cloned voices speak in the style of their clip")
