"""The one sample rate of the studio: Qwen3-TTS's 12 Hz codec speaks at 24 kHz, and every clip,
take, reference and stream is kept at that rate so nothing resamples between stages."""

SAMPLE_RATE = 24_000
