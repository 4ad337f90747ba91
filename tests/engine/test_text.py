from studio.engine import text as t


def test_short_text_is_one_segment_without_pause():
    assert t.segment("Hello there.") == [("Hello there.", 0.0)]


def test_empty_and_punctuation_only_give_nothing():
    assert t.segment("   \n\t ") == []
    assert t.segment("... !!") == []


def test_sentences_are_packed_up_to_the_limit():
    sentence = "This is a sentence of moderate length."
    segs = t.segment(" ".join([sentence] * 20))
    assert len(segs) > 1
    assert all(t.weight(s) <= t.MAX_SEGMENT_CHARS for s, _ in segs)
    assert " ".join(s for s, _ in segs) == " ".join([sentence] * 20)


def test_cjk_is_split_at_its_own_punctuation():
    text = "今天天气很好。我们去公园散步吧！" * 8
    segs = t.segment(text)
    assert len(segs) > 1
    assert all(t.weight(s) <= t.MAX_SEGMENT_CHARS for s, _ in segs)
    assert "".join(s for s, _ in segs) == text


def test_a_very_long_sentence_is_split_at_clauses_or_words():
    text = ", ".join(["a clause with several words in it"] * 30) + "."
    segs = t.segment(text)
    assert len(segs) > 1 and all(t.weight(s) <= t.MAX_SEGMENT_CHARS for s, _ in segs)
    word = "x" * 1000
    assert all(t.weight(s) <= t.MAX_SEGMENT_CHARS for s, _ in t.segment(word))


def test_paragraphs_get_a_longer_pause():
    segs = t.segment("One.\n\nTwo.\n\nThree.")
    assert [p for _, p in segs] == [t.PARAGRAPH_PAUSE_SECONDS, t.PARAGRAPH_PAUSE_SECONDS, 0.0]


def test_control_characters_are_dropped():
    assert t.normalise("a\x00b\u200bc\r\nd") == "abc\nd" or t.normalise("a\x00b\u200bc\r\nd").startswith("ab")


def test_frame_budget_grows_with_text_and_has_a_floor():
    assert t.frame_budget("Hi.") >= 25
    assert t.frame_budget("word " * 100) > t.frame_budget("word " * 10)
    assert t.frame_budget("中文" * 50) > t.frame_budget("ab" * 50)


def test_long_cjk_sentence_splits_without_inserting_spaces():
    text = "，".join(["我们今天一起去公园散步然后吃午饭"] * 12) + "。"
    segs = t.segment(text)
    assert len(segs) > 1
    assert "".join(s for s, _ in segs) == text
