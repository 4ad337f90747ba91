"""OpenAI's voice names (``alloy``, ``nova``...) as other names for the studio's voices.

Programs written for OpenAI's API send those names, most often ``alloy``; each maps to a
preset speaker by default (a similar voice where one exists: OpenAI's deeper male voices
to the deeper speakers, its brighter female voices to the brighter ones), and the user
may point any name at any voice: ``voice-studio serve --alias alloy="My voice"`` or
``voice_aliases`` in settings.json. The user's aliases win over every voice name; the
default table only fills names no voice has, so a saved voice called "Nova" is reached
by "nova".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.errors import InvalidInput
from studio.library.anyvoice import VoiceRef, resolve
from studio.library.errors import VoiceNotFound
from studio.library.ids import name_key

if TYPE_CHECKING:
    from studio.library.library import VoiceLibrary

#: OpenAI's thirteen built-in voices -> the preset speaker each speaks with here
OPENAI_VOICES: dict[str, str] = {
    "alloy": "Vivian",
    "ash": "Aiden",
    "ballad": "Dylan",
    "coral": "Serena",
    "echo": "Ryan",
    "fable": "Eric",
    "onyx": "Uncle Fu",
    "nova": "Ono Anna",
    "sage": "Sohee",
    "shimmer": "Serena",
    "verse": "Ryan",
    "marin": "Vivian",
    "cedar": "Aiden",
}


@dataclass(frozen=True)
class Alias:
    name: str
    target: str  # what ``voice`` would be given: a name, an id or a key
    user: bool  # set by the user (wins over voice names) or a default (fills gaps)


def parse_alias(text: str) -> tuple[str, str]:
    """``alloy=My voice`` -> ("alloy", "My voice"), for ``--alias``."""
    name, sep, target = text.partition("=")
    name, target = name.strip(), target.strip().strip("\"'").strip()
    if not sep or not name or not target:
        raise InvalidInput(f"--alias {text!r}: write it as NAME=VOICE, e.g. "
                           "--alias alloy=\"My voice\".")
    return name, target


class Aliases:
    """The defaults overlaid with the user's aliases, looked up case-insensitively."""

    def __init__(self, user: dict[str, str] | None = None,
                 defaults: dict[str, str] | None = None) -> None:
        table = {name_key(k): Alias(k, v, False) for k, v in
                 (OPENAI_VOICES if defaults is None else defaults).items()}
        for name, target in (user or {}).items():
            name, target = str(name).strip(), str(target).strip()
            if not name or not target:
                raise InvalidInput(f"The voice alias {name!r} -> {target!r} is incomplete: "
                                   "give a name and the voice it stands for.")
            table[name_key(name)] = Alias(name, target, True)
        self._table = table

    def all(self) -> list[Alias]:
        return sorted(self._table.values(), key=lambda a: (not a.user, name_key(a.name)))

    def get(self, name: str) -> Alias | None:
        return self._table.get(name_key(name or ""))

    def resolve(self, name: str, library: VoiceLibrary | None) -> VoiceRef:
        """A user alias, else the voice of that name, else a default alias."""
        alias = self.get(name)
        if alias is not None and alias.user:
            return self._target(alias, library)
        try:
            return resolve(name, library)
        except VoiceNotFound:
            if alias is None:
                raise
        return self._target(alias, library)

    def _target(self, alias: Alias, library: VoiceLibrary | None) -> VoiceRef:
        try:
            return resolve(alias.target, library)
        except VoiceNotFound:
            how = ("change it with --alias or voice_aliases in settings.json" if alias.user
                   else "install the CustomVoice model's speakers, or set another voice for "
                        "it with --alias")
            raise VoiceNotFound(f"The voice name {alias.name!r} stands for {alias.target!r}, "
                                f"which does not exist; {how}.") from None

    def check(self, library: VoiceLibrary | None) -> None:
        """Refuse a user alias whose voice does not exist (at startup, one clear line)."""
        for alias in self.all():
            if alias.user:
                try:
                    resolve(alias.target, library)
                except VoiceNotFound:
                    raise InvalidInput(
                        f"The alias {alias.name}={alias.target!r} names no voice. "
                        "'voice-studio voices list' shows the voices; fix --alias or "
                        "voice_aliases in settings.json.") from None
