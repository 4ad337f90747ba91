"""uvicorn's HTTP/1.1 protocol, with the API's JSON error for requests it cannot parse.

A request that is not valid HTTP (a garbled request line, a bad header, two lengths, broken
chunked encoding) never reaches the app: uvicorn answers it itself, in plain text. This
subclass answers in the documented ``{"error": {...}}`` shape instead, so a client sees one
error format whatever it sent.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from studio.server.errors import error_body

MESSAGE = ("The request is not valid HTTP/1.1 (its request line, headers or chunked body "
           "could not be parsed). Send a well-formed request, e.g. with an HTTP client library.")


class JsonErrorH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        body = json.dumps(error_body(400, MESSAGE, "invalid_http")).encode()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode())]
        try:
            for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                          h11.Data(data=body), h11.EndOfMessage()):
                self.transport.write(self.conn.send(event))
        except h11.LocalProtocolError:  # a response was already under way: just hang up
            pass
        self.transport.close()
