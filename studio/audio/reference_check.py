"""The reference check: is this clip good for cloning, and if not, what should the person do?

Each item passes, warns or fails with one sentence a person can act on; the report also
suggests the best 5-15 s window of clean speech. Pure numpy and fast (a few milliseconds
for a minute of audio), because the GUI recomputes it every time the selection changes.
When the clip was transcribed, the comparison of the typed transcript with what was heard
(``studio.asr.transcript_check``) is one more item, ``"transcript"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from studio.audio.clip import Clip, SourceInfo
from studio.audio.levels import SILENCE_DB, Activity, detect_speech, frame_clipped, runs

MIN_S, BEST_MIN_S, BEST_MAX_S, TOO_LONG_S = 3.0, 5.0, 15.0, 30.0
WINDOW_PAD_S = 0.1


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class CheckItem:
    key: str  # "duration", "speech", "silence", "clipping", "level", "noise", ...
    status: Status
    message: str
    value: float | None = None

    def to_dict(self) -> dict:
        return {"key": self.key, "status": self.status.value, "message": self.message,
                "value": self.value}


@dataclass
class ReferenceReport:
    items: list[CheckItem]
    best_window: tuple[float, float] | None  # seconds in the clip (not the selection)
    duration_s: float
    speech_s: float
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No item failed (warnings are allowed)."""
        return all(i.status is not Status.FAIL for i in self.items)

    @property
    def worst(self) -> Status:
        statuses = {i.status for i in self.items}
        for s in (Status.FAIL, Status.WARN):
            if s in statuses:
                return s
        return Status.PASS

    def item(self, key: str) -> CheckItem | None:
        return next((i for i in self.items if i.key == key), None)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "worst": self.worst.value,
            "duration_s": self.duration_s,
            "speech_s": self.speech_s,
            "best_window": list(self.best_window) if self.best_window else None,
            "items": [i.to_dict() for i in self.items],
            **self.extra,
        }


def _duration(seconds: float) -> CheckItem:
    v = round(seconds, 2)
    if seconds < MIN_S:
        return CheckItem("duration", Status.FAIL,
                         f"The clip is {seconds:.1f} s long; cloning needs at least 3 s of "
                         "speech (5-15 s is best). Record or select a longer part.", v)
    if seconds < BEST_MIN_S:
        return CheckItem("duration", Status.WARN,
                         f"The clip is {seconds:.1f} s long; it works, but 5-15 s of speech "
                         "gives a closer voice.", v)
    if seconds <= BEST_MAX_S:
        return CheckItem("duration", Status.PASS,
                         f"The clip is {seconds:.1f} s long, in the best range (5-15 s).", v)
    if seconds <= TOO_LONG_S:
        return CheckItem("duration", Status.WARN,
                         f"The clip is {seconds:.1f} s long; 5-15 s is best. Use the suggested "
                         "window or select 5-15 s of clean speech.", v)
    return CheckItem("duration", Status.WARN,
                     f"The clip is {seconds:.0f} s long, far more than needed: long "
                     "references slow cloning down and often make the voice worse. Select "
                     "5-15 s of clean speech (use the suggested window).", v)


def _speech(act: Activity, seconds: float) -> CheckItem:
    speech_s = act.speech_s
    share = speech_s / seconds if seconds > 0 else 0.0
    if speech_s <= 0:
        return CheckItem("speech", Status.FAIL,
                         "No speech was found. Check that the right microphone is selected "
                         "and record again, or import another clip.", 0.0)
    if speech_s < 1.5:
        return CheckItem("speech", Status.FAIL,
                         f"Only {speech_s:.1f} s of the clip is speech; cloning needs at "
                         "least 3 s. Record a few full sentences.", round(speech_s, 2))
    if share < 0.6:
        return CheckItem("speech", Status.WARN,
                         f"Only {share:.0%} of the clip is speech ({speech_s:.1f} s); the rest "
                         "is pauses. Trim the silence or use the suggested window.",
                         round(speech_s, 2))
    return CheckItem("speech", Status.PASS,
                     f"Speech fills {share:.0%} of the clip ({speech_s:.1f} s).",
                     round(speech_s, 2))


def _silence(act: Activity, peak: float) -> CheckItem:
    if peak < 10 ** (SILENCE_DB / 20):
        return CheckItem("silence", Status.FAIL,
                         "The clip is silent. Check the microphone (and that it is not muted) "
                         "and record again.", 1.0)
    b = act.bounds()
    lead = b[0] * act.frame_s if b else 0.0
    trail = (act.speech.size - b[1]) * act.frame_s if b else 0.0
    if max(lead, trail) > 1.0:
        return CheckItem("silence", Status.WARN,
                         f"There is {lead:.1f} s of silence at the start and {trail:.1f} s at "
                         "the end. Trim the silence so the clip starts and ends with speech.",
                         round(lead + trail, 2))
    return CheckItem("silence", Status.PASS, "No long silence at the start or end.",
                     round(lead + trail, 2))


def _clipping(clipped: int, total: int) -> CheckItem:
    frac = clipped / total if total else 0.0
    if frac >= 0.01:
        return CheckItem("clipping", Status.FAIL,
                         f"{frac:.1%} of the samples are at full scale: the recording is "
                         "distorted (clipped). Lower the input gain and record again.", frac)
    if frac >= 0.0005:
        return CheckItem("clipping", Status.WARN,
                         f"Some peaks are clipped ({frac:.2%} of the samples at full scale). "
                         "Lower the input gain a little, or select a part without them.", frac)
    return CheckItem("clipping", Status.PASS, "No clipping.", frac)


def _level(act: Activity) -> CheckItem:
    if not act.speech.any():
        return CheckItem("level", Status.WARN, "The level was not measured: no speech found.")
    db = round(act.speech_db(), 1)
    if db < -35:
        return CheckItem("level", Status.WARN,
                         f"The speech is quiet ({round(db)} dBFS RMS). Normalise it, or raise the "
                         "microphone gain and record again.", db)
    if db > -10:
        return CheckItem("level", Status.WARN,
                         f"The speech is very loud ({round(db)} dBFS RMS) and may be distorted. "
                         "Lower the input gain.", db)
    return CheckItem("level", Status.PASS, f"Speech level is {round(db)} dBFS RMS, good.", db)


def _noise(act: Activity, floor_db: float) -> CheckItem:
    """Speech level of the part checked against the noise floor of the whole clip: the
    quiet frames of a short selection may be none at all (its edges in speech), which
    would make speech look like noise."""
    if not act.speech.any():
        return CheckItem("noise", Status.WARN, "Noise was not measured: no speech found.")
    snr = round(act.speech_db() - floor_db, 1)
    if floor_db <= -90 or snr >= 30:
        return CheckItem("noise", Status.PASS,
                         f"Background noise is low (about {min(snr, 99):.0f} dB below the "
                         "speech).", snr)
    if snr >= 15:
        return CheckItem("noise", Status.WARN,
                         f"There is some background noise (only {snr:.0f} dB below the speech). "
                         "A quieter room gives a cleaner voice.", snr)
    return CheckItem("noise", Status.FAIL,
                     f"Background noise is strong ({snr:.0f} dB below the speech); the clone "
                     "will copy it. Record in a quieter place, closer to the microphone.", snr)


def _edges(whole: Activity, selection: tuple[float, float], total_s: float) -> CheckItem:
    """Does an edge of the selection fall inside a word (sound on both sides of it)?"""
    cuts = []
    for name, at in (("starts", selection[0]), ("ends", selection[1])):
        frame = int(round(at / whole.frame_s))
        if at <= whole.frame_s or at >= total_s - whole.frame_s:
            continue  # the clip's own start or end
        around = whole.db[max(0, frame - 1):frame + 1]
        if around.size == 2 and bool((around > whole.threshold_db).all()):
            cuts.append(f"{name} in the middle of a word (at {at:.2f} s)")
    if cuts:
        return CheckItem("edges", Status.WARN,
                         f"The selection {' and '.join(cuts)}. Drag the edge into a pause, or "
                         "use Trim silence or the suggested window.", float(len(cuts)))
    return CheckItem("edges", Status.PASS, "The selection starts and ends in pauses.", 0.0)


def _original(source: SourceInfo, rate: int) -> list[CheckItem]:
    ch = source.channels
    items = [CheckItem("channels", Status.PASS,
                       "The original is mono." if ch == 1 else
                       f"The original has {ch} channels; they were mixed to mono.", float(ch))]
    sr = source.sample_rate
    if sr < 16000:
        items.append(CheckItem("sample_rate", Status.WARN,
                               f"The original is only {sr} Hz, so high frequencies are missing "
                               "and the clone may sound muffled. Use a recording made at 24 kHz "
                               "or more if you have one.", float(sr)))
    else:
        conv = "" if sr == rate else f", converted to {rate} Hz"
        items.append(CheckItem("sample_rate", Status.PASS,
                               f"The original's sample rate is {sr} Hz{conv}.", float(sr)))
    return items


def best_window(act: Activity, clipped: np.ndarray, total_s: float,
                pad_s: float = WINDOW_PAD_S) -> tuple[float, float] | None:
    """The 5-15 s stretch with the most clean speech, cut in pauses; seconds or None."""
    starts, ends = runs(act.speech)
    if starts.size == 0:
        return None
    f = act.frame_s
    pad = int(round(pad_s / f))

    def seconds(s: int, e: int) -> tuple[float, float]:
        return max(0.0, (s - pad) * f), min(total_s, (e + pad) * f)

    if (ends[-1] - starts[0] + 2 * pad) * f <= BEST_MAX_S:
        return seconds(int(starts[0]), int(ends[-1]))
    # score: speech frames, minus a heavy cost for frames with clipping
    value = act.speech.astype(np.float64) - 5.0 * (clipped > 0)
    cum = np.concatenate(([0.0], np.cumsum(value)))
    lo, hi = BEST_MIN_S / f - 2 * pad, BEST_MAX_S / f - 2 * pad
    if starts.size <= 1500:  # windows that start and end in pauses
        length = ends[None, :] - starts[:, None]
        ok = (length >= lo) & (length <= hi)
        if ok.any():
            score = np.where(ok, cum[ends][None, :] - cum[starts][:, None], -np.inf)
            i, j = np.unravel_index(int(np.argmax(score)), score.shape)
            return seconds(int(starts[i]), int(ends[j]))
    # one long run of speech: slide a full-length window frame by frame
    width = int(hi)
    n = act.speech.size
    if n <= width:
        return seconds(int(starts[0]), int(ends[-1]))
    sums = cum[width:] - cum[: n - width + 1]
    s = int(np.argmax(sums))
    return seconds(s, s + width)


def check_reference(
    audio: np.ndarray,
    sample_rate: int,
    *,
    source: SourceInfo | None = None,
    selection: tuple[float, float] | None = None,
    transcript: Any = None,
) -> ReferenceReport:
    """Check mono ``audio`` (or the ``selection`` of it, in seconds) as a cloning reference.

    ``transcript`` is a ``TranscriptCheck`` of the typed words against what was heard."""
    x = np.asarray(audio, dtype=np.float32)
    full_s = x.shape[0] / float(sample_rate)
    whole = detect_speech(x, sample_rate) if selection is not None else None
    offset = 0.0
    if selection is not None:
        a = max(0, int(round(selection[0] * sample_rate)))
        b = min(x.shape[0], int(round(selection[1] * sample_rate)))
        x = x[a:max(a, b)]
        offset = a / float(sample_rate)
    total_s = x.shape[0] / float(sample_rate)
    act = detect_speech(x, sample_rate)
    clipped = frame_clipped(x, act.hop)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    floor_db = whole.floor_db if whole is not None else act.floor_db
    items = [_duration(total_s), _speech(act, total_s), _silence(act, peak),
             _clipping(int(clipped.sum()), x.shape[0]), _level(act), _noise(act, floor_db)]
    if whole is not None and selection is not None and total_s < full_s - 1e-3:
        items.append(_edges(whole, (offset, offset + total_s), full_s))
    if source is not None:
        items += _original(source, int(sample_rate))
    if transcript is not None:  # first: it is what the person just did, and acts on
        items.insert(0, transcript.item())
    window = best_window(act, clipped, total_s) if x.size else None
    if window is not None:
        window = (round(window[0] + offset, 3), round(window[1] + offset, 3))
    return ReferenceReport(items=items, best_window=window, duration_s=round(total_s, 3),
                           speech_s=round(act.speech_s, 3),
                           extra={"noise_floor_db": round(floor_db, 1),
                                  "peak_db": round(float(20 * np.log10(max(peak, 1e-6))), 1)})


def check_clip(clip: Clip, selection: tuple[float, float] | None = None,
               transcript: Any = None) -> ReferenceReport:
    return check_reference(clip.audio, clip.sample_rate, source=clip.source,
                           selection=selection, transcript=transcript)
