"""Stock qwen-tts against our engine, in one process, on the same inputs and seed.

For each model kind it runs: the stock helper (generate_custom_voice, generate_voice_clone,
generate_voice_design), our one-shot path, our streamed path (exact), and our streamed path
in fast mode, and prints time to first audio, total time, real-time factor, peak memory and
the ratio to stock. A numeric section shows what the fast mode changes.

Usage:
  python bench/speed_bench.py                               # tiny models (built in a child)
  python -m studio.testing.tiny_models /tmp/full --full-size 0.6b
  python bench/speed_bench.py --models /tmp/full --frames 125 --kinds custom_voice
  python bench/speed_bench.py --device cuda                 # where a GPU exists

Targets (issue 7): exact total <= 0.9 x stock; first audio <= 0.1 x total for a 10 s take
(125 frames); fast mode on CPU <= 0.4 x stock.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import threading
import time
from pathlib import Path

import numpy as np
from common import models_folder  # noqa: E402 - also puts the repository on sys.path

from studio.audio.samplerate import SAMPLE_RATE  # noqa: E402
from studio.testing.signals import voice_like  # noqa: E402

TEXT = ("The quick brown fox jumps over the lazy dog, and the studio streams every word as "
        "soon as it is ready, so nobody has to wait for the end of a long sentence.")


class PeakRss:
    """Samples this process's resident memory every 20 ms while a run goes on."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> PeakRss:
        self.peak = self.now()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_stock(pool, kind: str, frames: int, seed: int, prompt) -> tuple[float, float, np.ndarray]:  # noqa: ANN001

    from studio.engine.fastpath import FastCodePredictor

    qwen = pool.get(kind).qwen
    with FastCodePredictor.disabled(qwen.model.talker):  # stock, untouched
        return _stock(qwen, kind, frames, seed, prompt)


def _stock(qwen, kind: str, frames: int, seed: int, prompt) -> tuple[float, float, np.ndarray]:  # noqa: ANN001
    import torch

    torch.manual_seed(seed)
    t0 = time.perf_counter()
    if kind == "custom_voice":
        wavs, _ = qwen.generate_custom_voice(text=TEXT, speaker="ryan", language="english",
                                             max_new_tokens=frames + 1)
    elif kind == "voice_design":
        wavs, _ = qwen.generate_voice_design(text=TEXT, instruct="A calm narrator.",
                                             language="english", max_new_tokens=frames + 1)
    else:
        from qwen_tts import VoiceClonePromptItem

        item = VoiceClonePromptItem(torch.from_numpy(prompt.ref_code),
                                    torch.from_numpy(prompt.spk_embedding), False, True,
                                    prompt.ref_text)
        wavs, _ = qwen.generate_voice_clone(text=TEXT, language="english",
                                            voice_clone_prompt=[item], max_new_tokens=frames + 1)
    total = time.perf_counter() - t0
    return total, total, np.asarray(wavs[0], np.float32)


def run_ours(pool, kind: str, frames: int, seed: int, prompt, stream: bool,  # noqa: ANN001
             speed: str = "exact") -> tuple[float, float, np.ndarray]:
    from studio.engine.options import Sampling, Streaming
    from studio.engine.speak_request import CLONE, DESIGN, PRESET, SpeakRequest, run

    s = Sampling(seed=seed, max_frames=frames)
    st = Streaming(enabled=stream)
    kw = dict(language="english", sampling=s, streaming=st, speed=speed)
    if kind == "custom_voice":
        req = SpeakRequest(TEXT, PRESET, speaker="ryan", **kw)
    elif kind == "voice_design":
        req = SpeakRequest(TEXT, DESIGN, instruct="A calm narrator.", **kw)
    else:
        req = SpeakRequest(TEXT, CLONE, prompt=prompt, **kw)
    first: list[float] = []
    t0 = time.perf_counter()
    take = run(pool, req, on_chunk=lambda _a: first or first.append(time.perf_counter() - t0))
    total = time.perf_counter() - t0
    return (first[0] if first else total), total, take.audio


def _placement(module) -> tuple[object, object]:  # noqa: ANN001
    """The device and dtype a module's inputs must have: those of its first floating-point
    parameter (an int8 talker's Linear weights are packed, its embeddings stay float)."""
    for param in module.parameters():
        if param.is_floating_point():
            return param.device, param.dtype
    raise ValueError(f"{type(module).__name__} has no floating-point parameters")


def numeric_report(pool, kind: str) -> list[str]:  # noqa: ANN001
    """What the fast mode changes, measured on the same codes (the decoder) and the same
    prompt (the talker's first-step logits)."""
    import torch

    from studio.engine.codec_stream import StreamingCodecDecoder

    exact = pool.get(kind, speed="exact").qwen.model
    fast = pool.get(kind, speed="fast").qwen.model
    torch.manual_seed(0)  # the same inputs for both, made on the CPU, moved to each model
    codes = torch.randint(0, 2048, (1, 16, 50))
    x = torch.randn(1, 8, exact.talker.config.hidden_size) * 0.05

    def decode(model) -> torch.Tensor:  # noqa: ANN001
        codec = model.speech_tokenizer.model.decoder
        device, _ = _placement(codec)
        return StreamingCodecDecoder(codec).decode(codes.to(device)).float().cpu()

    def logits(model) -> torch.Tensor:  # noqa: ANN001
        device, dtype = _placement(model.talker.model)
        hidden = model.talker.model(inputs_embeds=x.to(device, dtype)).last_hidden_state
        return model.talker.codec_head(hidden).float().cpu()

    with torch.inference_mode():
        a, b = decode(exact), decode(fast)
        la, lb = logits(exact), logits(fast)
    noise = float(((a - b) ** 2).mean())
    snr = 10 * np.log10(float((a ** 2).mean()) / max(noise, 1e-20))
    rel = float((la - lb).norm() / la.norm())
    agree = float((la.argmax(-1) == lb.argmax(-1)).float().mean())
    return [f"decoder bf16 vs fp32 on the same 50 frames: max |diff| {float((a - b).abs().max()):.2e}, "
            f"SNR {snr:.1f} dB (signal rms {float(a.std()):.3f})",
            f"talker int8 vs fp32, same 8-step input: relative logit error {rel:.3f}, "
            f"top-1 agreement {agree:.0%} (random weights: near-ties flip easily)"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path)
    ap.add_argument("--kinds", nargs="+", default=["custom_voice", "base"])
    ap.add_argument("--frames", type=int, default=40, help="codec frames per take (12.5/s)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: the app's default)")
    ap.add_argument("--no-fast", action="store_true")
    args = ap.parse_args()
    with models_folder(args.models) as root:
        return _run(args, root)


def _run(args: argparse.Namespace, root: Path) -> int:

    import torch

    from studio.engine.pool import ModelPool
    from studio.engine.speak_request import PromptRequest, make_prompt

    pool = ModelPool(device=args.device, roots=[root], max_loaded=2, threads=args.threads)
    dev = pool.device
    print(f"# speed_bench {time.strftime('%Y-%m-%d %H:%M')}  {platform.machine()} "
          f"{os.cpu_count()} cpus  torch {torch.__version__}  device={dev.device} {dev.dtype} "
          f"threads={dev.threads}  frames={args.frames} ({args.frames / 12.5:.1f} s)  models={root}")
    print(f"{'model':<34} {'path':<16} {'first s':>8} {'total s':>8} {'RTF':>6} "
          f"{'peak RSS':>9} {'vs stock':>8}")
    for kind in args.kinds:
        if not any(m.kind == kind and m.usable for m in pool.available()):
            print(f"{kind:<34} (no model)")
            continue
        name = pool.get(kind).info.name
        prompt = None
        if kind == "base":
            prompt = make_prompt(pool, PromptRequest(voice_like(5.0), SAMPLE_RATE, "A reference line."))
        run_ours(pool, kind, 3, 0, prompt, True)  # warm up: page weights in
        rows = [("stock qwen-tts", lambda k=kind, p=prompt: run_stock(pool, k, args.frames, 7, p)),
                ("ours one-shot", lambda k=kind, p=prompt: run_ours(pool, k, args.frames, 7, p, False)),
                ("ours streamed", lambda k=kind, p=prompt: run_ours(pool, k, args.frames, 7, p, True))]
        if not args.no_fast:
            rows.append(("ours fast",
                         lambda k=kind, p=prompt: run_ours(pool, k, args.frames, 7, p, True, "fast")))
        results = {}
        for label, fn in rows:
            if label == "ours fast":
                run_ours(pool, kind, 3, 0, prompt, True, "fast")  # load + warm the fast copy
            if dev.device.startswith("cuda"):
                torch.cuda.reset_peak_memory_stats()
            with PeakRss() as rss:
                first, total, audio = fn()
            results[label] = (first, total, audio)
            audio_s = len(audio) / SAMPLE_RATE
            mem = f"{rss.peak / 2**30:.2f} GiB"
            if dev.device.startswith("cuda"):
                mem += f" / GPU {torch.cuda.max_memory_allocated() / 2**30:.2f}"
            ratio = total / results["stock qwen-tts"][1]
            print(f"{name:<34} {label:<16} {first:>8.2f} {total:>8.2f} "
                  f"{total / max(audio_s, 1e-9):>6.2f} {mem:>9} {ratio:>8.2f}")
        stock, one, streamed = (results[k][2] for k in ("stock qwen-tts", "ours one-shot",
                                                        "ours streamed"))
        quirk = ""
        if len(stock) == len(one) + 1:  # stock cuts the reference with float rounding
            stock, quirk = stock[1:], " (stock keeps 1 extra reference sample: a rounding quirk)"
        same = np.array_equal(stock, one)
        print(f"{'':<34} one-shot == stock (same seed): {'yes, bit for bit' if same else 'NO'}"
              f"{quirk};"
              f" streamed vs one-shot max |diff| {float(np.max(np.abs(streamed - one))):.1e};"
              f" first audio / total (streamed): "
              f"{results['ours streamed'][0] / results['ours streamed'][1]:.3f}")
        if not args.no_fast:
            for line in numeric_report(pool, kind):
                print(f"{'':<34} {line}")
        pool.unload()
    return 0


if __name__ == "__main__":
    sys.exit(main())
