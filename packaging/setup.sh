#!/usr/bin/env bash
# Sets Voice Studio up on a fresh Debian/Ubuntu machine, from the repository root:
#   1. Debian packages: PortAudio (sound I/O), libsndfile, sox, the Qt/xcb runtime libraries,
#      and PulseAudio + Xvfb, which the tests use as a virtual sound card and screen;
#   2. a virtual environment in .venv;
#   3. torch (pinned: the build your platform's package index gives: CUDA on Linux x86_64
#      from PyPI, a CPU build elsewhere) before the app, so the app's dependencies never
#      pull a second torch; torchaudio's mismatch is handled at run time (studio/engine/compat.py);
#   4. the app itself, editable, with its dev extras (pytest, pytest-qt, ruff).
# Safe to run again: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    python3-venv \
    libportaudio2 libsndfile1 sox \
    libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 \
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
    libxcb-shape0 libxcb-xinerama0 libxcb-randr0 \
    pulseaudio pulseaudio-utils libasound2-plugins \
    xvfb xauth
else
  echo "setup: not a Debian/Ubuntu system; install PortAudio, libsndfile and sox yourself." >&2
fi

PYTHON="${PYTHON:-python3}"
"$PYTHON" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: Python 3.11 or newer is needed, found {sys.version.split()[0]}. "
             "Set PYTHON=/path/to/python3.11 and run again.")
PY

if [ ! -x .venv/bin/python ]; then "$PYTHON" -m venv .venv; fi
.venv/bin/python -m pip install --upgrade pip
.venv/bin/python -m pip install "torch==2.13.0"
.venv/bin/python -m pip install -e ".[dev]"
echo
echo "Voice Studio is set up. Start it with:  .venv/bin/voice-studio"
