"""The FastAPI app: ``create_app(config)`` wires settings, auth, errors and routes.

Model work goes through one Scheduler (one EngineThread, one ModelPool) per app; see
scheduler.py for why there is exactly one owner thread.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from studio import __version__
from studio.server import errors
from studio.server.aliases import Aliases
from studio.server.auth import Guard
from studio.server.config import ServerConfig
from studio.server.scheduler import Scheduler
from studio.server.state import ServerState, state
from studio.server.uploads import Arriving, UploadGuard


def create_app(config: ServerConfig) -> FastAPI:
    config.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from studio.engine.pool import ModelPool
        from studio.library.library import VoiceLibrary

        pool = config.pool or ModelPool(device=config.device, dtype=config.dtype,
                                        extra=config.extra_models)
        library = await run_in_threadpool(VoiceLibrary, config.library_root)
        scheduler = Scheduler(pool, max_waiting=config.queue_size,
                              idle_unload_s=config.idle_unload_s, chunk_hook=config.chunk_hook,
                              batch=config.batch, gather_s=config.gather_ms / 1000.0)
        app.state.studio = ServerState(config, scheduler, library,
                                       Aliases(config.voice_aliases))
        try:
            await scheduler.start()
            yield
        finally:
            await scheduler.close()

    docs = config.loopback  # the schema names every endpoint: not for the open network
    app = FastAPI(title="Voice Studio API", version=__version__, lifespan=lifespan,
                  docs_url="/docs" if docs else None, redoc_url=None,
                  openapi_url="/openapi.json" if docs else None,
                  description="Speak with the voices made in Voice Studio. OpenAI-compatible "
                              "speech endpoint; errors are `{\"error\": {...}}`.")
    errors.install(app)
    from studio.server import cloning, speech, voice_upload, voices

    app.include_router(speech.router)
    app.include_router(cloning.router)
    app.include_router(voice_upload.router)  # before voices: /v1/voices/by-hash is no voice id
    app.include_router(voices.router)
    app.add_api_route("/health", health, methods=["GET"], summary="Models, device and queue")
    app.state.arriving = Arriving(config.max_uploads)
    app.add_middleware(UploadGuard, timeout_s=config.body_timeout_s,
                       arriving=app.state.arriving)
    app.add_middleware(Guard, token=config.token, loopback=config.loopback)  # the outer one
    return app


async def health(request: Request) -> dict:
    st = state(request)
    sched = st.scheduler
    running = sched.running
    return {
        "status": "ok",
        "version": __version__,
        "device": sched.device,
        "models": {"loaded": [m.__dict__ for m in sched.loaded],
                   "idle_unload_s": st.config.idle_unload_s},
        "queue": {"running": sched.running_count,
                  "running_for_s": None if running is None or running.started is None
                  else round(time.monotonic() - running.started, 3),
                  "waiting": sched.waiting, "max_waiting": sched.max_waiting,
                  "completed": sched.completed},
        "uploads": {"arriving": request.app.state.arriving.open,
                    "max_arriving": st.config.max_uploads},
        "limits": {"request_timeout_s": st.config.request_timeout_s,
                   "max_seconds": st.config.max_seconds,
                   "max_upload_bytes": st.config.max_upload_bytes,
                   "body_timeout_s": st.config.body_timeout_s,
                   "max_uploads": st.config.max_uploads,
                   "max_input_chars": st.config.max_input_chars},
    }
