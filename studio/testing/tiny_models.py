"""Randomly initialised Qwen3-TTS checkpoints built offline with qwen-tts's own classes.

Tiny ones (~10 MB each, built in well under a second) let the tests run the real qwen-tts
code on every path: shapes, streaming, cancel, seeds. Their speech is noise, but every
structure is real. ``--full-size 0.6b`` / ``1.7b`` writes random-weight models with the
published configurations, whose compute cost is real, for speed and memory benchmarks.

Folders are laid out like the published Hugging Face repositories::

    <dir>/config.json, generation_config.json, model.safetensors, tokenizer files
    <dir>/speech_tokenizer/config.json, model.safetensors, preprocessor_config.json

Usage: ``python -m studio.testing.tiny_models DIR [--full-size 0.6b|1.7b] [--kinds ...]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from studio.audio.samplerate import SAMPLE_RATE

KINDS = ("base", "custom_voice", "voice_design")

# Control ids, language ids and preset speakers exactly as in the published configs.
CODEC_IDS = dict(
    codec_pad_id=2148,
    codec_bos_id=2149,
    codec_eos_token_id=2150,
    codec_think_id=2154,
    codec_nothink_id=2155,
    codec_think_bos_id=2156,
    codec_think_eos_id=2157,
)
LANGUAGE_IDS = {
    "chinese": 2055, "english": 2050, "german": 2053, "italian": 2070, "portuguese": 2071,
    "spanish": 2054, "japanese": 2058, "korean": 2064, "french": 2061, "russian": 2069,
}
DIALECT_IDS = {"beijing_dialect": 2074, "sichuan_dialect": 2062}
SPEAKER_IDS = {
    "serena": 3066, "vivian": 3065, "uncle_fu": 3010, "ryan": 3061, "aiden": 2861,
    "ono_anna": 2873, "sohee": 2864, "eric": 2875, "dylan": 2878,
}
SPEAKER_DIALECTS = {"eric": "sichuan_dialect", "dylan": "beijing_dialect"}

SPECIAL_TOKENS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>",
    "<|tts_pad|>", "<|tts_text_bos|>", "<|tts_text_eod|>",
]

# --- sizes -----------------------------------------------------------------------------

TINY = dict(
    talker=dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                head_dim=16, intermediate_size=128, text_hidden_size=32, mrope_section=[2, 3, 3],
                rope_theta=10000),
    predictor=dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                   num_key_value_heads=1, head_dim=16, intermediate_size=64),
    speaker=dict(enc_channels=[32, 32, 32, 32, 96], enc_attention_channels=16,
                 enc_res2net_scale=4, enc_se_channels=16),
    encoder=dict(hidden_size=32, num_filters=8, num_hidden_layers=1, num_attention_heads=2,
                 num_key_value_heads=2, head_dim=16, intermediate_size=64, codebook_dim=16,
                 vector_quantization_hidden_dimension=16, upsample_groups=32),
    decoder=dict(latent_dim=32, codebook_dim=16, decoder_dim=64, hidden_size=32,
                 intermediate_size=64, num_attention_heads=2, num_key_value_heads=2, head_dim=16,
                 num_hidden_layers=1),
)

# Published 12Hz configurations (0.6B / 1.7B); the encoder and speaker-encoder defaults of
# the config classes already match the published ones.
_DECODER_FULL = dict(latent_dim=1024, codebook_dim=512, decoder_dim=1536, hidden_size=512,
                     intermediate_size=1024, num_attention_heads=16, num_key_value_heads=16,
                     head_dim=64, num_hidden_layers=8)
_ENCODER_FULL = dict(hidden_size=512, num_filters=64, num_hidden_layers=8, num_attention_heads=8,
                     num_key_value_heads=8, head_dim=64, intermediate_size=2048, codebook_dim=256,
                     vector_quantization_hidden_dimension=256, upsample_groups=512)
_PREDICTOR_FULL = dict(hidden_size=1024, num_hidden_layers=5, num_attention_heads=16,
                       num_key_value_heads=8, head_dim=128, intermediate_size=3072,
                       rope_theta=1000000)
FULL = {
    "0.6b": dict(
        talker=dict(hidden_size=1024, num_hidden_layers=28, num_attention_heads=16,
                    num_key_value_heads=8, head_dim=128, intermediate_size=3072,
                    text_hidden_size=2048, mrope_section=[24, 20, 20], rope_theta=1000000),
        predictor=_PREDICTOR_FULL, speaker=dict(), encoder=_ENCODER_FULL, decoder=_DECODER_FULL,
    ),
    "1.7b": dict(
        talker=dict(hidden_size=2048, num_hidden_layers=28, num_attention_heads=16,
                    num_key_value_heads=8, head_dim=128, intermediate_size=6144,
                    text_hidden_size=2048, mrope_section=[24, 20, 20], rope_theta=1000000),
        predictor=_PREDICTOR_FULL, speaker=dict(), encoder=_ENCODER_FULL, decoder=_DECODER_FULL,
    ),
}
SIZE_TAGS = {"tiny": "0b6", "0.6b": "0b6", "1.7b": "1b7"}


# --- text tokenizer ----------------------------------------------------------------------

_CORPUS = (
    "assistant user system Hello world. This is a test of the voice studio. "
    "The quick brown fox jumps over the lazy dog. Speak warmly and slowly, please! "
    "A calm narrator with a deep voice; a cheerful young woman? Numbers 0 1 2 3 4 5 6 7 8 9. "
    "你好，世界。今天天气很好。 こんにちは。 안녕하세요. Bonjour, ça va? Hola, ¿qué tal? "
    "Guten Tag. Привет. Olá. Ciao."
)


def _write_text_tokenizer(out: Path, vocab_size: int) -> dict[str, int]:
    """A byte-level BPE tokenizer shaped like Qwen2's; returns the special token ids.

    The model slices prompts by position, so "<|im_start|>assistant\\n" must be exactly 3
    tokens and "<|im_end|>\\n<|im_start|>assistant\\n" exactly 5: "assistant" is in the
    training corpus often enough to become one token, and "\\n" is a single byte token.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tok.train_from_iterator([_CORPUS] * 50 + ["assistant\n"] * 200, trainer=trainer)
    tok.add_special_tokens(SPECIAL_TOKENS)
    ids = {t: tok.token_to_id(t) for t in SPECIAL_TOKENS}
    for probe, n in (("<|im_start|>assistant\n", 3), ("<|im_end|>\n<|im_start|>assistant\n", 5)):
        got = len(tok.encode(probe).ids)
        if got != n:  # pragma: no cover - a guard on the corpus above
            raise RuntimeError(f"tiny tokenizer splits {probe!r} into {got} ids, need {n}")
    tok.save(str(out / "tokenizer.json"))
    vocab = tok.get_vocab()
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    model_json = json.loads(tok.to_str())["model"]
    merges = model_json.get("merges", [])
    lines = ["#version: 0.2"] + [m if isinstance(m, str) else " ".join(m) for m in merges]
    (out / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    added = {
        str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                 "single_word": False, "special": True}
        for t, i in ids.items()
    }
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "Qwen2TokenizerFast",
        "added_tokens_decoder": added,
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "unk_token": None,
        "model_max_length": 32768,
        "clean_up_tokenization_spaces": False,
        "errors": "replace",
        "split_special_tokens": False,
    }, indent=2))
    (out / "special_tokens_map.json").write_text(json.dumps({
        "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
        "additional_special_tokens": SPECIAL_TOKENS[1:],
    }, indent=2))
    return ids


# --- configs ---------------------------------------------------------------------------

def _talker_config(kind: str, spec: dict[str, Any], text_vocab: int) -> dict[str, Any]:
    t = dict(spec["talker"])
    mrope = t.pop("mrope_section")
    p = dict(spec["predictor"])
    predictor = dict(vocab_size=2048, num_code_groups=16, max_position_embeddings=65536,
                     rms_norm_eps=1e-6, **{"rope_theta": 10000, **p})
    langs = dict(LANGUAGE_IDS)
    speakers: dict[str, int] = {}
    dialects: dict[str, Any] = {}
    if kind == "custom_voice":
        langs.update(DIALECT_IDS)
        speakers = dict(SPEAKER_IDS)
        dialects = {name: SPEAKER_DIALECTS.get(name, False) for name in SPEAKER_IDS}
    return dict(
        vocab_size=3072,
        text_vocab_size=text_vocab,
        num_code_groups=16,
        hidden_act="silu",
        max_position_embeddings=32768,
        rms_norm_eps=1e-6,
        rope_scaling={"interleaved": True, "mrope_section": mrope, "rope_type": "default"},
        code_predictor_config=predictor,
        codec_language_id=langs,
        spk_id=speakers,
        spk_is_dialect=dialects,
        **CODEC_IDS,
        **t,
    )


def _speech_tokenizer_config(spec: dict[str, Any]) -> dict[str, Any]:
    enc = dict(spec["encoder"])
    dec = dict(spec["decoder"])
    return dict(
        model_type="qwen3_tts_tokenizer_12hz",
        architectures=["Qwen3TTSTokenizerV2Model"],
        encoder_valid_num_quantizers=16,
        input_sample_rate=SAMPLE_RATE,
        output_sample_rate=SAMPLE_RATE,
        decode_upsample_rate=1920,
        encode_downsample_rate=1920,
        encoder_config=dict(
            sampling_rate=SAMPLE_RATE, frame_rate=12.5, audio_channels=1, upsampling_ratios=[8, 6, 5, 4],
            compress=2, num_quantizers=32, codebook_size=2048, use_causal_conv=True,
            pad_mode="constant", sliding_window=250, max_position_embeddings=8000,
            hidden_act="gelu", norm_eps=1e-5, use_streaming=False, **enc,
        ),
        decoder_config=dict(
            codebook_size=2048, num_quantizers=16, sliding_window=72, upsample_rates=[8, 5, 4, 3],
            upsampling_ratios=[2, 2], max_position_embeddings=8000, rms_norm_eps=1e-5,
            layer_scale_initial_scale=0.01, rope_theta=10000, hidden_act="silu", **dec,
        ),
    )


# --- weights ----------------------------------------------------------------------------

def _randomise_speech_tokenizer(model: Any, generator: Any) -> None:
    """Give the codec decoder weights that make sound (pitfall 2 in the facts note)."""
    import torch
    from torch import nn

    for module in model.modules():
        if isinstance(module, (nn.Conv1d, nn.ConvTranspose1d, nn.Linear)):
            module.reset_parameters()
        name = type(module).__name__
        if name == "EuclideanCodebook":
            module.embedding_sum.data = torch.randn(module.embedding_sum.shape, generator=generator)
            module.cluster_usage.data.fill_(1.0)


def _save_model(model: Any, out: Path) -> None:
    model.save_pretrained(str(out), safe_serialization=True)


def build(kind: str, out: Path, size: str = "tiny", seed: int = 0, eos_scale: float = 0.0) -> Path:
    """Write one checkpoint of ``kind`` into ``out`` and return ``out``.

    ``eos_scale`` = 0 gives a talker that never chooses end-of-speech (lengths are then set
    by the caller's max length, or the runaway guard); a positive value makes it stop early.
    """
    import torch

    from studio.engine.compat import import_qwen_tts

    import_qwen_tts()
    from qwen_tts.core import Qwen3TTSTokenizerV2Config, Qwen3TTSTokenizerV2Model
    from qwen_tts.core.models import Qwen3TTSConfig, Qwen3TTSForConditionalGeneration

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    spec = TINY if size == "tiny" else FULL[size]
    out = Path(out)
    (out / "speech_tokenizer").mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)

    text_vocab = 151936 if size != "tiny" else 1024
    special = _write_text_tokenizer(out, vocab_size=512)
    talker = _talker_config(kind, spec, text_vocab)
    sizes = spec["talker"]
    speaker_cfg = dict(enc_dim=sizes["hidden_size"], sample_rate=SAMPLE_RATE, **spec["speaker"])
    config = dict(
        architectures=["Qwen3TTSForConditionalGeneration"],
        model_type="qwen3_tts",
        tokenizer_type="qwen3_tts_tokenizer_12hz",
        tts_model_size=SIZE_TAGS[size],
        tts_model_type=kind,
        im_start_token_id=special["<|im_start|>"],
        im_end_token_id=special["<|im_end|>"],
        tts_pad_token_id=special["<|tts_pad|>"],
        tts_bos_token_id=special["<|tts_text_bos|>"],
        tts_eos_token_id=special["<|tts_text_eod|>"],
        talker_config=talker,
        speaker_encoder_config=speaker_cfg,
        torch_dtype="float32",
        transformers_version="4.57.3",
    )
    model = Qwen3TTSForConditionalGeneration(Qwen3TTSConfig(**config)).eval()
    with torch.no_grad():
        eos = CODEC_IDS["codec_eos_token_id"]
        head = model.talker.codec_head.weight
        head[eos] = eos_scale * torch.ones_like(head[eos])
    _save_model(model, out)
    # save_pretrained writes a config that does not reload (pitfall 1): write our own.
    (out / "config.json").write_text(json.dumps(config, indent=2))
    (out / "generation_config.json").write_text(json.dumps(dict(
        do_sample=True, top_k=50, top_p=1.0, temperature=0.9, repetition_penalty=1.05,
        subtalker_dosample=True, subtalker_top_k=50, subtalker_top_p=1.0,
        subtalker_temperature=0.9, max_new_tokens=8192,
    ), indent=2))

    st_cfg = _speech_tokenizer_config(spec)
    st = Qwen3TTSTokenizerV2Model(Qwen3TTSTokenizerV2Config(**st_cfg)).eval()
    _randomise_speech_tokenizer(st, gen)
    _save_model(st, out / "speech_tokenizer")
    (out / "speech_tokenizer" / "config.json").write_text(json.dumps(st_cfg, indent=2))
    (out / "speech_tokenizer" / "preprocessor_config.json").write_text(json.dumps(dict(
        feature_extractor_type="EncodecFeatureExtractor", feature_size=1, padding_side="right",
        padding_value=0.0, return_attention_mask=True, sampling_rate=SAMPLE_RATE,
        chunk_length_s=None, overlap=None,
    ), indent=2))
    return out


def build_all(root: Path, size: str = "tiny", kinds: tuple[str, ...] = KINDS,
              eos_scale: float = 0.0) -> dict[str, Path]:
    """Build every kind into ``root/<name>`` (names like the published repositories)."""
    tag = {"tiny": "Tiny", "0.6b": "0.6B", "1.7b": "1.7B"}[size]
    names = {"base": "Base", "custom_voice": "CustomVoice", "voice_design": "VoiceDesign"}
    paths: dict[str, Path] = {}
    for i, kind in enumerate(kinds):
        paths[kind] = build(kind, Path(root) / f"Qwen3-TTS-12Hz-{tag}-{names[kind]}", size,
                            seed=i, eos_scale=eos_scale)
    return paths


def main(argv: list[str] | None = None) -> int:
    from studio.engine.compat import import_qwen_tts

    parser = argparse.ArgumentParser(prog="python -m studio.testing.tiny_models",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--full-size", choices=sorted(FULL), default=None,
                        help="random weights with the published configuration (GBs on disk)")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args(argv)
    import_qwen_tts()
    paths = build_all(args.dir, args.full_size or "tiny", tuple(args.kinds))
    for kind, path in paths.items():
        print(f"{kind}\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
