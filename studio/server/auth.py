"""Who may talk to the server: a bearer token when one is set, and, on loopback, only
requests that really come from this machine's programs.

A loopback server without a token is still reachable from a web page in the user's browser
(a form POST needs no CORS preflight) and through DNS rebinding (evil.example resolving to
127.0.0.1). So on loopback the Host header must name a loopback host, and without a token
a request carrying a foreign Origin is refused. Runs before routing, so an unauthenticated
request never reaches a handler and its body is never read.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from studio.server.config import is_loopback
from studio.server.errors import error_response


def host_part(value: str) -> str:
    """``[::1]:8765`` -> ``::1``; ``localhost:8765`` -> ``localhost``."""
    value = value.strip()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def origin_is_local(origin: str) -> bool:
    try:
        host = urlsplit(origin).hostname
    except ValueError:
        return False
    return bool(host) and is_loopback(host)


def token_matches(header: str, token: str) -> bool:
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


class Guard:
    """ASGI middleware: token, Host and Origin checks for every HTTP request."""

    def __init__(self, app: ASGIApp, token: str | None, loopback: bool) -> None:
        self.app, self.token, self.loopback = app, token, loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(Headers(scope=scope))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, headers: Headers) -> JSONResponse | None:
        if self.loopback and not is_loopback(host_part(headers.get("host", ""))):
            return error_response(403, "This server only answers requests addressed to "
                                  "localhost or 127.0.0.1.", "host_not_allowed")
        if self.token is None:
            origin = headers.get("origin")
            if origin is not None and not origin_is_local(origin):
                return error_response(403, "Requests from web pages on other sites are "
                                      "refused. Start the server with --token to allow "
                                      "authenticated clients.", "origin_not_allowed")
            return None
        header = headers.get("authorization")
        if header is None:
            return error_response(401, "This server needs a token: send 'Authorization: "
                                  "Bearer TOKEN'.", "missing_token",
                                  headers={"WWW-Authenticate": "Bearer"})
        if not token_matches(header, self.token):
            return error_response(401, "The token is wrong.", "invalid_token",
                                  headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return None
