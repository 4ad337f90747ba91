"""How large each part of a saved voice may be: one set of caps, for everything that reads a
voice folder (folder.py, takes.py) and for the import that fills one (archive.py).

An import that allowed more than the library reads would commit a voice the library then
calls damaged; with one set of numbers, what imports is what opens.
"""

from __future__ import annotations

_KiB = 1 << 10
_MiB = 1 << 20

META_BYTES = 1 * _MiB  # voice.json
TRANSCRIPT_BYTES = 1 * _MiB  # transcript.txt (the MAX_TEXT characters, 4 bytes each at most)
TAKE_META_BYTES = 64 * _KiB  # takes/<id>/take.json
PROMPT_BYTES = 64 * _MiB  # prompt.safetensors (a 12-minute reference makes about 1.2 MB)
CLIP_BYTES = 256 * _MiB  # reference.wav, or the original file the user imported
MANIFEST_BYTES = 1 * _MiB  # manifest.json of an exported voice
REFERENCE_SECONDS = 15 * 60  # the longest reference clip a voice keeps
