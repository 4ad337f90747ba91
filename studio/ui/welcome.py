"""The first start: which voice the window opens on and what it has it say.

A preset speaker (the CustomVoice model the first-run banner recommends), reading a
greeting in the user's language, so following the banner's advice leads straight to a
first take.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale

from studio.hub.catalog import LANGUAGES

GREETINGS = {
    "English": "Hello! I am one of the voices of Voice Studio. Type anything you like here, "
               "and I will read it aloud.",
    "German": "Hallo! Ich bin eine der Stimmen von Voice Studio. Schreib hier, was du "
              "möchtest, und ich lese es dir vor.",
    "French": "Bonjour ! Je suis l'une des voix de Voice Studio. Écrivez ici ce que vous "
              "voulez, et je vous le lirai à voix haute.",
    "Spanish": "¡Hola! Soy una de las voces de Voice Studio. Escribe aquí lo que quieras y "
               "te lo leeré en voz alta.",
    "Italian": "Ciao! Sono una delle voci di Voice Studio. Scrivi qui quello che vuoi e te "
               "lo leggerò ad alta voce.",
    "Portuguese": "Olá! Eu sou uma das vozes do Voice Studio. Escreva aqui o que quiser e "
                  "eu leio em voz alta.",
    "Russian": "Здравствуйте! Я один из голосов Voice Studio. Напишите здесь что угодно, и "
               "я прочитаю это вслух.",
    "Chinese": "你好！我是 Voice Studio 的声音之一。在这里输入任何文字，我就会为你朗读出来。",
    "Japanese": "こんにちは！Voice Studio の声のひとつです。ここに好きな文章を入力すると、"
                "声に出して読み上げます。",
    "Korean": "안녕하세요! 저는 Voice Studio의 목소리 중 하나예요. 여기에 원하는 글을 입력하면 "
              "소리 내어 읽어 드릴게요.",
}
#: a speaker whose own language it is; the others start with Ryan (all speak all ten)
NATIVE_SPEAKERS = {"Chinese": "vivian", "Japanese": "ono_anna", "Korean": "sohee"}
DEFAULT_SPEAKER = "ryan"


def user_language(locale: QLocale | None = None) -> str:
    """The user's language as the models name it (English when they do not speak it)."""
    name = QLocale.languageToString((locale or QLocale()).language())
    return name if name in LANGUAGES else "English"


def first_voice_key(language: str) -> str:
    return f"speaker:{NATIVE_SPEAKERS.get(language, DEFAULT_SPEAKER)}"


def greeting(language: str) -> str:
    return GREETINGS.get(language, GREETINGS["English"])
