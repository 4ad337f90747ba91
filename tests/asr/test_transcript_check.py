"""The transcript check on known texts: alignment, normalisation, CJK, times for the
waveform, the report item; and Whisper tokens grouped into words (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from studio.asr.transcript_check import (
    EXTRA,
    MATCH,
    MISMATCH,
    MISSING,
    align,
    compare,
    tokenize,
    words_within,
)
from studio.asr.words import Transcript, Word, group_words, language_code, pieces
from studio.audio.reference_check import Status, check_reference
from studio.engine.errors import UnknownLanguage


def heard(text: str, step: float = 0.5) -> list[Word]:
    """Words said one every ``step`` seconds, each lasting 0.4 of it."""
    return [Word(w, i * step, i * step + 0.4 * step / 0.5) for i, w in enumerate(text.split())]


def statuses(check) -> list[tuple[str, str]]:
    return [(w.text, w.status) for w in check.words]


def test_exact_match_is_100() -> None:
    check = compare("Hello there, this is a test.", heard("hello there this is a test"))
    assert check.score == 100.0 and check.differences == 0
    assert all(w.status == MATCH for w in check.words)
    item = check.item()
    assert (item.key, item.status, item.value) == ("transcript", Status.PASS, 100.0)
    assert item.message == "The transcript matches what is heard (100%)."


def test_case_punctuation_apostrophes_and_width_do_not_count() -> None:
    typed = "“DON'T” stop — now!!  Ｆｕｌｌ-width…"
    check = compare(typed, heard("dont Stop now full width"))
    assert check.score == 100.0, statuses(check)
    assert [typed[w.start:w.end] for w in check.words] == ["DON'T", "stop", "now", "Ｆｕｌｌ",
                                                           "width"]


def test_numbers_are_compared_as_written() -> None:
    check = compare("I have 3 cats", heard("I have three cats"))
    assert statuses(check)[2] == ("3", MISMATCH) and check.words[2].heard == "three"


def test_one_substitution() -> None:
    check = compare("The quick brown fox", heard("the quick crown fox"))
    assert statuses(check) == [("The", MATCH), ("quick", MATCH), ("brown", MISMATCH),
                               ("fox", MATCH)]
    assert check.words[2].heard == "crown" and check.words[2].time == (1.0, 1.4)
    assert check.score == 75.0
    item = check.item()
    assert item.status is Status.WARN
    assert item.message == ("1 word differs from what is heard: “brown” (heard “crown”). "
                            "Fix the transcript or trim the clip.")


def test_missing_words_get_the_gap_they_belong_in() -> None:
    check = compare("one two three four five", heard("one two five"))
    assert statuses(check) == [("one", MATCH), ("two", MATCH), ("three", MISSING),
                               ("four", MISSING), ("five", MATCH)]
    gap = check.words[2].time
    assert gap is not None and abs(sum(gap) / 2 - 0.95) < 1e-9  # between "two" and "five"
    assert gap[1] - gap[0] >= 0.1
    assert check.words[3].time == gap
    assert check.score == 60.0 and check.item().status is Status.WARN


def test_extra_words_heard_but_not_typed() -> None:
    check = compare("hello world", heard("um hello big world"))
    assert all(w.status == MATCH for w in check.words)
    assert [(t.text, t.t0) for t in check.extra] == [("um", 0.0), ("big", 1.0)]
    assert check.score == 50.0
    assert check.regions() == [(0.0, 0.4, EXTRA), (1.0, 1.4, EXTRA)]
    assert "“um” (heard, not typed)" in check.item().message


def test_a_different_text_fails_and_names_a_few_words() -> None:
    check = compare("completely different words here please", heard("nothing alike at all"))
    item = check.item()
    assert item.status is Status.FAIL and item.value == 0.0
    assert item.message.startswith("The transcript does not match what is heard (0%): ")
    assert item.message.endswith("and 2 more. Check that it is what is said in the selected "
                                 "part.")


def test_a_near_match_still_passes_and_says_so() -> None:
    words = " ".join(f"w{i}" for i in range(40))
    check = compare(words, heard(words.replace("w7", "x7")))
    assert check.item().status is Status.PASS
    assert check.item().message == ("The transcript matches what is heard (98%); 1 word "
                                    "differs (highlighted).")


def test_chinese_and_japanese_are_compared_by_character() -> None:
    check = compare("你好，世界。今天天氣很好。", [Word("你好世界", 0.0, 1.0),
                                               Word("今天天气很好", 1.0, 2.5)])
    assert [w.text for w in check.words] == list("你好世界今天天氣很好")
    assert statuses(check)[7] == ("氣", MISMATCH) and check.words[7].heard == "气"
    assert check.words[0].time == (0.0, 0.25)  # a heard word's time is shared by its characters
    assert round(check.score) == 90
    mixed = tokenize("我用iPhone拍照")
    assert [t.norm for t in mixed] == ["我", "用", "iphone", "拍", "照"]
    assert [t.norm for t in tokenize("こんにちは、世界")] == list("こんにちは世界")
    assert [t.norm for t in tokenize("안녕하세요 세계")] == ["안녕하세요", "세계"]  # spaces


def test_empty_sides() -> None:
    assert compare("", []).score == 100.0
    nothing_heard = compare("hello there", [])
    assert statuses(nothing_heard) == [("hello", MISSING), ("there", MISSING)]
    assert nothing_heard.item().status is Status.FAIL
    assert compare("", heard("hello")).extra[0].text == "hello"


def test_alignment_is_minimal_and_long_texts_stay_fast() -> None:
    assert align(["a", "b", "c"], ["a", "x", "c"]) == [(0, 0), (1, 1), (2, 2)]
    assert align(["a", "b"], ["b"]) == [(0, None), (1, 0)]
    assert align([], ["a"]) == [(None, 0)]
    long = [f"w{i % 50}" for i in range(1000)]
    other = long[:500] + ["new"] + long[501:]
    pairs = align(long, other)  # beyond the exact DP's size: difflib's matching
    assert sum(1 for i, j in pairs if i is not None and j is not None
               and long[i] == other[j]) == 999


def test_words_within_a_selection() -> None:
    words = heard("a b c d e")  # middles at 0.2, 0.7, 1.2, 1.7, 2.2
    assert [w.text for w in words_within(words, 0.5, 1.8)] == ["b", "c", "d"]


def test_the_report_gets_the_transcript_item() -> None:
    rate = 24_000
    t = np.arange(rate * 6) / rate
    audio = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    plain = check_reference(audio, rate)
    assert plain.item("transcript") is None
    check = compare("one two three", heard("one two four"))
    report = check_reference(audio, rate, transcript=check)
    assert report.item("transcript").status is Status.WARN
    assert report.to_dict()["items"][0]["key"] == "transcript"


# --- tokens to words ---------------------------------------------------------------------


def byte_decoder(table: dict[int, bytes]):
    return lambda ids: b"".join(table[i] for i in ids).decode("utf-8", errors="replace")


def test_tokens_that_split_a_character_are_joined() -> None:
    ni = "你".encode()
    table = {1: ni[:2], 2: ni[2:], 3: "好".encode(), 4: b"\xff"}
    assert pieces([1, 2, 3], byte_decoder(table)) == [("你", 0, 1), ("好", 2, 2)]
    assert pieces([3, 4], byte_decoder(table)) == [("好", 0, 0), ("", 1, 1)]  # stray byte


def test_pieces_become_words_with_times() -> None:
    parts = [(" Hello", 0, 0), (",", 1, 1), (" wor", 2, 2), ("ld", 3, 3), ("!", 4, 4)]
    starts, ends = [0.0, 0.5, 0.6, 0.9, 1.2], [0.5, 0.6, 0.9, 1.2, 1.3]
    words = group_words(parts, starts, ends)
    assert [(w.text, w.start, w.end) for w in words] == [("Hello,", 0.0, 0.6),
                                                         ("world!", 0.6, 1.3)]
    chars = group_words([("你好", 0, 1), ("。", 2, 2)], [0.0, 0.5, 1.0], [0.5, 1.0, 1.1])
    assert [(w.text, w.start, w.end) for w in chars] == [("你", 0.0, 0.5), ("好。", 0.5, 1.1)]
    mixed = group_words([("我", 0, 0), ("用", 1, 1), ("i", 2, 2), ("Phone", 3, 3), ("拍", 4, 4)],
                        [0, 1, 2, 3, 4], [1, 2, 3, 4, 5])  # a Latin word inside Chinese
    assert [w.text for w in mixed] == ["我", "用", "iPhone", "拍"]


def test_transcript_shifted_into_clip_time() -> None:
    t = Transcript("a b", "en", (Word("a", 0.0, 0.5), Word("b", 0.5, 1.0)), 1.0)
    moved = t.shifted(2.0)
    assert [(w.start, w.end) for w in moved.words] == [(2.0, 2.5), (2.5, 3.0)]
    assert moved.language_name == "English" and not moved.empty


def test_language_codes() -> None:
    assert language_code("English") == "en" and language_code("zh") == "zh"
    assert language_code("Mandarin") == "zh" and language_code(None) is None
    assert language_code("Auto") is None
    with pytest.raises(UnknownLanguage, match="English, Chinese"):
        language_code("Elvish")
    with pytest.raises(UnknownLanguage):
        language_code("French", supported=["en"])


def test_missing_words_at_the_edges_stay_inside_the_audio() -> None:
    check = compare("first one two last", heard("one two"), end=1.0)
    assert statuses(check)[0] == ("first", MISSING) and statuses(check)[-1] == ("last", MISSING)
    for s, e, _ in check.regions():
        assert 0.0 <= s < e <= 1.0
