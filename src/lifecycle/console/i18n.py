"""The console's words: every label is a message in a gettext catalogue (Babel), Chinese first
(zh_CN) with an English one beside it (en). The catalogues are the ``.po`` files under
``locale/``, read and compiled when the console starts (nothing compiled is kept in the tree).

Words the engine gives at run time (states, roles, kinds of work, actions, form fields) are
looked up with a context (``pgettext("state", "listed")``); a word no catalogue has (an action
of a bureau's own programme) is shown as it is."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent / "locale"
LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT = "zh_CN"
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


@cache
def translations(language: str) -> Translations:
    """The catalogue of ``language`` (zh_CN or en), compiled from its ``.po`` file."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def chosen(asked: str | None) -> str:
    return asked if asked in LANGUAGES else DEFAULT


# The words the engine gives at run time, each under its context: kept here so the catalogue
# tool finds them (lifecycle.console.catalog), and a test checks each has its translation.
CONTEXTS = ("state", "role", "kind", "action", "field", "grade", "choice", "status", "assurance")
