"""Typed errors the engine raises for anything a user can cause; each says what to do."""

from __future__ import annotations

from studio.errors import DeviceUnavailable, InvalidInput, NotFound, StudioError


class EmptyText(InvalidInput):
    def __init__(self) -> None:
        super().__init__("There is no text to speak. Type or paste some text first.")


class UnknownLanguage(InvalidInput):
    def __init__(self, language: str, supported: list[str]) -> None:
        super().__init__(
            f"The language {language!r} is not one this model speaks. "
            f"Choose one of: {', '.join(supported)}."
        )


class UnknownDevice(InvalidInput):
    def __init__(self, device: str, valid: tuple[str, ...]) -> None:
        super().__init__(
            f"{device!r} is not a device Voice Studio can generate on. "
            f"Choose one of: {', '.join(valid)} (or cuda:N for one GPU)."
        )


class UnknownDtype(InvalidInput):
    def __init__(self, dtype: str, valid: tuple[str, ...]) -> None:
        super().__init__(
            f"{dtype!r} is not a precision Voice Studio knows. Choose one of: {', '.join(valid)}."
        )


class ModelFolderNotFound(NotFound):
    """A folder named with ``--model`` (or Use a folder) that is not there."""


class NotAModelFolder(InvalidInput):
    """A folder named explicitly that holds no Qwen3-TTS model."""


class UnknownSpeaker(NotFound):
    def __init__(self, speaker: str, supported: list[str]) -> None:
        super().__init__(
            f"There is no preset speaker called {speaker!r}. "
            f"Choose one of: {', '.join(supported)}."
        )


class WrongModelKind(InvalidInput):
    def __init__(self, operation: str, needed: str, got: str) -> None:
        names = {"base": "Base", "custom_voice": "CustomVoice", "voice_design": "VoiceDesign"}
        super().__init__(
            f"{operation} needs a {names.get(needed, needed)} model, but the loaded model is "
            f"{names.get(got, got)}. Load or download a {names.get(needed, needed)} model first."
        )


class ModelNotFound(NotFound):
    """No model of the needed kind is on disk."""


class ModelCorrupt(StudioError):
    code = "model_corrupt"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"The model folder {path} cannot be used: {reason}. "
            "Delete it and download the model again, or point the app at a complete copy."
        )


class BadReference(InvalidInput):
    """A reference clip that is empty, silent, too short or unreadable."""


class MissingTranscript(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "Cloning needs the exact words spoken in the reference clip. Type the transcript, "
            "or tick 'x-vector only' to clone from the voice's timbre alone (less faithful)."
        )


class IncompatiblePrompt(InvalidInput):
    """A saved voice prompt that was made for another model, or is damaged."""


class OutOfMemory(DeviceUnavailable):
    def __init__(self, device: str) -> None:
        super().__init__(
            f"The {device} ran out of memory. Close other programs, use a smaller model "
            "(0.6B), or switch the device to CPU in Settings."
        )


__all__ = [
    "BadReference",
    "DeviceUnavailable",
    "EmptyText",
    "IncompatiblePrompt",
    "InvalidInput",
    "MissingTranscript",
    "ModelCorrupt",
    "ModelNotFound",
    "NotFound",
    "OutOfMemory",
    "StudioError",
    "UnknownLanguage",
    "UnknownSpeaker",
    "WrongModelKind",
]
