"""Cast and lexicon reach the engine (what the model reads) and not the subtitles; stale
detection; a design voice is kept once and every block of its member speaks from it."""

from __future__ import annotations

import pytest

from studio.engine.speak_request import CLONE, PRESET
from studio.errors import InvalidInput
from studio.library.design_voices import DesignVoiceStore
from studio.projects import cast, lexicon, render, stale
from studio.projects.export import ExportOptions, export
from studio.projects.schema import LexiconEntry
from tests.projects.helpers import RecordingEngine, make_project


def test_lexicon_rules():
    entries = [lexicon.new_entry("Nguyen", "Win"), lexicon.new_entry("SQL", "sequel",
                                                                     case_sensitive=True),
               lexicon.new_entry(r"(\d+)km", r"\1 kilometres", regex=True)]
    assert lexicon.apply("nguyen met Nguyens; NGUYEN ran 5km of sql, SQL.", entries) == \
        "Win met Nguyens; Win ran 5 kilometres of sql, sequel."
    shared = [LexiconEntry("Nguyen", "New-win"), LexiconEntry("Bo", "Bow")]
    assert lexicon.apply("Nguyen and Bo", lexicon.merged(entries, shared)) == "Win and Bow"
    with pytest.raises(InvalidInput, match="not a valid regular expression"):
        lexicon.new_entry("(unclosed", "x", regex=True)
    assert lexicon.remove(entries, "SQL") == [entries[0], entries[2]]
    with pytest.raises(InvalidInput, match="no entry 'zzz'"):
        lexicon.remove(entries, "zzz")


def test_shared_lexicon_is_saved_atomically(studio_home):
    assert lexicon.load_shared() == []
    lexicon.save_shared([LexiconEntry("GIF", "jif")])
    assert lexicon.load_shared() == [LexiconEntry("GIF", "jif")]
    assert [p.name for p in studio_home.iterdir() if p.name.startswith(".")] == []


def test_cast_and_lexicon_reach_the_engine_not_the_subtitles(models, store, library, engine,
                                                             tmp_path):
    project = make_project(store, ["Nguyen said hello.", "Dr. Smith answered."],
                           cast={"Narrator": "speaker:ryan", "Alice": "Vivian"},
                           speakers=[["Narrator", "Alice"]])
    project.lexicon = [lexicon.new_entry("Nguyen", "Win")]
    store.save(project)
    lexicon.save_shared([LexiconEntry("Dr.", "Doctor", regex=False)])
    shared = lexicon.load_shared()
    recording = RecordingEngine(engine)
    entries = lexicon.merged(project.lexicon, shared)
    r = render.Renderer(store, project.id, recording, library, shared=shared)
    r.run(render.select(project, entries, library))
    read = [(q.mode, q.speaker, q.text) for q in recording.requests]
    assert read == [(PRESET, "ryan", "Win said hello."), (PRESET, "vivian",
                                                          "Doctor Smith answered.")]
    result = export(store, store.get(project.id),
                    ExportOptions("wav", tmp_path / "b.wav", subtitles="srt"), entries, library)
    subs = result.files[0].subtitles.read_text()
    assert "Nguyen said hello." in subs and "Dr. Smith answered." in subs
    assert "Win" not in subs and "Doctor" not in subs
    assert [b.text for _c, b in store.get(project.id).blocks()] == [
        "Nguyen said hello.", "Dr. Smith answered."]


def test_stale_detection(store, library, studio_home):
    project = make_project(store, ["Nguyen one.", "Two.", "Three."],
                           cast={"Narrator": "speaker:ryan", "Bob": "speaker:eric"},
                           speakers=[["Narrator", "Narrator", "Bob"]])
    blocks = [b for _c, b in project.blocks()]
    assert [stale.state(project, b, [], library) for b in blocks] == ["missing"] * 3
    from studio.projects.schema import BlockTake

    for b in blocks:  # as if rendered now
        b.takes = [BlockTake(f"{b.id}-1", f"takes/{b.id}-1.flac", 1, 10,
                             stale.fingerprint(project, b, [], library))]
        b.chosen = f"{b.id}-1"
    assert [stale.state(project, b, [], library) for b in blocks] == ["fresh"] * 3
    assert render.select(project, [], library) == []

    def states(entries=()):
        return [stale.state(project, b, list(entries), library) for b in blocks]

    only_first = [lexicon.new_entry("Nguyen", "Win")]
    assert states(only_first) == ["stale", "fresh", "fresh"]  # only the block it touches
    assert states([lexicon.new_entry("Zebra", "Zee")]) == ["fresh"] * 3
    blocks[1].text = "Two!"
    assert states() == ["fresh", "stale", "fresh"]
    blocks[1].text = "Two."
    cast.recast(project, "Bob", "Dylan", library)  # recast in one place
    assert states() == ["fresh", "fresh", "stale"]
    cast.recast(project, "Bob", "speaker:eric", library)
    blocks[0].language = "English"
    blocks[2].instruct = "whisper"
    assert states() == ["stale", "fresh", "stale"]
    blocks[0].language, blocks[2].instruct = "auto", ""
    blocks[1].speaker = "Bob"
    assert states() == ["fresh", "stale", "fresh"]
    assert render.select(project, [], library) == [blocks[1].id]
    assert render.select(project, [], library, blocks=(1, 1), again=True) == [blocks[0].id]
    with pytest.raises(InvalidInput, match="no chapter 3"):
        render.select(project, [], library, chapter=3)


def test_design_voice_is_kept_once_and_the_project_says_so(models, store, library, engine):
    from studio.library.presets import load_presets

    preset = load_presets().designs[0]
    project = make_project(store, ["One.", "Two."], cast={"Narrator": f"design:{preset.id}"})
    recording = RecordingEngine(engine)
    r = render.Renderer(store, project.id, recording, library)
    r.run(render.select(project, [], library))
    modes = [q.mode for q in recording.requests]
    assert modes == ["design", CLONE, CLONE]  # one take of the description, then the blocks
    assert recording.requests[0].instruct == preset.description
    assert recording.requests[1].prompt is not None
    done = store.get(project.id)
    kept = done.member("Narrator").kept
    assert kept and (store.path(done) / kept["prompt"]).is_file()
    assert (store.path(done) / kept["reference"]).is_file()
    assert "was kept as the reference" in done.notes["cast:Narrator"]
    library_voice = DesignVoiceStore(library.root).kept(preset.id, preset.description)
    assert library_voice is not None  # drawn through the library's keeper, kept there
    pinned = (store.path(done) / kept["prompt"]).read_bytes()
    assert pinned == (DesignVoiceStore(library.root).folder / f"{preset.id}.safetensors"
                      ).read_bytes()
    assert render.select(done, [], library) == []
    recording.requests.clear()
    render.Renderer(store, project.id, recording, library).run(
        render.select(done, [], library, again=True))
    assert [q.mode for q in recording.requests] == [CLONE, CLONE]  # not kept again


def test_uncast_speaker_and_instructions_are_refused_before_any_work(models, store, library,
                                                                     engine):
    project = make_project(store, ["Hi.", "Hello."], cast={"Narrator": "speaker:ryan"},
                           speakers=[["Narrator", "Ghost"]])
    from studio.projects.schema import CastMember

    project.cast.append(CastMember("Ghost", None))
    store.save(project)
    recording = RecordingEngine(engine)
    with pytest.raises(InvalidInput, match="'Ghost' speaks in the script but has no voice"):
        render.Renderer(store, project.id, recording, library).run(
            render.select(project, [], library))
    assert recording.requests == []
    with pytest.raises(InvalidInput, match="Cast 'Bob' as Name=Voice"):
        cast.parse_spec("Bob")
