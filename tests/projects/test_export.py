"""Export: M4B chapters and metadata read back, loudness within 0.5 LU of each preset,
SRT/VTT times equal the block placement in the exported audio, stems add up to the mix,
timed projects placed at their cues (sped up within the limit, overruns reported)."""

from __future__ import annotations

import re

import av
import numpy as np
import pytest
import soundfile as sf

from studio.errors import DiskFull
from studio.projects import loudness, render, stale
from studio.projects.audiofiles import read_audio
from studio.projects.earcheck import EarCheck
from studio.projects.errors import NotRendered
from studio.projects.export import ExportOptions, export
from studio.projects.export_container import read_chapters
from studio.projects.mix import LEAD_S, assemble
from studio.projects.schema import Block, CastMember, Chapter, Project
from tests.full_disk import full_disk_fixture  # noqa: F401 - the full_disk fixture
from tests.projects.helpers import heard, make_project, png

SR = 24000


class InOrder:
    """Hears the given texts, one per take, in order (a fake recognizer with word times)."""

    def __init__(self, texts):
        self.texts = list(texts)

    def transcribe(self, audio, sample_rate, language=None):
        return heard(self.texts.pop(0), len(audio) / sample_rate)


@pytest.fixture(scope="module")
def book(tiny_models_dir, tmp_path_factory, engine):
    """A rendered two-chapter, two-voice project (its own home, shared by the tests)."""
    home = tmp_path_factory.mktemp("export-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("VOICE_STUDIO_HOME", str(home))
    mp.setenv("VOICE_STUDIO_MODELS", str(tiny_models_dir))
    from studio.projects.store import ProjectStore

    store = ProjectStore()
    texts = [["Chapter one.", "Hello there, Bob."], ["Chapter two.", "Goodbye now."]]
    project = make_project(store, texts, cast={"Narrator": "speaker:ryan",
                                               "Alice": "speaker:vivian"},
                           speakers=[["Narrator", "Alice"], ["Narrator", "Alice"]],
                           max_seconds=0.8)
    project.title, project.author = "The Tiny Book", "Ann Author"
    store.save(project)
    checker = EarCheck(InOrder([t for group in texts for t in group]), 85.0)
    render.Renderer(store, project.id, engine, None, checker).run(
        render.select(project, [], None))
    yield store, store.get(project.id)
    mp.undo()


def test_m4b_chapters_metadata_and_cover_read_back(book, tmp_path):
    store, project = book
    cover = tmp_path / "cover.png"
    cover.write_bytes(png(8, 6))
    out = tmp_path / "book.m4b"
    result = export(store, project, ExportOptions("m4b", out, cover=cover), [], None)
    tags, chapters = read_chapters(out)
    assert tags["title"] == "The Tiny Book" and tags["artist"] == "Ann Author"
    assert tags["album"] == "The Tiny Book" and tags["major_brand"].strip() == "M4B"
    mix = assemble(project, store.path(project), [], None)
    assert [c[0] for c in chapters] == ["Chapter 1", "Chapter 2"]
    for (_t, s, e), (_t2, s2, e2) in zip(chapters, mix.chapters, strict=True):
        assert abs(s - s2) < 0.001 and abs(e - e2) < 0.001
    assert chapters[0][1] == 0.0 and abs(chapters[-1][2] - len(mix.audio) / SR) < 0.001
    with av.open(str(out)) as f:
        kinds = {s.type: s for s in f.streams}
        assert kinds["audio"].codec_context.name == "aac"
        assert kinds["video"].disposition == av.stream.Disposition.attached_pic
        assert (kinds["video"].codec_context.width, kinds["video"].codec_context.height) == (8, 6)
    assert abs(result.files[0].seconds - len(mix.audio) / SR) < 1e-6


@pytest.mark.parametrize("name", ["acx", "podcast", "ebu"])
def test_loudness_presets(book, tmp_path, name):
    store, project = book
    out = tmp_path / f"{name}.wav"
    result = export(store, project, ExportOptions("wav", out, loudness=name), [], None)
    audio, sr = sf.read(out, dtype="float32")
    p = loudness.PRESETS[name]
    got = loudness.measure(audio, sr)
    assert got == pytest.approx(result.files[0].measured)
    if p.rms:
        assert abs(got.rms_db - p.target) <= 0.5 and p.low <= got.rms_db <= p.high
        assert got.sample_peak_db <= -3.0
    else:
        assert abs(got.integrated_lufs - p.target) <= 0.5
    assert got.true_peak_db <= p.ceiling + 0.1


def test_limiter_keeps_peaks_under_the_ceiling_at_the_target():
    rng = np.random.default_rng(1)
    x = (0.05 * rng.standard_normal(SR * 8)).astype(np.float32)
    x[::2000] = 0.9  # spikes far above the speech
    for name, p in loudness.PRESETS.items():
        y = x * loudness.gain_for(x, SR, p)
        got = loudness.measure(y, SR)
        level = got.rms_db if p.rms else got.integrated_lufs
        assert abs(level - p.target) <= 0.5, name
        assert got.true_peak_db <= p.ceiling + 0.05, name


def _cues(text):
    stamp = r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)"
    out = []
    for m in re.finditer(stamp + " --> " + stamp, text):
        g = [int(x) for x in m.groups()]
        out.append((g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000,
                    g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000))
    return out


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_subtitle_times_equal_the_block_placement_in_the_exported_audio(book, tmp_path, fmt):
    store, project = book
    out = tmp_path / "book.flac"
    result = export(store, project, ExportOptions("flac", out, subtitles=fmt), [], None)
    subs = result.files[0].subtitles.read_text()
    audio, _sr = sf.read(out, dtype="float32")
    blocks = [b for _c, b in project.blocks()]
    cues = _cues(subs)
    assert len(cues) == 4
    for (start, end), block in zip(cues, blocks, strict=True):
        take = read_audio(store.path(project) / block.chosen_take.file)
        a = int(round(start * SR))
        lo = a - 12 + int(np.argmin([np.abs(audio[a - 12 + k:a - 12 + k + len(take)] - take).max()
                                     for k in range(25)]))
        np.testing.assert_allclose(audio[lo:lo + len(take)], take, atol=2e-7)
        assert abs(lo / SR - start) <= 0.0005 and abs((lo + len(take)) / SR - end) <= 0.0005
    assert abs(cues[0][0] - LEAD_S) < 1e-9
    if fmt == "vtt":
        assert subs.startswith("WEBVTT")  # karaoke: each timed word after the first
        assert re.search(r"<v Alice>Hello <00:00:0\d\.\d{3}>there, <00:00:0\d\.\d{3}>Bob\.",
                         subs), subs
    else:
        assert "Hello there, Bob." in subs


def test_stems_add_up_to_the_mix(book, tmp_path):
    store, project = book
    out = tmp_path / "mix.flac"
    result = export(store, project, ExportOptions("flac", out, loudness="podcast", stems=True),
                    [], None)
    stems = result.files[0].stems
    assert [s.name for s in stems] == ["mix.Narrator.flac", "mix.Alice.flac"]
    mix, _ = sf.read(out, dtype="float64")
    parts = [sf.read(s, dtype="float64")[0] for s in stems]
    assert all(len(p) == len(mix) for p in parts)
    np.testing.assert_allclose(sum(parts), mix, atol=3 / 2**23)
    alice = parts[1]
    placements = assemble(project, store.path(project), [], None).placements
    for p in placements:
        if p.speaker == "Narrator":
            assert not alice[p.start:p.end].any()  # silence where others speak


def test_per_chapter_and_one_chapter(book, tmp_path):
    store, project = book
    result = export(store, project, ExportOptions("mp3", tmp_path / "parts", per_chapter=True),
                    [], None)
    names = [f.path.name for f in result.files]
    assert names == ["01 Chapter-1.mp3", "02 Chapter-2.mp3"]
    tags, chapters = read_chapters(result.files[1].path)
    assert tags["title"] == "Chapter 2" and [c[0] for c in chapters] == ["Chapter 2"]
    one = export(store, project, ExportOptions("wav", tmp_path / "c2.wav", chapter=2), [], None)
    assert one.files[0].seconds == pytest.approx(result.files[1].seconds)


def test_export_refuses_unrendered_blocks_and_bad_options(store, tmp_path):
    project = make_project(store, ["Not yet."])
    with pytest.raises(NotRendered, match=r"1 block\(s\) have no take yet \(#1\)"):
        export(store, project, ExportOptions("wav", tmp_path / "x.wav"), [], None)
    from studio.errors import InvalidInput

    with pytest.raises(InvalidInput, match="does not end in .m4b"):
        export(store, project, ExportOptions("m4b", tmp_path / "x.mp3"), [], None)
    with pytest.raises(InvalidInput, match="no loudness preset 'loud'"):
        export(store, project, ExportOptions("wav", tmp_path / "x.wav", loudness="loud"), [],
               None)
    assert not list(tmp_path.iterdir())


def test_timed_project_places_blocks_at_their_cues(models, store, library, engine, tmp_path):
    cues = [(1.0, 2.0), (2.5, 2.8), (4.0, 4.2)]  # takes are 0.4 s: fits, fits sped up, too long
    blocks = [Block(f"Line {k}.", pause_s=0.0, start_s=a, end_s=b)
              for k, (a, b) in enumerate(cues)]
    project = store.create(Project(id="", name="Dub", chapters=[Chapter("Clip", blocks)],
                                   cast=[CastMember("Narrator", "speaker:ryan")], timed=True))
    project.settings.max_seconds, project.settings.max_speedup = 0.4, 1.5
    store.save(project)
    render.Renderer(store, project.id, engine, library).run(render.select(project, [], library))
    project = store.get(project.id)
    assert stale.status(project, [], library).overruns == 1
    mix = assemble(project, store.path(project), [], library)
    assert [p.start for p in mix.placements] == [int(a * SR) for a, _b in cues]
    lengths = [p.end - p.start for p in mix.placements]
    assert lengths[0] == 9600 and abs(lengths[1] - 7200) <= 48 and abs(lengths[2] - 6400) <= 48
    assert mix.overruns == ["#3 runs 0.07 s past its cue"]
    result = export(store, project, ExportOptions("wav", tmp_path / "dub.wav", subtitles="srt"),
                    [], library)
    assert _cues(result.files[0].subtitles.read_text())[0] == (1.0, 1.4)


@pytest.mark.parametrize("fmt", ["m4b", "mp3", "wav", "flac"])
def test_export_onto_a_full_disk_says_so_and_leaves_nothing(book, tmp_path, full_disk, fmt):
    store, project = book
    out = tmp_path / "out"
    out.mkdir()
    full_disk(20_000)
    with pytest.raises(DiskFull, match=f"Could not write book.{fmt}: the disk is full"):
        export(store, project, ExportOptions(fmt, out / f"book.{fmt}"), [], None)
    assert list(out.iterdir()) == []


def test_mp3_narrator_year_and_cover_read_back(book, tmp_path):
    store, project = book
    cover = tmp_path / "cover.png"
    cover.write_bytes(png(8, 6))
    out = tmp_path / "book.mp3"
    export(store, project, ExportOptions("mp3", out, title="Tiny", author="Ann Author",
                                         narrator="Nora Reader", year="2024", cover=cover),
           [], None)
    tags, chapters = read_chapters(out)
    assert tags["title"] == "Tiny" and tags["artist"] == "Ann Author"
    assert tags["composer"] == "Nora Reader" and tags["date"] == "2024"
    assert len(chapters) == 2
    with av.open(str(out)) as f:
        pictures = [s for s in f.streams if s.type == "video"]
        assert pictures and pictures[0].disposition == av.stream.Disposition.attached_pic
    from studio.errors import InvalidInput

    with pytest.raises(InvalidInput, match="four digits"):
        export(store, project, ExportOptions("mp3", out, year="24"), [], None)


@pytest.mark.parametrize("fmt", ["m4b", "flac"])
def test_export_reports_progress_and_a_cancel_leaves_no_file(book, tmp_path, fmt):
    from studio.errors import Cancelled

    store, project = book
    seen: list[tuple[float, str]] = []
    out = tmp_path / f"book.{fmt}"
    export(store, project, ExportOptions(fmt, out), [], None,
           lambda f, what: seen.append((f, what)))
    fractions = [f for f, _w in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    out.unlink()

    def stop(fraction: float, what: str) -> None:
        if fraction > 0.0 if fmt == "m4b" else what.startswith("Writing"):  # mid-encoding
            raise Cancelled

    with pytest.raises(Cancelled):
        export(store, project, ExportOptions(fmt, out), [], None, stop)
    assert list(tmp_path.iterdir()) == []  # nothing half-written, no temporary file
