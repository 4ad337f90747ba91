"""Segments and requests made together as one batch vs one after another (issue 19).

Sections (all by default; pick with --sections):
  long     a long text, sentence by sentence: --batch 1 vs batched, total (first sample
           requested to last sample out), first chunk, real-time factor; per --speeds
  rows     seconds per generation step for 1, 4, 8, 12, 16 rows (--row-sizes): the batch cap
  decoder  the codec decoder's cost per second of audio, fp32 and bf16: the codec's own
           layers one call per row, the same stacked in one call for the batch, and with
           the rewritten SnakeBeta (codec_kernels.py) stacked
  memory   peak memory (RSS, or CUDA's peak) per batch size, next to batch_size.row_bytes
  design   the Design page's candidates: one after another vs one batch
  server   concurrent clients with different texts: --batch 1 server vs batching server
  window   a 10 s, three-sentence take played as the window does (adaptive start, a fake
           sound card pulled in real time): time to first sound and underruns, today's
           path (one segment, made alone) vs sentences made in parallel

Usage:
  python bench/batch_bench.py                                  # tiny models, all sections
  python bench/batch_bench.py --models /work/fullsize --sentences 12 --frames 62
  python bench/batch_bench.py --device cuda                    # where a GPU exists

Random-weight models never end a sentence by themselves, so every segment is capped at
--frames frames; both paths then make exactly the same amount of audio. Figures go into
bench/RESULTS.md; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from batch_flows import design_section, server_section, window_section
from common import models_folder  # noqa: E402 - also puts the repository on sys.path

from studio.audio.samplerate import SAMPLE_RATE  # noqa: E402

SENTENCES = [
    "The lighthouse keeper climbed the stairs one last time before the storm.",
    "Far below, the waves were breaking against the rocks in long white lines.",
    "He had kept the lamp burning for thirty years without missing a single night.",
    "Tonight the wind was stronger than anything he could remember.",
    "Still, the old machine turned slowly, and its beam swept across the water.",
    "Somewhere out there a small fishing boat was trying to find the harbour.",
    "The keeper watched the light pass over the sea again and again.",
    "At last he saw a tiny red lamp moving towards the entrance of the bay.",
    "He let out a long breath and sat down on the wooden bench by the window.",
    "By morning the storm had passed, and the sea was calm and grey.",
    "The fishermen came up the hill to thank him, carrying bread and fish.",
    "He smiled, poured them tea, and told them it was simply his job.",
]
SECTIONS = ("long", "rows", "decoder", "memory", "design", "server", "window")


def long_text(n: int) -> str:
    """``n`` sentences, one per paragraph: cut the same way by both paths."""
    return "\n\n".join(SENTENCES[i % len(SENTENCES)] for i in range(n))


def timed_take(engine, request) -> dict:  # noqa: ANN001
    """Stream ``request``; times from asking to the first and the last sample."""
    t0 = time.perf_counter()
    first = last = None
    samples = 0
    stream = engine.stream(request)
    for chunk in stream:
        now = time.perf_counter()
        first = first if first is not None else now - t0
        last = now - t0
        samples += len(chunk)
    take = stream.result()
    audio_s = samples / SAMPLE_RATE
    return dict(total=last or 0.0, first=first or 0.0, audio=audio_s, take=take,
                rtf=(last or 0.0) / audio_s if audio_s else float("nan"))


def long_section(args: argparse.Namespace, root: Path) -> None:
    from dataclasses import replace

    from studio.engine.engine_thread import EngineThread
    from studio.engine.options import Sampling, Streaming
    from studio.engine.pool import ModelPool
    from studio.engine.speak_request import PRESET, SpeakRequest

    text = long_text(args.sentences)
    print(f"\n## long text: {args.sentences} sentences x {args.frames} frames, "
          "custom_voice, preset speaker")
    print(f"{'speed':6} {'path':10} {'first s':>8} {'total s':>8} {'audio s':>8} {'RTF':>6} "
          f"{'vs b1':>6}")
    for speed in args.speeds:
        pool = ModelPool(device=args.device, roots=[root], max_loaded=1, speed=speed,
                         threads=args.threads)
        with EngineThread(pool) as engine:
            base = SpeakRequest(text, PRESET, "english", speaker="ryan",
                                sampling=Sampling(seed=3, max_frames=args.frames))
            engine.speak(replace(base, text=SENTENCES[0],
                                 sampling=Sampling(seed=0, max_frames=3)))  # load, page in
            one = None
            for label, batch in (("batch 1", 1), ("batched", 0)):
                r = timed_take(engine, replace(base, streaming=Streaming(batch=batch)))
                one = one or r["total"]
                print(f"{speed:6} {label:10} {r['first']:8.2f} {r['total']:8.2f} "
                      f"{r['audio']:8.2f} {r['rtf']:6.2f} {r['total'] / one:6.2f}", flush=True)


def decoder_section(args: argparse.Namespace, root: Path) -> None:
    import torch

    from studio.engine.codec_stream import StreamingCodecDecoder
    from studio.engine.pool import ModelPool

    pool = ModelPool(device=args.device, roots=[root], max_loaded=1, threads=args.threads)
    model = pool.get("custom_voice")
    codec = model.qwen.model.speech_tokenizer.model.decoder
    device = next(codec.parameters()).device
    torch.set_num_threads(1)  # the decoder's share of a 2-core machine (speed.decoder_threads)
    rows, frames, chunk = args.decoder_rows, 24, 12
    gen = torch.Generator().manual_seed(0)
    codes = torch.randint(0, 2048, (rows, 16, frames), generator=gen).to(device)
    print(f"\n## decoder: {rows} rows x {frames} frames in chunks of {chunk}, 1 thread; "
          "seconds of decoding per second of audio (best of 3)")
    print(f"{'dtype':9} {'codec layers, per row':>22} {'codec layers, batch':>20} "
          f"{'rewritten, batch':>17}")

    def cost(stacked: bool, rewritten: bool) -> float:
        best = float("inf")
        for _ in range(3):
            decs = [StreamingCodecDecoder(codec, rewritten=rewritten) for _ in range(rows)]
            if stacked:
                decs = [StreamingCodecDecoder.stack(decs, codec)]
            t0 = time.perf_counter()
            with torch.inference_mode():
                for start in range(0, frames, chunk):
                    if stacked:
                        decs[0].decode(codes[..., start:start + chunk])
                    else:
                        for r, dec in enumerate(decs):
                            dec.decode(codes[r:r + 1, :, start:start + chunk])
            if device.type == "cuda":
                torch.cuda.synchronize()
            best = min(best, time.perf_counter() - t0)
        return best / (rows * frames / model.frame_rate)

    for dtype in (torch.float32, torch.bfloat16):
        codec.to(dtype)
        cost(False, False)  # warm-up
        print(f"{str(dtype).split('.')[-1]:9} {cost(False, False):22.2f} "
              f"{cost(True, False):20.2f} {cost(True, True):17.2f}", flush=True)
    codec.to(torch.float32)
    pool.unload()


class PeakMemory:
    """The peak resident memory (or CUDA's allocator peak) while inside."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.peak = 0
        self._stop = threading.Event()

    def _rss(self) -> int:
        import psutil

        return psutil.Process().memory_info().rss

    def __enter__(self) -> PeakMemory:
        if self.device.startswith("cuda"):
            import torch

            torch.cuda.reset_peak_memory_stats()
            return self
        self.peak = self._rss()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *_exc: object) -> None:
        if self.device.startswith("cuda"):
            import torch

            self.peak = torch.cuda.max_memory_allocated()
            return
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def rows_section(args: argparse.Namespace, root: Path) -> None:
    """Seconds per generation step against rows per batch (no decoding): what a batch cap
    should be grounded in."""
    from studio.engine import batch_rows
    from studio.engine.options import Streaming
    from studio.engine.pool import ModelPool
    from studio.engine.row_sampler import RowOptions

    frames = 10
    print(f"\n## rows: seconds per generation step (mean of steps 3-{frames}, no decoding)")
    print(f"{'speed':6} {'rows':>4} {'s/step':>7} {'gen s per audio s':>18}")
    for speed in args.speeds:
        pool = ModelPool(device=args.device, roots=[root], max_loaded=1, speed=speed,
                         threads=args.threads)
        synth = pool.synthesizer("custom_voice")
        plans: list = []
        synth.runner = plans.append
        synth.preset(long_text(max(args.row_sizes)), "ryan", "english")
        segments = plans[0].segments
        options = RowOptions.from_kwargs(1, synth.model.qwen._merge_generate_kwargs())
        for size in [1, *args.row_sizes]:
            rows = [batch_rows.Row(seg.inputs, None, options, frames, False, lambda _a: None,
                                   lambda _f, _r: None) for seg in segments[:size]]
            ticks: list[float] = []
            batch_rows.generate_rows(synth.model, rows, Streaming(enabled=False),
                                     lambda _s, ticks=ticks: ticks.append(time.perf_counter()))
            step = (ticks[-1] - ticks[2]) / (len(ticks) - 3)
            print(f"{speed:6} {size:4d} {step:7.3f} {step / size * synth.model.frame_rate:18.3f}",
                  flush=True)
        pool.unload()


def memory_section(args: argparse.Namespace, root: Path) -> None:
    from studio.engine import batch_rows, batch_size
    from studio.engine.options import Streaming
    from studio.engine.pool import ModelPool
    from studio.engine.row_sampler import RowOptions

    pool = ModelPool(device=args.device, roots=[root], max_loaded=1, threads=args.threads)
    synth = pool.synthesizer("custom_voice")
    plans: list = []
    synth.runner = plans.append
    synth.preset(long_text(max(args.memory_sizes)), "ryan", "english")
    segments = plans[0].segments
    frames = 6
    qwen = synth.model.qwen
    options = RowOptions.from_kwargs(1, qwen._merge_generate_kwargs())
    print(f"\n## memory: peak while generating {frames} frames per row and decoding them "
          f"({pool.device.device}, {synth.model.speed})")
    print(f"{'batch':>5} {'peak GiB':>9} {'growth MiB':>11} {'per row MiB':>12} "
          f"{'row_bytes(400) MiB':>19}")
    base = None
    for size in args.memory_sizes:
        rows = [batch_rows.Row(seg.inputs, None, options, frames, False, lambda _a: None,
                               lambda _f, _r: None) for seg in segments[:size]]
        with PeakMemory(pool.device.device) as mem:
            batch_rows.generate_rows(synth.model, rows, Streaming(first_chunk=frames,
                                                                  overlap=False))
        base = base if base is not None else mem.peak
        growth = (mem.peak - base) / 2**20
        per_row = growth / (size - 1) if size > 1 else float("nan")
        print(f"{size:5d} {mem.peak / 2**30:9.2f} {growth:11.0f} {per_row:12.0f} "
              f"{batch_size.row_bytes(synth.model, 400) / 2**20:19.0f}", flush=True)
    pool.unload()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, help="default: tiny models built in a temp folder")
    ap.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, auto...")
    ap.add_argument("--threads", type=int, default=0, help="generation threads (0: the app's)")
    ap.add_argument("--sentences", type=int, default=12, help="long text: sentences")
    ap.add_argument("--frames", type=int, default=60, help="frames per sentence (12.5/s)")
    ap.add_argument("--speeds", nargs="+", default=["exact", "fast"], choices=["exact", "fast"])
    ap.add_argument("--sections", nargs="+", default=list(SECTIONS), choices=SECTIONS)
    ap.add_argument("--decoder-rows", type=int, default=4)
    ap.add_argument("--row-sizes", type=int, nargs="+", default=[4, 8, 12, 16])
    ap.add_argument("--memory-sizes", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--candidates", type=int, default=3)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--flow-speed", default="exact", choices=["exact", "fast"],
                    help="speed mode of the design, server and window sections")
    args = ap.parse_args()
    with models_folder(args.models) as root:
        import torch

        print(f"# batch_bench {time.strftime('%Y-%m-%d %H:%M')}  models={root}  "
              f"device={args.device}  torch threads at start={torch.get_num_threads()}  "
              f"sentences={args.sentences} frames={args.frames}")
        sections = dict(long=long_section, rows=rows_section, decoder=decoder_section,
                        memory=memory_section,
                        design=design_section, server=server_section, window=window_section)
        for name in args.sections:
            sections[name](args, root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
