"""Request and response shapes. Unknown fields are refused so a typo is an error, not a
silently ignored option."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from studio.engine import sampling_ranges

MAX_SEED = int(sampling_ranges.SEED.high)


def in_range(name: str) -> AfterValidator:
    """The sampling check the CLI and the window use, as a pydantic validator."""

    def check(value: object) -> object:
        reason = sampling_ranges.problem(name, value)
        if reason:
            raise PydanticCustomError("out_of_range", reason)
        return value

    return AfterValidator(check)


def _not_bool(value: object) -> object:
    """true is not 1: pydantic would take it as one."""
    if isinstance(value, bool):
        raise PydanticCustomError("not_a_number", "must be a number, not true or false")
    return value


Seed = Annotated[int | None, BeforeValidator(_not_bool), in_range("seed")]
MaxSeconds = Annotated[float | None, BeforeValidator(_not_bool), in_range("max_seconds")]

# Any of these in ``model`` means "the Qwen3-TTS model the voice needs"; the voice decides
# the kind (saved voices: Base, design presets: VoiceDesign, speakers: CustomVoice).
MODEL_ALIASES = ("qwen3-tts", "tts-1", "tts-1-hd", "gpt-4o-mini-tts")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpeechRequest(Strict):
    """OpenAI's ``POST /v1/audio/speech`` body, plus language, seed, stream and a length cap."""

    model: str = Field("qwen3-tts", description="an alias (" + ", ".join(MODEL_ALIASES)
                       + ") or the name of an installed model of the kind the voice needs")
    input: str = Field(description="the text to speak")
    voice: str | dict[str, str] = Field(description="a saved voice (id, name or saved:<id>), "
                                        "a built-in design voice, or a preset speaker (e.g. "
                                        "Ryan); also {\"id\": ...} as in OpenAI's API")
    response_format: str = Field("wav", description="wav, pcm (s16le 24 kHz mono), flac, mp3")
    language: str | None = Field(None, description="e.g. English, Chinese, ja; default auto")
    instructions: str | None = Field(None, description="speaking style (preset speakers on "
                                     "1.7B CustomVoice) or the voice description (design)")
    seed: Seed = Field(None, description=f"the same seed, the same take (0 to {MAX_SEED})")
    speed: float | None = Field(None, description="only 1.0 is supported")
    stream: bool = Field(False, description="send audio chunks as they are generated")
    stream_format: Literal["audio", "sse"] | None = Field(None, description="'audio' is the "
                                                          "same as stream: true")
    max_seconds: MaxSeconds = Field(None, description="cap on the length of the audio, in "
                                    f"seconds (at most {sampling_ranges.MAX_SECONDS:g})")

    @field_validator("voice")
    @classmethod
    def _voice_id(cls, value: str | dict[str, str]) -> str:
        if isinstance(value, dict):
            if set(value) != {"id"}:
                raise ValueError('a voice object has exactly one field, "id"')
            return value["id"]
        return value

    @property
    def voice_name(self) -> str:
        return str(self.voice)


class PreviewForm(Strict):
    """The text fields of ``POST /v1/voices/preview`` (multipart, with the clip as ``file``)."""

    text: str
    transcript: str | None = None
    x_vector_only: bool = False
    language: str | None = None
    seed: Seed = None
    response_format: str = "wav"
    max_seconds: MaxSeconds = None
    force: bool = False


class SaveVoiceRequest(Strict):
    preview_id: str
    name: str
    description: str = ""
    language: str | None = None


class VoiceOut(BaseModel):
    id: str = Field(description="what 'voice' takes: saved:<id>, design:<id> or speaker:<name>")
    object: Literal["voice"] = "voice"
    name: str
    source: Literal["saved", "design", "speaker"]
    language: str
    description: str = ""
    voice_id: str | None = Field(None, description="the saved voice's own id")
    kind: str | None = Field(None, description="cloned or designed (saved voices)")
    created: str | None = None


class VoiceList(BaseModel):
    object: Literal["list"] = "list"
    data: list[VoiceOut]


class VoiceDeleted(BaseModel):
    id: str
    object: Literal["voice.deleted"] = "voice.deleted"
    deleted: bool = True
    trash_id: str = Field(description="restore with 'voice-studio voices restore'")


class PreviewInfo(BaseModel):
    id: str
    object: Literal["voice.preview"] = "voice.preview"
    expires: str
    transcript: str | None
    x_vector_only: bool
    language: str | None
    text: str
    seed: int | None
    reference_seconds: float
