"""``voice-studio --self-test``: prove an installation works, one printed line per step.

``run`` parses the options and runs the steps in order; ``steps`` holds the engine, model
and transcription steps; ``project`` renders and exports a small project; ``window`` opens
the real window offscreen; ``report`` prints the step lines.

Written for the frozen bundle first (packaging/smoke-test runs it), where the failures are
a module left out, a data file not found or a library that reads metadata that is not
there; all of them show up here without a person clicking through the window. Steps:

1. import the engine (torch, transformers, qwen-tts, with the torchaudio stand-in);
2. find the models (``$VOICE_STUDIO_MODELS`` or ``<root>/models``, plus ``--models DIR``);
3. load every usable model, one at a time (and build a clone prompt on a Base model);
4. stream a short take into a WAV file in a temporary folder, chunk by chunk, then
   stream the same chunks into an MP3 and an Opus file (the API server's encoders, with
   its tempo change on the MP3) and decode them back;
   render a two-block project and export it to M4B (``project``: chapter, tags, loudness);
   (and find the Whisper models: where one is installed, transcribe a test tone with it);
5. open the main window offscreen (no display needed) on a fake sound device, wait for
   its first paint, close it.

Every line reads ``self-test: <step> ... ok (1.2 s)`` or ``... FAILED: <reason>``; the
last line is ``self-test: passed`` or ``self-test: failed``; the exit status is 0 only
when every step passed. Anything the libraries print goes to stderr, so stdout is only
these lines. ``--window-only`` runs just step 5 first thing in the process: with
``VOICE_STUDIO_T0`` (epoch seconds, set by the caller right before starting the process)
it reports the cold start to the window's first paint, frozen or not.
"""
