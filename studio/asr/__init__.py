"""Speech recognition: hear the words of a reference clip, with their times, and check a
typed transcript against them. Qt-free; torch and transformers load with the first model.

Above the engine (its device choice and error types) and the audio core (clips, levels);
the engine and audio never import it. Which Whisper folders are on disk is answered by
``studio.hub``, which the downloads need too.
"""
