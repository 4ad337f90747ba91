"""Import of every format (fixtures built here), and bad files: one clear error, nothing made."""

from __future__ import annotations

import zipfile

import pytest

from studio.cli import main
from studio.projects.errors import ImportFailed
from studio.projects.imports import read_file
from tests.projects.helpers import make_epub


def texts(imported):
    return [[(b.speaker, b.text) for b in c.blocks] for c in imported.chapters]


def test_plain_text_blank_lines_split_blocks(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("First line\ncontinues here.\n\n\nSecond paragraph.\n", encoding="utf-8")
    got = read_file(path)
    assert [c.title for c in got.chapters] == ["story"]
    assert texts(got) == [[("Narrator", "First line continues here."),
                           ("Narrator", "Second paragraph.")]]
    assert not got.timed


def test_markdown_headings_are_chapters_and_markup_is_dropped(tmp_path):
    path = tmp_path / "book.md"
    path.write_text(
        "Intro text.\n\n# Chapter *One*\n\nA **bold** [link](http://x) and `code`.\n"
        "![pic](p.png)\n\n```\nprint('not read')\n```\n\n- a list item\n\n"
        "Two\n===\n\n> Quoted words.\n", encoding="utf-8")
    got = read_file(path)
    assert [c.title for c in got.chapters] == ["book", "Chapter One", "Two"]
    assert texts(got) == [
        [("Narrator", "Intro text.")],
        [("Narrator", "Chapter One"), ("Narrator", "A bold link and code."),
         ("Narrator", "a list item")],
        [("Narrator", "Two"), ("Narrator", "Quoted words.")]]


def test_script_lines_are_cast_when_a_name_recurs(tmp_path):
    path = tmp_path / "play.txt"
    path.write_text("Alice: Hello, Bob.\nBob: Hi Alice.\n\nNote: this stays narration.\n\n"
                    "Alice: Bye.\nBob: Bye now.\n", encoding="utf-8")
    got = read_file(path)
    assert texts(got) == [[("Alice", "Hello, Bob."), ("Bob", "Hi Alice."),
                           ("Narrator", "Note: this stays narration."), ("Alice", "Bye."),
                           ("Bob", "Bye now.")]]
    assert got.speakers == {"Alice", "Bob"}
    assert read_file(path, {"note"}).chapters[0].blocks[2].speaker == "Note"


def test_epub_chapters_through_ebooklib(tmp_path):
    path = make_epub(tmp_path / "book.epub", [("Opening", ["It began.", "Then more."]),
                                              ("Ending", ["It ended & stopped."])])
    got = read_file(path)
    assert got.title == "A Book" and got.author == "Ann Author"
    assert [c.title for c in got.chapters] == ["Opening", "Ending"]
    assert texts(got) == [[("Narrator", "Opening"), ("Narrator", "It began."),
                           ("Narrator", "Then more.")],
                          [("Narrator", "Ending"), ("Narrator", "It ended & stopped.")]]
    everything = " ".join(b.text for c in got.chapters for b in c.blocks)
    assert "picture" not in everything and "var x" not in everything


def test_srt_and_vtt_cues_become_timed_blocks(tmp_path):
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,500\n<i>Hello</i> there.\n\n"
                   "2\n00:00:03,000 --> 00:00:04,000\nSecond\nline.\n", encoding="utf-8")
    got = read_file(srt)
    assert got.timed
    assert [(b.text, b.start_s, b.end_s, b.pause_s) for b in got.chapters[0].blocks] == [
        ("Hello there.", 1.0, 2.5, 0.0), ("Second line.", 3.0, 4.0, 0.0)]
    vtt = tmp_path / "b.vtt"
    vtt.write_text("WEBVTT\n\nNOTE a comment\n\nintro\n00:01.000 --> 00:02.000 align:start\n"
                   "<v Alice>Hi.\n\n01:00:00.250 --> 01:00:01.000\n<v Bob Smith>Hey.\n",
                   encoding="utf-8")
    got = read_file(vtt)
    assert [(b.speaker, b.text, b.start_s, b.end_s) for b in got.chapters[0].blocks] == [
        ("Alice", "Hi.", 1.0, 2.0), ("Bob Smith", "Hey.", 3600.25, 3601.0)]
    assert got.speakers == {"Alice", "Bob Smith"}


def _file(name, data):
    def make(folder):
        path = folder / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return path
    return make


def _encrypted_epub(tmp_path):
    path = make_epub(tmp_path / "drm.epub", [("One", ["Words."])])
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("META-INF/encryption.xml",
                    "<encryption><EncryptedData><CipherData><CipherReference "
                    "URI='EPUB/ch1.xhtml'/></CipherData></EncryptedData></encryption>")
    return path


def _big_text(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 << 20)
    return path


@pytest.mark.parametrize("make,message", [
    (lambda p: p / "x.docx", "imports .txt, .md, .epub, .srt and .vtt"),
    (_file("e.txt", ""), "is empty"),
    (_file("w.txt", "\n\n  \n"), "holds no text"),
    (_file("b.txt", b"\x00\x01PK\x00"), "not a text file"),
    (_file("n.epub", "not a zip"), "not an EPUB"),
    (_encrypted_epub, "protected by DRM"),
    (_big_text, "200 MB"),
    (_file("s.srt", "just some words\n"), "not an SRT"),
    (_file("v.vtt", "00:01.000 --> 00:02.000\nHi\n"),
     "must start with the line 'WEBVTT'"),
    (_file("t.srt", "1\n00:00:05,000 --> 00:00:01,000\nBack\n"), "ends before it starts"),
    (lambda p: p / "missing.txt", "does not exist"),
])
def test_bad_files_get_one_clear_error_and_create_nothing(tmp_path, studio_home, capsys,
                                                          make, message):
    path = make(tmp_path)
    with pytest.raises(ImportFailed, match=message.replace(".", r"\.")):
        read_file(path)
    assert main(["project", "new", "Broken", "--from", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("voice-studio: error: ") and err.count("\n") == 1
    assert not [p for p in (studio_home / "projects").iterdir()]
