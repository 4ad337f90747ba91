"""Check a typed transcript against what a recognition model heard in the clip.

Wrong transcripts are a common cause of bad clones, and people rarely spot a missing or
misheard word by reading. Both texts are normalised (Unicode NFKC, case, punctuation;
numbers are left as written), split into words (characters for Chinese, Japanese and other
scripts written without spaces), and aligned with an edit-distance alignment. Every typed
word is then a match, a mismatch (the model heard another word there) or missing (not
heard at all), and words heard but not typed are extra. Heard words carry times, so the
differences can be shown on the waveform too. Pure Python, milliseconds for a clip.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from studio.asr.words import Word, is_own_word
from studio.audio.reference_check import CheckItem, Status

MATCH, MISMATCH, MISSING = "match", "mismatch", "missing"
EXTRA = "extra"
PASS_SCORE, WARN_SCORE = 95.0, 60.0
MARK_S = 0.12  # a missing word has no time of its own: mark this much around the gap
_DP_LIMIT = 400_000  # cells; beyond this difflib's faster matching is used
_APOSTROPHES = "'’ʼ`´"


@dataclass(frozen=True)
class Token:
    """A word (or character) of a text: as written, normalised, and where it is."""

    text: str
    norm: str
    start: int  # character offsets in the text it came from
    end: int
    t0: float | None = None  # seconds, for heard words
    t1: float | None = None


@dataclass(frozen=True)
class WordStatus:
    """One typed word and how it compares with what is heard."""

    text: str
    start: int  # character offsets in the typed transcript
    end: int
    status: str  # match | mismatch | missing
    heard: str | None = None  # the heard word, for a mismatch
    time: tuple[float, float] | None = None  # where in the audio (seconds)


@dataclass(frozen=True)
class TranscriptCheck:
    words: tuple[WordStatus, ...]
    extra: tuple[Token, ...]  # heard but not typed (with times)
    score: float  # 0-100: agreeing words over all words of the alignment

    @property
    def problems(self) -> list[WordStatus]:
        return [w for w in self.words if w.status != MATCH]

    @property
    def differences(self) -> int:
        return len(self.problems) + len(self.extra)

    def regions(self) -> list[tuple[float, float, str]]:
        """(start, end, status) spans of the audio to highlight, in time order."""
        spans = [(w.time[0], w.time[1], w.status) for w in self.problems if w.time]
        spans += [(t.t0, t.t1, EXTRA) for t in self.extra if t.t0 is not None
                  and t.t1 is not None]
        return sorted(spans)

    def item(self) -> CheckItem:
        """The reference check's sentence about the transcript."""
        score = round(self.score)
        n = self.differences
        if n == 0 or self.score >= PASS_SCORE:
            tail = "" if n == 0 else f"; {_count(n)} {'differs' if n == 1 else 'differ'} " \
                                     "(highlighted)"
            return CheckItem("transcript", Status.PASS,
                             f"The transcript matches what is heard ({score}%){tail}.",
                             float(score))
        examples = self._examples()
        if self.score >= WARN_SCORE:
            return CheckItem("transcript", Status.WARN,
                             f"{_count(n)} {'differs' if n == 1 else 'differ'} from what is "
                             f"heard: {examples}. Fix the transcript or trim the clip.",
                             float(score))
        return CheckItem("transcript", Status.FAIL,
                         f"The transcript does not match what is heard ({score}%): {examples}. "
                         "Check that it is what is said in the selected part.", float(score))

    def _examples(self, limit: int = 3) -> str:
        out = []
        for w in self.problems:
            out.append(f"“{w.text}” (heard “{w.heard}”)" if w.status == MISMATCH
                       else f"“{w.text}” (not heard)")
        out += [f"“{t.text}” (heard, not typed)" for t in self.extra]
        more = len(out) - limit
        return ", ".join(out[:limit]) + (f" and {more} more" if more > 0 else "")


def _count(n: int) -> str:
    return "1 word" if n == 1 else f"{n} words"


# --- words ---------------------------------------------------------------------------------


_own_token = is_own_word


def tokenize(text: str) -> list[Token]:
    """Words of ``text`` with their character offsets; punctuation and spaces separate
    words, apostrophes inside a word are dropped ("don't" = "dont")."""
    tokens: list[Token] = []
    start = -1
    norm: list[str] = []

    def close(end: int) -> None:
        nonlocal start
        if start >= 0 and norm:
            tokens.append(Token(text[start:end], "".join(norm), start, end))
        start = -1
        norm.clear()

    for i, c in enumerate(text):
        folded = unicodedata.normalize("NFKC", c).casefold()
        if _own_token(c) or (folded and _own_token(folded[0])):
            close(i)
            tokens.append(Token(c, folded, i, i + 1))
        elif c in _APOSTROPHES and start >= 0:
            continue  # inside a word
        elif folded and all(unicodedata.category(f)[0] in "LNM" for f in folded):
            if start < 0:
                start = i
            norm.append(folded)
        else:
            close(i)
    close(len(text))
    return tokens


def heard_tokens(words: Sequence[Word]) -> list[Token]:
    """The heard words as tokens, each with its share of the word's time."""
    out: list[Token] = []
    for w in words:
        parts = tokenize(w.text)
        step = (w.end - w.start) / len(parts) if parts else 0.0
        for k, t in enumerate(parts):
            out.append(Token(t.text, t.norm, t.start, t.end, w.start + k * step,
                             w.start + (k + 1) * step))
    return out


def words_within(words: Sequence[Word], start: float, end: float) -> list[Word]:
    """The heard words whose middle lies in [start, end] (a selection of the clip)."""
    return [w for w in words if start <= (w.start + w.end) / 2 <= end]


# --- alignment -----------------------------------------------------------------------------


def align(a: Sequence[str], b: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Minimum edit-distance alignment of two word lists: (i, j) pairs, None for a gap."""
    n, m = len(a), len(b)
    if n * m > _DP_LIMIT:
        return _align_difflib(a, b)
    prev = list(range(m + 1))
    back = [[2] * (m + 1)]  # 0 diagonal, 1 up (a word of a only), 2 left (b only)
    for i in range(1, n + 1):
        cur = [i] + [0] * m
        row = [1] + [0] * m
        ai = a[i - 1]
        for j in range(1, m + 1):
            diag = prev[j - 1] + (ai != b[j - 1])
            up, left = prev[j] + 1, cur[j - 1] + 1
            if diag <= up and diag <= left:
                cur[j], row[j] = diag, 0
            elif up <= left:
                cur[j], row[j] = up, 1
            else:
                cur[j], row[j] = left, 2
        back.append(row)
        prev = cur
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i > 0 or j > 0:
        step = back[i][j] if i > 0 and j > 0 else (1 if i > 0 else 2)
        if step == 0:
            i, j = i - 1, j - 1
            pairs.append((i, j))
        elif step == 1:
            i -= 1
            pairs.append((i, None))
        else:
            j -= 1
            pairs.append((None, j))
    return pairs[::-1]


def _align_difflib(a: Sequence[str], b: Sequence[str]) -> list[tuple[int | None, int | None]]:
    pairs: list[tuple[int | None, int | None]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        common = min(i2 - i1, j2 - j1) if op == "replace" else 0
        if op == "equal":
            pairs += list(zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        pairs += [(i1 + k, j1 + k) for k in range(common)]
        pairs += [(i, None) for i in range(i1 + common, i2)]
        pairs += [(None, j) for j in range(j1 + common, j2)]
    return pairs


def compare(typed: str, heard: Sequence[Word], end: float | None = None) -> TranscriptCheck:
    """Compare the typed transcript with the heard words (see the module's docstring).

    ``end`` is where the audio ends (seconds): marks of missing words stay before it."""
    mine, theirs = tokenize(typed), heard_tokens(heard)
    pairs = align([t.norm for t in mine], [t.norm for t in theirs])
    words: list[WordStatus] = []
    extra: list[Token] = []
    matches = 0
    last_end = theirs[0].t0 if theirs and theirs[0].t0 is not None else 0.0
    pending: list[int] = []  # missing words waiting for the next heard word's time
    for i, j in pairs:
        if j is not None:
            h = theirs[j]
            _place_missing(words, pending, last_end, h.t0 if h.t0 is not None else last_end, end)
            last_end = h.t1 if h.t1 is not None else last_end
        if i is None and j is not None:
            extra.append(theirs[j])
        elif i is not None and j is None:
            t = mine[i]
            pending.append(len(words))
            words.append(WordStatus(t.text, t.start, t.end, MISSING))
        elif i is not None and j is not None:
            t, h = mine[i], theirs[j]
            same = t.norm == h.norm
            matches += same
            time = (h.t0, h.t1) if h.t0 is not None and h.t1 is not None else None
            words.append(WordStatus(t.text, t.start, t.end, MATCH if same else MISMATCH,
                                    None if same else h.text, time))
    _place_missing(words, pending, last_end, last_end, end)
    total = len(pairs)
    score = 100.0 * matches / total if total else 100.0
    return TranscriptCheck(tuple(words), tuple(extra), score)


def _place_missing(words: list[WordStatus], pending: list[int], t0: float, t1: float,
                   end: float | None) -> None:
    """Give the missing words before a heard word the gap they would have been said in."""
    if not pending:
        return
    if t1 - t0 < MARK_S:
        mid = (t0 + t1) / 2
        t0, t1 = mid - MARK_S / 2, mid + MARK_S / 2
        shift = max(0.0 - t0, 0.0) or (min(end - t1, 0.0) if end is not None else 0.0)
        t0, t1 = max(0.0, t0 + shift), t1 + shift
    for k in pending:
        w = words[k]
        words[k] = WordStatus(w.text, w.start, w.end, w.status, w.heard, (t0, t1))
    pending.clear()
