"""What the fake hub serves: repos as ``{path: bytes}`` with the hub's sizes, hashes and LFS split.

The tiny Qwen3-TTS repo is here too, so tests and the packaging smoke-test can build the
content without starting a server.
"""

from __future__ import annotations

import hashlib
import json
import random
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from studio.audio.samplerate import SAMPLE_RATE

TINY_REPO_ID = "Qwen/Qwen3-TTS-12Hz-0.6B-Base"
LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".onnx", ".gguf")
LFS_MIN_SIZE = 100_000  # like the hub's .gitattributes: big files and weights go to LFS


def fake_safetensors(n_bytes: int, seed: int) -> bytes:
    """A valid safetensors file holding one uint8 tensor of random bytes."""
    data = random.Random(seed).randbytes(n_bytes)
    header = json.dumps({"blob": {"dtype": "U8", "shape": [n_bytes],
                                  "data_offsets": [0, n_bytes]}}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + data


def tiny_repo(kind: str = "base", weights_bytes: int = 300_000, seed: int = 0) -> dict[str, bytes]:
    """A small repository laid out like a published Qwen3-TTS 12 Hz model.

    ``studio.hub.read_model_info`` sees it as a usable model of ``kind``; the weights
    are random bytes (valid safetensors framing, not loadable by qwen-tts).
    """
    languages = {"chinese": 2055, "english": 2050, "german": 2053, "japanese": 2058}
    speakers = {"vivian": 3065, "ryan": 3061} if kind == "custom_voice" else {}
    config = {
        "architectures": ["Qwen3TTSForConditionalGeneration"],
        "model_type": "qwen3_tts",
        "tts_model_type": kind,
        "tts_model_size": "0b6",
        "tokenizer_type": "qwen3_tts_tokenizer_12hz",
        "talker_config": {"codec_language_id": languages, "spk_id": speakers},
    }
    tok_config = {"model_type": "qwen3_tts_tokenizer_12hz", "output_sample_rate": SAMPLE_RATE}
    dumps = lambda obj: (json.dumps(obj, indent=2) + "\n").encode()  # noqa: E731
    return {
        ".gitattributes": b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n",
        "README.md": b"# Tiny fake Qwen3-TTS\n\nRandom weights for tests.\n",
        "config.json": dumps(config),
        "generation_config.json": dumps({"do_sample": True, "temperature": 0.9}),
        "tokenizer_config.json": dumps({"model_max_length": 32768}),
        "vocab.json": dumps({"a": 0, "b": 1}),
        "merges.txt": b"#version: 0.2\na b\n",
        "model.safetensors": fake_safetensors(weights_bytes, seed),
        "speech_tokenizer/config.json": dumps(tok_config),
        "speech_tokenizer/preprocessor_config.json": dumps({"sampling_rate": 24000}),
        "speech_tokenizer/model.safetensors": fake_safetensors(weights_bytes // 2, seed + 1),
    }


def git_blob_id(data: bytes) -> str:
    """The git object id of a blob (what the hub reports as ``blobId`` / non-LFS ETag)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(data: bytes) -> bytes:
    return (f"version https://git-lfs.github.com/spec/v1\n"
            f"oid sha256:{hashlib.sha256(data).hexdigest()}\nsize {len(data)}\n").encode()


@dataclass
class HostedFile:
    """One file as the hub keeps it: LFS or not, with the hashes the hub reports."""

    data: bytes
    is_lfs: bool
    sha256: str
    blob_id: str  # git id of what git stores: the pointer for LFS files

    @classmethod
    def of(cls, name: str, data: bytes) -> HostedFile:
        is_lfs = name.endswith(LFS_SUFFIXES) or len(data) >= LFS_MIN_SIZE
        stored = lfs_pointer(data) if is_lfs else data
        return cls(data, is_lfs, hashlib.sha256(data).hexdigest(), git_blob_id(stored))


@dataclass
class HostedRepo:
    """A repo on the fake hub: its files by path and the one commit they are served at."""

    repo_id: str
    files: dict[str, HostedFile]
    commit: str


def load_files(files: Mapping[str, bytes] | Path | str) -> dict[str, bytes]:
    """``{path: bytes}`` from a mapping or from every file below a folder."""
    if isinstance(files, str | Path):
        root = Path(files)
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}
    return {str(k): bytes(v) for k, v in files.items()}
