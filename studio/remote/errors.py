"""What can go wrong with a server, each in words that say what to check. The token is
never part of a message."""

from __future__ import annotations

from studio.errors import DeviceUnavailable, InvalidInput, StudioError


class RemoteError(StudioError):
    """A server could not make the take; ``switchable``: this computer might."""

    code = "remote_error"
    switchable = True


class ServerUnreachable(RemoteError, DeviceUnavailable):
    code = "server_unreachable"


class TlsProblem(RemoteError):
    code = "server_tls"


class WrongToken(RemoteError):
    code = "server_token"


class NotASpeechServer(RemoteError):
    code = "not_a_speech_server"


class ServerTooSlow(RemoteError):
    code = "server_slow"


class StreamDropped(RemoteError):
    code = "server_dropped"


class ServerBusy(RemoteError):
    code = "server_busy"


class ServerRefused(RemoteError, InvalidInput):
    """The server understood and said no (the text, the voice, a missing model): its own
    message says why, and this computer would most likely say the same."""

    code = "server_refused"
    switchable = False

    def __init__(self, message: str, server_code: str = "") -> None:
        super().__init__(message)
        self.server_code = server_code


class NotOffered(RemoteError, InvalidInput):
    """The chosen server cannot do this at all (a design voice without a VoiceDesign
    server): said before anything is sent."""

    code = "not_offered"
