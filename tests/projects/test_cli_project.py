"""`voice-studio project ...` on the tiny models: the whole flow, and errors in the CLI's
style (one line, exit 1; usage mistakes exit 2)."""

from __future__ import annotations

import json

import pytest

from studio.cli import main
from studio.projects.export_container import read_chapters


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_new_render_status_export_flow(models, tmp_path, capsys):
    script = tmp_path / "play.md"
    script.write_text("# Act one\n\nAlice: Hello, Nguyen.\nBob: Hi Alice.\n\n"
                      "# Act two\n\nAlice: Bye.\nBob: Bye now.\n", encoding="utf-8")
    code, out, err = run(capsys, "project", "new", "The Play", "--from", str(script),
                         "--cast", "Alice=Vivian", "--author", "Me")
    assert code == 0 and out.strip() == "the-play"
    assert "Narrator: speaker:ryan" in err and "Alice: speaker:vivian" in err
    assert "Bob: speaker:aiden" in err  # cast automatically, a voice no one else has
    code, out, _err = run(capsys, "project", "cast", "the play", "Bob=Eric")
    assert code == 0 and out == "Bob\tspeaker:eric\n"
    code, _out, err = run(capsys, "project", "set", "The Play", "--max-speedup", "1.3",
                          "--retries", "1", "--title", "A Play")
    assert code == 0 and "retries 1" in err and "max speed-up 1.3" in err
    assert run(capsys, "project", "lexicon", "The Play", "add", "Nguyen", "Win")[0] == 0
    code, out, _err = run(capsys, "project", "lexicon", "The Play", "list")
    assert out == "Nguyen\tWin\tproject\n"
    code, out, _ = run(capsys, "project", "status", "The Play")
    assert code == 0 and "blocks 6  rendered 0  stale 0  missing 6  flagged 0" in out
    code, _out, err = run(capsys, "project", "render", "The Play", "--chapter", "2",
                          "--max-seconds", "0.4")
    assert code == 0 and "Rendered 3 block(s)" in err and "not checked by ear" in err
    code, out, _ = run(capsys, "project", "status", "The Play", "--json")
    status = json.loads(out)
    assert (status["rendered"], status["missing"]) == (3, 3)
    assert "Check by ear skipped" in status["notes"]["check"]
    code, _out, err = run(capsys, "project", "render", "The Play", "--blocks", "1-2",
                          "--max-seconds", "0.4")
    assert code == 0 and "Rendered 2 block(s)" in err
    assert run(capsys, "project", "render", "The Play", "--max-seconds", "0.4")[0] == 0
    code, _out, err = run(capsys, "project", "render", "The Play")
    assert code == 0 and "Nothing to render" in err
    code, out, _ = run(capsys, "project", "show", "The Play")
    assert "Chapter 2: Act two" in out and "   5 fresh   Alice: Bye." in out
    book = tmp_path / "play.m4b"
    code, out, err = run(capsys, "project", "export", "The Play", "--format", "m4b",
                         "--loudness", "podcast", "--subtitles", "srt", "--stems",
                         "--narrator", "Nora Reader", "--year", "2025", "-o", str(book))
    assert code == 0, err
    files = out.split()
    assert files[:2] == [str(book), str(tmp_path / "play.srt")] and len(files) == 5
    assert "LUFS integrated" in err and "target podcast: -16 LUFS" in err
    tags, chapters = read_chapters(book)
    assert [c[0] for c in chapters] == ["Act one", "Act two"]
    assert tags["title"] == "A Play" and tags["artist"] == "Me"
    assert tags["composer"] == "Nora Reader" and tags["date"] == "2025"
    code, out, _ = run(capsys, "project", "list")
    assert out.split()[:2] == ["the-play", "The"]
    code, out, err = run(capsys, "project", "delete", "The Play")
    assert code == 0 and "trash" in err
    assert run(capsys, "project", "list", "--json")[1].count('"id"') == 0


@pytest.mark.parametrize("argv,message", [
    (["project", "show", "nothing"], "There is no project called 'nothing'"),
    (["project", "new", "X", "--cast", "Bob"], "Cast 'Bob' as Name=Voice"),
    (["project", "new", "X", "--cast", "Bob=Nobody"], "no voice called 'Nobody'"),
    (["project", "new", "X", "--cover", "/no/cover.png"], "does not exist"),
    (["project", "new", ""], "A project needs a name"),
])
def test_errors_are_one_line_and_create_nothing(studio_home, capsys, argv, message):
    code, _out, err = run(capsys, *argv)
    assert code == 1 and err.startswith("voice-studio: error: ") and message in err
    assert err.count("\n") == 1
    assert not list((studio_home / "projects").iterdir())


def test_option_errors(studio_home, tmp_path, capsys):
    assert run(capsys, "project", "new", "Book")[0] == 0
    cases = [
        (["project", "render", "Book", "--blocks", "7-3"], "from low to high"),
        (["project", "render", "Book", "--blocks", "x"], "a number or a range"),
        (["project", "render", "Book", "--retries", "99"], "from 0 to 10"),
        (["project", "lexicon", "Book", "add", "(x", "y", "--regex"],
         "not a valid regular expression"),
        (["project", "lexicon", "Book", "remove", "zz"], "no entry 'zz'"),
        (["project", "set", "Book", "--max-speedup", "9"], "from 1 (never) to 4"),
        (["project", "set", "Book", "--cover", str(tmp_path)], "is a folder"),
        (["project", "export", "Book", "--format", "wav", "-o", str(tmp_path)], "is a folder"),
    ]
    for argv, message in cases:
        code, _out, err = run(capsys, *argv)
        assert code == 1 and message in err, (argv, err)
    with pytest.raises(SystemExit) as exc:
        main(["project", "export", "Book", "--format", "ogg", "-o", "x.ogg"])
    assert exc.value.code == 2
    code, _out, err = run(capsys, "project", "render", "Book")
    assert code == 0 and "Nothing to render" in err  # an empty project has nothing to do
