"""A cast member with a built-in design voice speaks with the voice the library keeps for
it (the window's, the server's), and the project pins that voice: "New voice" afterwards
does not change a project already cast."""

from __future__ import annotations

import numpy as np

from studio.engine.options import Sampling
from studio.engine.speak_request import CLONE
from studio.library.anyvoice import resolve
from studio.library.design_voices import DesignVoiceStore
from studio.projects import cast, render
from tests.projects.helpers import RecordingEngine, make_project


def speak(engine, request):
    stream = engine.stream(request)
    for _chunk in stream:
        pass
    return stream.result()


def test_a_project_pins_the_voice_the_library_keeps(models, store, library, engine):
    ref = resolve("design:old-sea-captain", library)
    text = "Aye, I have seen waves taller than this church, lad."
    speak(engine, ref.request(text, library, sampling=Sampling(seed=4, max_frames=15)))
    keeper = DesignVoiceStore(library.root)
    captain = keeper.kept(ref.id, ref.description)
    assert captain is not None

    project = make_project(store, ["One.", "Two."], cast={"Narrator": ref.key})
    recording = RecordingEngine(engine)
    render.Renderer(store, project.id, recording, library).run(
        render.select(project, [], library))
    assert [q.mode for q in recording.requests] == [CLONE, CLONE]  # nothing drawn again
    assert all(np.array_equal(q.prompt.spk_embedding, captain.prompt.spk_embedding)
               for q in recording.requests)
    done = store.get(project.id)
    pin = done.member("Narrator").kept
    assert (store.path(done) / pin["reference"]).is_file()

    assert keeper.forget(ref.id)  # "New voice", then a take draws another captain
    speak(engine, ref.request(text, library, sampling=Sampling(seed=8, max_frames=15)))
    other = keeper.kept(ref.id, ref.description)
    assert other is not None
    assert not np.array_equal(other.prompt.spk_embedding, captain.prompt.spk_embedding)
    assert render.select(store.get(project.id), [], library) == []  # still fresh
    recording.requests.clear()
    render.Renderer(store, project.id, recording, library).run(
        render.select(done, [], library, again=True))
    assert all(np.array_equal(q.prompt.spk_embedding, captain.prompt.spk_embedding)
               for q in recording.requests)

    member = store.get(project.id).member("Narrator")
    assert cast.identity(member, library) == f"{ref.key}#{pin['id']}"
    member.kept = None  # recast: the library's voice of now is pinned
    cast.keep_design_voice(done, member, store.path(done), library, lambda r: None)
    repinned = member.kept
    assert repinned["id"] != pin["id"] and repinned["seed"] == other.seed
    member.kept = None  # the same voice pinned again names the same files: nothing stale
    cast.keep_design_voice(done, member, store.path(done), library, lambda r: None)
    assert member.kept == repinned
