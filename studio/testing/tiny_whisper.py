"""A randomly initialised Whisper checkpoint built offline with transformers' own classes.

Like the tiny Qwen3-TTS models (tiny_models.py): every structure is real (a byte-level BPE
tokenizer with Whisper's special tokens in Whisper's order, language and task tokens, the
1501 timestamp tokens, a generation config with the ids ``generate`` looks up and the
``alignment_heads`` word timestamps need, a WhisperFeatureExtractor), so the app's real
transcription code runs on it; the words it hears are random. Built in about a second,
a few MB on disk, laid out like the published ``openai/whisper-*`` repositories::

    <dir>/config.json, generation_config.json, model.safetensors, preprocessor_config.json
    <dir>/tokenizer.json, vocab.json, merges.txt, tokenizer_config.json, ...

Usage: ``python -m studio.testing.tiny_whisper DIR [--english-only]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

#: the languages of the tiny model (Whisper codes), in Whisper's own order
LANGUAGES = ("en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "it")
TIME_PRECISION = 0.02
N_TIMESTAMPS = 1501  # <|0.00|> ... <|30.00|>
MAX_LENGTH = 48  # decoder positions: random weights rarely stop, so keep takes short

TINY = dict(d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
            decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
            num_mel_bins=80, max_source_positions=1500, max_target_positions=MAX_LENGTH)

_CORPUS = (
    "Hello there, this is a test of the voice studio. The quick brown fox jumps over the "
    "lazy dog. Speak warmly and slowly, please! Numbers 0 1 2 3 4 5 6 7 8 9. "
    "你好，世界。今天天气很好。 こんにちは。 안녕하세요. Bonjour, ça va? Hola, ¿qué tal? "
    "Guten Tag. Привет. Olá. Ciao."
)


def special_tokens(multilingual: bool = True) -> list[str]:
    """Whisper's special tokens after <|endoftext|>, in the order the real vocabularies have."""
    langs = [f"<|{code}|>" for code in (LANGUAGES if multilingual else ("en",))]
    return ["<|startoftranscript|>", *langs, "<|translate|>", "<|transcribe|>",
            "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>"]


def _write_bpe(out: Path, vocab_size: int) -> None:
    """vocab.json + merges.txt of a byte-level BPE trained on a few sentences."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([_CORPUS] * 20, trainer=trainer)
    vocab = tok.get_vocab()
    vocab["<|endoftext|>"] = len(vocab)  # the last id of the base vocabulary, as in Whisper
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merges = json.loads(tok.to_str())["model"].get("merges", [])
    lines = ["#version: 0.2"] + [m if isinstance(m, str) else " ".join(m) for m in merges]
    (out / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _tokenizer(out: Path, multilingual: bool):  # noqa: ANN202 - a WhisperTokenizerFast
    from transformers import AddedToken, WhisperTokenizer, WhisperTokenizerFast

    _write_bpe(out, vocab_size=400)
    slow = WhisperTokenizer(str(out / "vocab.json"), str(out / "merges.txt"),
                            pad_token="<|endoftext|>", model_max_length=MAX_LENGTH)
    slow.add_special_tokens({"additional_special_tokens": special_tokens(multilingual)})
    slow.add_tokens([AddedToken(f"<|{i * TIME_PRECISION:.2f}|>", lstrip=False, rstrip=False,
                                normalized=False, special=False)
                     for i in range(N_TIMESTAMPS)])
    slow.save_pretrained(str(out))
    fast = WhisperTokenizerFast.from_pretrained(str(out))
    fast.save_pretrained(str(out))  # adds tokenizer.json, so loading needs no conversion
    return fast


def _generation_config(tok, config) -> dict:  # noqa: ANN001
    ids = tok.convert_tokens_to_ids
    langs = [t for t in tok.additional_special_tokens if len(t) in (6, 7) and t[2:-2] in LANGUAGES]
    eot = ids("<|endoftext|>")
    return dict(
        decoder_start_token_id=ids("<|startoftranscript|>"), bos_token_id=eot,
        eos_token_id=eot, pad_token_id=eot, max_length=MAX_LENGTH,
        is_multilingual=len(langs) > 1,
        lang_to_id={t: ids(t) for t in langs},
        task_to_id={"transcribe": ids("<|transcribe|>"), "translate": ids("<|translate|>")},
        no_timestamps_token_id=ids("<|notimestamps|>"),
        prev_sot_token_id=ids("<|startofprev|>"),
        forced_decoder_ids=[[1, None], [2, ids("<|transcribe|>")]],
        suppress_tokens=[], begin_suppress_tokens=[ids("Ġ"), eot],
        max_initial_timestamp_index=50, return_timestamps=False,
        alignment_heads=[[layer, head] for layer in range(config.decoder_layers)
                         for head in range(config.decoder_attention_heads)],
        transformers_version="4.57.3",
    )


def build(out: Path, seed: int = 0, multilingual: bool = True) -> Path:
    """Write the checkpoint into ``out`` and return ``out``."""
    import torch
    from transformers import (
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
    )

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tok = _tokenizer(out, multilingual)
    eot = tok.convert_tokens_to_ids("<|endoftext|>")
    sot = tok.convert_tokens_to_ids("<|startoftranscript|>")
    config = WhisperConfig(vocab_size=len(tok), pad_token_id=eot, bos_token_id=eot,
                           eos_token_id=eot, decoder_start_token_id=sot, **TINY)
    config.suppress_tokens = config.begin_suppress_tokens = None  # generation_config's job
    torch.manual_seed(seed)
    model = WhisperForConditionalGeneration(config).eval()
    model.save_pretrained(str(out), safe_serialization=True)
    (out / "generation_config.json").write_text(
        json.dumps(_generation_config(tok, config), indent=2), encoding="utf-8")
    WhisperFeatureExtractor(feature_size=TINY["num_mel_bins"]).save_pretrained(str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio.testing.tiny_whisper",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--english-only", action="store_true",
                        help="one language token, like the *.en checkpoints")
    args = parser.parse_args(argv)
    print(build(args.dir, multilingual=not args.english_only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
