"""Request bodies on a clock, and a cap on how many are arriving at once.

uvicorn waits for a body as long as the client likes, so a client that sends headers and
then a byte now and then holds a connection and a task forever, and a few hundred of them
hold the server. This ASGI middleware gives every body ``timeout_s`` from the headers to
its last byte (then a 408), and answers a request with a body at once with a 503 while
``max_open`` others are still arriving. Both answers are the API's JSON errors and close the
connection, since the rest of the body will never be read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from studio.server.errors import ApiError, error_response

CLOSE = {"Connection": "close"}


def has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or name == b"content-length" and value.strip() != b"0":
            return True
    return False


@dataclass
class Arriving:
    """Request bodies not yet received in full (one event loop changes it: no lock)."""

    max_open: int
    open: int = 0


class UploadGuard:
    def __init__(self, app: ASGIApp, timeout_s: float, arriving: Arriving) -> None:
        self.app, self.timeout_s, self.bodies = app, timeout_s, arriving

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not has_body(scope):
            await self.app(scope, receive, send)
            return
        if self.bodies.open >= self.bodies.max_open:
            refusal = error_response(
                503, f"The server is already receiving {self.bodies.max_open} request bodies. "
                "Try again in a moment.", "too_many_uploads",
                headers={**CLOSE, "Retry-After": "1"})
            await refusal(scope, receive, send)
            return
        self.bodies.open += 1
        arriving = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s

        def arrived() -> None:
            nonlocal arriving
            if arriving:
                arriving = False
                self.bodies.open -= 1

        async def timed_receive() -> Message:
            if not arriving:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                arrived()
                raise ApiError(408, f"The request body did not arrive within {self.timeout_s:g} "
                               "s. Send the whole body at once, or check the connection.",
                               "request_timeout", headers=CLOSE) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                arrived()
            return message

        try:
            await self.app(scope, timed_receive, send)
        finally:
            arrived()
