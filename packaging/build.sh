#!/usr/bin/env bash
# Builds the Voice Studio bundle for this OS: dist/voice-studio/ (one folder that runs
# without Python) and, on Linux, dist/voice-studio-<version>-linux-<arch>.tar.gz with a
# .desktop file, the icon and an install.sh. Prints the size and what takes the room.
#
#   bash packaging/build.sh            # from the repository root, after packaging/setup.sh
#   bash packaging/build.sh --clean    # forget PyInstaller's cache (after changing deps)
#
# Needs PyInstaller in the venv: .venv/bin/python -m pip install -e ".[bundle]".
# The bundle holds whatever torch the venv has: a CPU build of torch gives a ~1 GB bundle,
# PyPI's default CUDA build on Linux adds ~3 GB of CUDA libraries.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
CLEAN=()
for arg in "$@"; do
  case "$arg" in
    --clean) CLEAN=(--clean) ;;
    *) echo "usage: bash packaging/build.sh [--clean]" >&2; exit 2 ;;
  esac
done
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
  echo "build: PyInstaller is not installed; run: $PYTHON -m pip install -e '.[bundle]'" >&2
  exit 2
fi

start=$(date +%s)
VERSION=$("$PYTHON" -c "import studio; print(studio.__version__)")
rm -rf dist/voice-studio "dist/Voice Studio.app"
"$PYTHON" -m PyInstaller --noconfirm "${CLEAN[@]}" --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/voice-studio.spec
BUNDLE=dist/voice-studio
echo "build: PyInstaller took $(( $(date +%s) - start )) s"

# Model weights never belong in the bundle (they live in the per-user models folder).
weights=$(find "$BUNDLE" -type f \( -name '*.safetensors' -o -name '*.pt' -o -name '*.pth' \
  -o -name '*.ckpt' -o -name '*.onnx' -o -name '*.gguf' \) | head -5)
if [ -n "$weights" ]; then
  echo "build: model files ended up in the bundle:" >&2; echo "$weights" >&2; exit 1
fi

if [ "$(uname -s)" = "Linux" ]; then
  cp resources/voice-studio.desktop resources/icons/voice-studio.png "$BUNDLE/"
  cat > "$BUNDLE/install.sh" <<'SH'
#!/bin/sh
# Installs Voice Studio for this user: the app in ~/.local/opt/voice-studio, the command
# voice-studio in ~/.local/bin and an entry in the applications menu. Nothing needs root.
#   ./install.sh               install (or update) from this unpacked folder
#   ./install.sh --uninstall   remove the app (your voices and models stay where they are)
# PREFIX=/some/where ./install.sh installs under /some/where instead of ~/.local.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix="${PREFIX:-$HOME/.local}"
dest="$prefix/opt/voice-studio"
share="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$share/applications"
icons="$share/icons/hicolor/256x256/apps"
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$dest" "$prefix/bin/voice-studio" "$apps/voice-studio.desktop" "$icons/voice-studio.png"
  echo "Voice Studio removed. Your voices and models are still in ~/.local/share/voice-studio."
  exit 0
fi
if [ "$here" != "$dest" ]; then
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  cp -a "$here" "$dest"
fi
mkdir -p "$prefix/bin" "$apps" "$icons"
ln -sf "$dest/voice-studio" "$prefix/bin/voice-studio"
cp "$dest/voice-studio.png" "$icons/voice-studio.png"
sed -e "s|^Exec=.*|Exec=\"$dest/voice-studio\"|" -e "s|^Icon=.*|Icon=$dest/voice-studio.png|" \
  "$dest/voice-studio.desktop" > "$apps/voice-studio.desktop"
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database "$apps" >/dev/null 2>&1 || true
fi
echo "Voice Studio installed in $dest."
echo "Start it from the applications menu, or run: $prefix/bin/voice-studio"
if ! ldconfig -p 2>/dev/null | grep -q libportaudio.so.2 && [ ! -e "$dest/_internal/libportaudio.so.2" ]; then
  echo "Note: no PortAudio found; for sound install it, e.g. sudo apt install libportaudio2"
fi
SH
  chmod +x "$BUNDLE/install.sh"
  name="voice-studio-$VERSION-linux-$(uname -m)"
  tar -C dist --transform "s,^voice-studio,$name," -czf "dist/$name.tar.gz" voice-studio
  echo "build: tarball dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1))"
fi

echo "build: bundle $BUNDLE is $(du -sh "$BUNDLE" | cut -f1) ($(find "$BUNDLE" -type f | wc -l) files)"
echo "build: the 15 largest items (files, and the folders of packages):"
"$PYTHON" - "$BUNDLE" <<'PY'
import sys
from pathlib import Path

root = Path(sys.argv[1]) / "_internal"
if not root.is_dir():  # macOS puts the same tree elsewhere
    root = Path(sys.argv[1])
def real_files(folder):  # PyInstaller links libraries to the top: count them once
    return [f for f in folder.rglob("*") if f.is_file() and not f.is_symlink()]


sizes = {}
for entry in root.iterdir():
    if entry.is_symlink():
        continue
    if entry.is_dir():
        sizes[entry.name + "/"] = sum(f.stat().st_size for f in real_files(entry))
    elif entry.is_file():
        sizes[entry.name] = entry.stat().st_size
biggest = sorted(sizes.items(), key=lambda kv: -kv[1])[:15]
for name, size in biggest:
    print(f"  {size / 2**20:8.1f} MB  {name}")
# inside the two biggest folders, what dominates
for name, _ in biggest[:2]:
    if name.endswith("/"):
        files = sorted(real_files(root / name), key=lambda f: -f.stat().st_size)[:5]
        print(f"  in {name}: " + ", ".join(
            f"{f.relative_to(root / name)} {f.stat().st_size / 2**20:.0f} MB" for f in files))
PY
echo "build: done in $(( $(date +%s) - start )) s"
