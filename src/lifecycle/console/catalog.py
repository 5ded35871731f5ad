"""Keeps the console's catalogues whole: ``python -m lifecycle.console.catalog update`` finds
every message of the templates and the console's code (Babel's extractors) and every word the
engine gives at run time (``lifecycle.app.vocabulary``, each under its context), and adds what
is new to both catalogues, keeping what is translated; ``check`` names what a catalogue lacks
(a test runs it)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from lifecycle.app.vocabulary import vocabulary
from lifecycle.console.i18n import LANGUAGES, LOCALES

HERE = Path(__file__).parent
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "pgettext": ((1, "c"), 2), "ngettext": (1, 2)}

Key = tuple[str | None, str]  # (context, message)


def wanted() -> dict[Key, str]:
    """Every message the console shows, with where it comes from."""
    found: dict[Key, str] = {}
    for filename, _line, message, _comments, context in extract_from_dir(
        HERE, METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        text = message if isinstance(message, str) else message[0]
        if text:
            found.setdefault((context, text), filename)
    for context, words in vocabulary().items():
        for word in words:
            found.setdefault((context, word), "engine vocabulary")
    return found


def path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def read(language: str) -> Catalog:
    with path(language).open("rb") as source:
        return read_po(source, locale=language)


def missing(language: str) -> list[Key]:
    """What the console shows that ``language``'s catalogue does not translate."""
    catalog = read(language)
    lacking = []
    for context, text in wanted():
        held = catalog.get(text, context=context)
        if held is None or not held.string:
            lacking.append((context, text))
    return sorted(lacking, key=lambda k: (k[0] or "", k[1]))


def update() -> None:
    """Adds what is new to each catalogue (English: the message itself, or the word with its
    underscores as spaces; Chinese: empty, to be translated) and drops what is no longer shown."""
    messages = wanted()
    for language in LANGUAGES:
        catalog = read(language)
        fresh = Catalog(locale=language, project="lifecycle console", charset="utf-8")
        for (context, text), origin in sorted(
            messages.items(), key=lambda i: (i[0][0] or "", i[0][1])
        ):
            held = catalog.get(text, context=context)
            string = held.string if held is not None and held.string else ""
            if not string and language == "en":
                string = text.replace("_", " ") if context else text
            fresh.add(text, string, context=context, auto_comments=[origin])
        with path(language).open("wb") as out:
            write_po(out, fresh, width=100, omit_header=False, sort_output=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
    problems = [
        f"{lang}: {ctx or '-'} | {text}" for lang in LANGUAGES for ctx, text in missing(lang)
    ]
    for line in problems:
        print(f"not translated: {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
