"""The self-test's project step: render a two-block project and export it to M4B.

It proves the bundle carries what long-form projects need (PyAV's AAC encoder and MP4
muxer, pyloudnorm with scipy, the project store) on the same engine as the other steps.
Everything lives in the self-test's temporary folder; the user's projects stay untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.selftest.report import StepFailed

FRAME_RATE = 12.5


def _voice(models: list[Any], library: Any, prompt: Any, clip: Any) -> str:
    """A voice the installed models can speak: a preset speaker, else a design voice (kept
    by the Base model), else a saved voice made from the self-test's clone prompt."""
    kinds = {m.kind for m in models}
    if "custom_voice" in kinds:
        speakers = next(m.speakers for m in models if m.kind == "custom_voice")
        return f"speaker:{'ryan' if 'ryan' in speakers else (speakers or ('ryan',))[0]}"
    if "voice_design" in kinds and "base" in kinds:
        from studio.library.presets import load_presets

        return f"design:{load_presets().designs[0].id}"
    if prompt is None:
        raise StepFailed("no clone prompt to make a voice from (the Base model step "
                                "failed)")
    entry = library.create("Self-test voice", prompt=prompt, audio=clip, sample_rate=16000)
    return f"saved:{entry.id}"


def render_and_export(engine: Any, models: list[Any], work: Path, frames: int, prompt: Any,
                      clip: Any) -> str:
    from studio.library import VoiceLibrary
    from studio.projects import render
    from studio.projects.export import ExportOptions, export
    from studio.projects.export_container import read_chapters
    from studio.projects.schema import Block, CastMember, Chapter, Project
    from studio.projects.store import ProjectStore

    home = work / "project-home"
    store, library = ProjectStore(home), VoiceLibrary(home)
    voice = _voice(models, library, prompt, clip)
    project = Project(id="", name="Self-test", title="Voice Studio self-test",
                      author="Voice Studio",
                      chapters=[Chapter("Chapter 1", [Block("Voice Studio self-test."),
                                                      Block("A second block.")])],
                      cast=[CastMember("Narrator", voice)])
    project.settings.max_seconds = frames / FRAME_RATE
    project = store.create(project)
    report = render.Renderer(store, project.id, engine, library).run(
        render.select(project, [], library))
    if report.rendered != 2:
        raise StepFailed(f"{report.rendered} of 2 blocks rendered ({report.failed})")
    out = work / "self-test.m4b"
    result = export(store, store.load(project.id), ExportOptions("m4b", out, loudness="podcast"),
                    [], library)
    tags, chapters = read_chapters(out)
    if [c[0] for c in chapters] != ["Chapter 1"] or tags.get("title") != project.title:
        raise StepFailed(f"the M4B reads back as {tags.get('title')!r} with chapters "
                                f"{chapters}")
    done = result.files[0]
    return (f"project: 2 blocks rendered ({voice}) and exported to M4B with a chapter "
            f"({done.seconds:.1f} s, {done.measured.integrated_lufs:.1f} LUFS)")
