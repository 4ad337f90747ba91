"""What the benchmark scripts share: a models folder (tiny ones built in a child process, so
this process imports torch only where it measures it)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@contextlib.contextmanager
def models_folder(given: Path | None) -> Iterator[Path]:
    """``given`` if set, else a temporary folder of freshly built tiny models."""
    if given is not None:
        yield given
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "studio.testing.tiny_models", tmp],
                       check=True, capture_output=True)
        yield Path(tmp)
