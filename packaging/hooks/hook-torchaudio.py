"""Replaces pyinstaller-hooks-contrib's torchaudio hook: Python code only, no native library.

torchaudio's native library is linked against one particular (CUDA) torch build; beside
ours it does not load, and the 12 Hz models never call it. Without it in the bundle
torchaudio imports with its extension marked unavailable (the state
studio/engine/compat.py otherwise creates), and the analysis does not drag in the CUDA
runtime it links to (libcudart, ~0.7 MB here, far more with a CUDA torch).
"""

binaries = []
hiddenimports = []
excludedimports = ["torchaudio.lib"]
