"""The public pages' words in English, French, Dutch and German.

The English text is the message id; the translations are gettext catalogues
(``dashboard/locale/<language>.po``, read with babel), so a translator edits a .po file
rather than code. A message missing from a catalogue shows in English.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

LANGUAGES = ("en", "fr", "nl", "de")
NAMES = {"en": "English", "fr": "Français", "nl": "Nederlands", "de": "Deutsch"}
CATALOGUES = Path(__file__).resolve().parent / "locale"
Translate = Callable[[str], str]


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> dict[str, str]:
    path = CATALOGUES / f"{language}.po"
    if language == "en" or not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def translator(language: str) -> Translate:
    table = catalogue(language if language in LANGUAGES else "en")
    return lambda text: table.get(text, text)


def browser_language(accept: str | None) -> str:
    """The first of our languages the browser asks for ("nl-BE,nl;q=0.9,en;q=0.8" -> nl)."""
    if not accept:
        return "en"
    wanted = []
    for part in accept.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        wanted.append((weight, tag.strip().replace("-", "_")))
    for _, tag in sorted(wanted, key=lambda w: -w[0]):
        try:
            language = Locale.parse(tag).language
        except (UnknownLocaleError, ValueError):
            continue
        if language in LANGUAGES:
            return str(language)
    return "en"
