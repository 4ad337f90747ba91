"""Takes made by another machine: a Voice Studio server (``voice-studio serve``) or a
vLLM-Omni server, behind the same :class:`~studio.engine.backend.Backend` as this
computer's models. A SpeakRequest becomes one streamed HTTP request (raw 16-bit PCM over
chunked HTTP); its chunks reach the caller as they arrive, and cancelling closes the
request, which stops the take on the server. Qt-free: the window, the command line and a
project's render use it alike (``choice.backend_for``).
"""
