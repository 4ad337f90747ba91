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
Temperature = Annotated[float | None, BeforeValidator(_not_bool), in_range("temperature")]
TopK = Annotated[int | None, BeforeValidator(_not_bool), in_range("top_k")]
TopP = Annotated[float | None, BeforeValidator(_not_bool), in_range("top_p")]
RepetitionPenalty = Annotated[float | None, BeforeValidator(_not_bool),
                              in_range("repetition_penalty")]

# Any of these in ``model`` means "the Qwen3-TTS model the voice needs"; the voice decides
# the kind (saved voices: Base, design presets: VoiceDesign, speakers: CustomVoice).
MODEL_ALIASES = ("qwen3-tts", "tts-1", "tts-1-hd", "gpt-4o-mini-tts")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpeechRequest(Strict):
    """OpenAI's ``POST /v1/audio/speech`` body, vLLM-Omni's Qwen3-TTS extensions, and ours
    (seed, stream, max_seconds)."""

    model: str = Field("qwen3-tts", description="an alias (" + ", ".join(MODEL_ALIASES)
                       + ") or the name of an installed model of the kind the voice needs")
    input: str = Field(description="the text to speak")
    voice: str | dict[str, str] | None = Field(
        None, description="a saved voice (id, name or saved:<id>), a voice prompt sent to "
        "PUT /v1/voices/by-hash (sha256:<hex>), a built-in design voice, a preset speaker (e.g. Ryan) or an OpenAI voice name (alloy, nova...); also "
        "{\"id\": ...} as in OpenAI's API. Default: Vivian")
    response_format: str = Field("mp3", description="mp3, opus (Ogg), aac (ADTS), flac, wav, "
                                 "pcm (s16le 24 kHz mono)")
    speed: float | None = Field(None, ge=0.25, le=4.0, description="0.25-4.0; the pitch stays")
    instructions: str | None = Field(None, description="speaking style (preset speakers on "
                                     "1.7B CustomVoice) or the voice description (design); "
                                     "ignored, with an X-Warning header, where the voice "
                                     "cannot take it")
    stream_format: Literal["audio", "sse"] | None = Field(
        None, description="'audio': raw audio as it is generated; 'sse': OpenAI's "
        "speech.audio.delta/done events")
    stream: bool | None = Field(None, description="default: stream every format that can be "
                                "streamed; false: one whole file with a Content-Length")
    language: str | None = Field(None, description="e.g. English, Chinese, ja; default auto")
    seed: Seed = Field(None, description=f"the same seed, the same take (0 to {MAX_SEED})")
    max_seconds: MaxSeconds = Field(None, description="cap on the length of the audio, in "
                                    f"seconds (at most {sampling_ranges.MAX_SECONDS:g})")
    temperature: Temperature = Field(None, description="sampling temperature; default: the "
                                      "model's")
    top_k: TopK = Field(None, description="sample from the k likeliest codes")
    top_p: TopP = Field(None, description="nucleus sampling")
    repetition_penalty: RepetitionPenalty = Field(None, description="above 1 discourages "
                                             "repeating codes")
    # vLLM-Omni's Qwen3-TTS fields
    task_type: Literal["CustomVoice", "VoiceDesign", "Base"] | None = Field(
        None, description="the model kind; default: the voice's (Base with ref_audio)")
    ref_audio: str | None = Field(None, description="a clip to clone, as a data: URL or base64 "
                                  "(never a URL to fetch)")
    ref_text: str | None = Field(None, description="what ref_audio says")
    x_vector_only_mode: bool | None = Field(None, description="clone ref_audio from its "
                                            "speaker embedding only (no ref_text needed)")
    max_new_tokens: int | None = Field(None, ge=1, le=int(sampling_ranges.MAX_SECONDS * 12.5),
                                       description="cap in codec frames (12.5/s)")
    initial_codec_chunk_frames: int | None = Field(None, ge=1, le=64, description="codec "
                                                   "frames in the first streamed chunk")
    non_streaming_mode: bool | None = Field(None, description="accepted; the engine's own "
                                            "choice per model kind is kept")

    @field_validator("voice")
    @classmethod
    def _voice_id(cls, value: str | dict[str, str] | None) -> str | None:
        if isinstance(value, dict):
            if set(value) != {"id"}:
                raise ValueError('a voice object has exactly one field, "id"')
            return value["id"]
        return value

    @property
    def voice_name(self) -> str | None:
        return None if self.voice is None else str(self.voice)


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


class PromptForm(Strict):
    """The text fields of ``POST /v1/voices/by-hash`` (multipart, the clip as ``file``)."""

    transcript: str | None = None
    x_vector_only: bool = False


class CloneForm(Strict):
    """The text fields of ``POST /v1/audio/speech/clone`` (multipart, the clip as ``file``)."""

    input: str
    ref_text: str | None = None
    x_vector_only: bool = False
    language: str | None = None
    seed: Seed = None
    response_format: str = "mp3"
    speed: float | None = Field(None, ge=0.25, le=4.0)
    max_seconds: MaxSeconds = None
    force: bool = False


class SaveVoiceRequest(Strict):
    preview_id: str
    name: str
    description: str = ""
    language: str | None = None


class VoiceOut(BaseModel):
    id: str = Field(description="what 'voice' takes: saved:<id>, design:<id>, speaker:<name> "
                    "or an alias name")
    object: Literal["voice"] = "voice"
    name: str
    source: Literal["saved", "design", "speaker", "alias"]
    language: str
    description: str = ""
    voice_id: str | None = Field(None, description="the saved voice's own id")
    kind: str | None = Field(None, description="cloned or designed (saved voices)")
    created: str | None = None
    alias_of: str | None = Field(None, description="for an alias: the id of the voice it speaks "
                                 "with")


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
