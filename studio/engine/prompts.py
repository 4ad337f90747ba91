"""Voice prompts (what cloning conditions on) on disk as safetensors, never pickle.

One file holds the tensors (``spk_embedding``, and ``ref_code`` for in-context cloning)
and, in the safetensors header, JSON metadata: the transcript, the mode, and the shape of
the model the prompt was made with, so a prompt made for another model is refused with a
clear message instead of producing garbage. Uses numpy only: the library can validate a
prompt without importing torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio import safe_json
from studio.engine.errors import IncompatiblePrompt
from studio.fsutil import atomic_write_bytes

FORMAT = "voice-studio-prompt"
VERSION = 1
MAX_REF_FRAMES = 12 * 60 * 13  # about 12 minutes of reference: far beyond any sane clip
MAX_DIM = 1 << 16  # embedding size, code groups, codebook size: far beyond any model
DTYPES = {"spk_embedding": "F32", "ref_code": "I64"}  # what to_bytes writes, by name


@dataclass(frozen=True)
class PromptShape:
    """The parts of a Base model a prompt must match."""

    speaker_dim: int
    num_code_groups: int = 16
    codebook_size: int = 2048
    tokenizer: str = "qwen3_tts_tokenizer_12hz"


@dataclass
class VoicePrompt:
    spk_embedding: np.ndarray  # (D,) float32
    ref_code: np.ndarray | None  # (T, Q) int64, None in x-vector-only mode
    ref_text: str | None
    shape: PromptShape
    model_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def x_vector_only(self) -> bool:
        return self.ref_code is None

    @property
    def ref_frames(self) -> int:
        return 0 if self.ref_code is None else int(self.ref_code.shape[0])

    def check_compatible(self, shape: PromptShape, model_name: str = "") -> None:
        """Refuse a prompt made for a model of another shape, saying what to do."""
        if shape.speaker_dim != self.shape.speaker_dim:
            raise IncompatiblePrompt(
                f"This voice was made with {self.model_name or 'another model'} (speaker "
                f"embedding size {self.shape.speaker_dim}), which does not fit "
                f"{model_name or 'the loaded model'} (size {shape.speaker_dim}). Switch the "
                "cloning model back, or re-create the voice from its reference clip."
            )
        if (shape.num_code_groups, shape.codebook_size, shape.tokenizer) != (
            self.shape.num_code_groups, self.shape.codebook_size, self.shape.tokenizer
        ):
            raise IncompatiblePrompt(
                "This voice was made for a different speech tokenizer. Re-create it from its "
                "reference clip with the loaded model."
            )

    def metadata(self) -> dict[str, Any]:
        return dict(
            format=FORMAT, version=VERSION, x_vector_only=self.x_vector_only,
            ref_text=self.ref_text, model_name=self.model_name,
            speaker_dim=self.shape.speaker_dim, num_code_groups=self.shape.num_code_groups,
            codebook_size=self.shape.codebook_size, tokenizer=self.shape.tokenizer,
            extra=self.extra,
        )


def to_bytes(prompt: VoicePrompt) -> bytes:
    from safetensors.numpy import save

    tensors = {"spk_embedding": np.ascontiguousarray(prompt.spk_embedding, dtype=np.float32)}
    if prompt.ref_code is not None:
        tensors["ref_code"] = np.ascontiguousarray(prompt.ref_code, dtype=np.int64)
    return save(tensors, metadata={"studio": json.dumps(prompt.metadata(), ensure_ascii=False)})


def save(prompt: VoicePrompt, path: Path | str) -> None:
    atomic_write_bytes(path, to_bytes(prompt))


def from_bytes(data: bytes, source: str = "voice prompt") -> VoicePrompt:
    """Parse and validate; every problem becomes an IncompatiblePrompt with a reason."""
    from safetensors import SafetensorError
    from safetensors.numpy import load

    def bad(reason: str) -> IncompatiblePrompt:
        return IncompatiblePrompt(
            f"The {source} is damaged or not a Voice Studio prompt ({reason}). "
            "Re-create the voice from its reference clip."
        )

    try:
        header_len = int.from_bytes(data[:8], "little")
        if len(data) < 8 or header_len > len(data) - 8:
            raise ValueError("the header is cut off")
        header = safe_json.loads(data[8 : 8 + header_len])
        if not isinstance(header, dict):
            raise ValueError("the header is not an object")
        tensor_problem(header)
        tensors = load(data)
        meta = safe_json.loads((header.get("__metadata__") or {}).get("studio", "null"))
    except (SafetensorError, ValueError, TypeError, OSError, IndexError, AttributeError) as exc:
        raise bad(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise bad("no Voice Studio metadata")
    if meta.get("version") != VERSION:
        raise IncompatiblePrompt(
            f"The {source} uses format version {str(meta.get('version'))[:20]}, which this "
            "version of Voice Studio does not know. Update the app, or re-create the voice."
        )
    emb = tensors.get("spk_embedding")
    if emb is None or emb.ndim != 1 or emb.dtype != np.float32 or not np.isfinite(emb).all():
        raise bad("speaker embedding missing, misshapen or not finite")
    try:
        shape = PromptShape(int(meta["speaker_dim"]), int(meta["num_code_groups"]),
                            int(meta["codebook_size"]), str(meta["tokenizer"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise bad("model shape missing from metadata") from exc
    if not (0 < shape.speaker_dim <= MAX_DIM and 0 < shape.num_code_groups <= MAX_DIM
            and 0 < shape.codebook_size <= MAX_DIM and len(shape.tokenizer) <= 100):
        raise bad("model shape out of range")
    if emb.shape[0] != shape.speaker_dim:
        raise bad("speaker embedding size disagrees with its metadata")
    code = tensors.get("ref_code")
    if bool(meta.get("x_vector_only")) != (code is None):
        raise bad("mode and tensors disagree")
    ref_text = meta.get("ref_text")
    if code is not None:
        if (code.ndim != 2 or code.dtype != np.int64 or code.shape[1] != shape.num_code_groups
                or not 0 < code.shape[0] <= MAX_REF_FRAMES):
            raise bad("reference codes misshapen")
        if code.min() < 0 or code.max() >= shape.codebook_size:
            raise bad("reference codes out of range")
        if not isinstance(ref_text, str) or not ref_text.strip():
            raise bad("transcript missing")
    extra = meta.get("extra") if isinstance(meta.get("extra"), dict) else {}
    return VoicePrompt(emb, code, ref_text if isinstance(ref_text, str) else None, shape,
                       str(meta.get("model_name", "")), extra)


def tensor_problem(header: dict[str, Any]) -> None:
    """Refuse, by name, a tensor a prompt does not have or one stored in another number
    type, before any tensor is decoded (numpy has no bfloat16, for one)."""
    unknown = sorted(set(header) - set(DTYPES) - {"__metadata__"})
    if unknown:
        raise ValueError(f"unexpected tensors {unknown[:8]}")
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dtype = spec.get("dtype") if isinstance(spec, dict) else None
        if dtype != DTYPES[name]:
            raise ValueError(f"the tensor {name!r} is stored as {str(dtype)[:20]}, not "
                             f"{DTYPES[name]} as Voice Studio writes it")


def load(path: Path | str) -> VoicePrompt:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IncompatiblePrompt(
            f"The voice prompt {path.name} cannot be read ({exc.strerror}). "
            "Re-create the voice from its reference clip."
        ) from exc
    return from_bytes(data, source=f"voice prompt {path.name}")
