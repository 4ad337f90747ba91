"""Voice Studio: design, clone and stream voices locally with Qwen3-TTS."""

__version__ = "0.1.0"
APP_NAME = "voice-studio"
