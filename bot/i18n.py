"""One catalog mechanism for every string a member reads.

English source strings are marked with ``_()`` (a no-op that the extractor finds), translated
with :func:`translate`, and the Finnish catalog ``bot/locales/fi.po`` is read once, by
:func:`read_catalog`. Command names and descriptions go through :class:`CatalogTranslator`,
discord.py's Translator hook. Babel writes the catalogs (``extract``) but is not imported while
the bot runs: the start-up syncs the Finnish command names, and importing Babel's catalog
reader (which brings its dates, time zones and pytz) and parsing with it cost about 20 ms of a
cold start, where this reader of the catalogs Babel writes takes about 3 ms.

``python -m bot.i18n extract`` rewrites ``bot/locales/s3cop.pot`` and merges new strings into
``fi.po`` (as untranslated entries, which the completeness test then reports).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

LOCALES_DIR = Path(__file__).with_name("locales")
SUPPORTED_LANGUAGES = ("en", "fi")
SOURCE_LANGUAGE = "en"
DOMAIN = "s3cop"
# Command, group, parameter and choice names carry the context "command": in Finnish they must
# stay lower-case single words, unlike the same word in a sentence.
EXTRACT_KEYWORDS = {"_": None, "C_": ((1, "c"), 2)}
NAME_CONTEXT = "command"


def _(message: str) -> str:
    """Mark an English source string for the catalog; translation happens at display time."""
    return message


def C_(context: str, message: str) -> str:
    """Mark a string with a catalog context, e.g. ``C_("command", "event")`` for a command name."""
    return message


def language_of(locale: str | None, fallback: str = SOURCE_LANGUAGE) -> str:
    """A Discord locale (``fi``, ``en-GB``, ``sv-SE``) as a language we speak, else fallback."""
    if locale:
        base = str(locale).split("-")[0].lower()
        if base in SUPPORTED_LANGUAGES:
            return base
    return fallback if fallback in SUPPORTED_LANGUAGES else SOURCE_LANGUAGE


# A .po string's escapes, as Babel's reader undoes them.
_ESCAPE = re.compile(r'\\([\\abfnrtv"])')
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unquote(line: str) -> str:
    """One quoted line of a .po entry (``"text"``) as the text it stands for."""
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), line.strip()[1:-1])


def read_catalog(text: str) -> dict[tuple[str | None, str], str]:
    """(context, id) -> translation of every translated, not fuzzy entry of a .po file's text:
    what Babel's ``read_po`` finds in the catalogs ``extract`` writes (a test holds the two
    equal on every catalog). Comments and obsolete (``#~``) entries are skipped, and so are
    plural entries, which the catalogs do not use."""
    found: dict[tuple[str | None, str], str] = {}
    entry: dict[str, str] = {}  # keyword (msgctxt, msgid, msgstr...) -> its text
    flags: list[str] = []
    keyword = ""
    for line in [*text.splitlines(), ""]:
        if line.startswith('"'):  # the keyword's text goes on
            entry[keyword] += _unquote(line)
            continue
        starts_entry = not line or line.startswith(("#", "msgctxt ", "msgid "))
        if starts_entry and any(key.startswith("msgstr") for key in entry):
            message, translation = entry.get("msgid"), entry.get("msgstr")
            if message and translation and "msgid_plural" not in entry and "fuzzy" not in flags:
                found[entry.get("msgctxt"), message] = translation
            entry, flags = {}, []
        if line.startswith("#,"):
            flags += (flag.strip() for flag in line[2:].split(","))
        elif line.startswith("msg"):
            keyword, quoted = line.split(" ", 1)
            entry[keyword] = _unquote(quoted)
    return found


@cache
def _catalog(language: str) -> Mapping[tuple[str | None, str], str]:
    """(context, id) -> translation for one language, read once from its .po file."""
    path = LOCALES_DIR / f"{language}.po"
    return read_catalog(path.read_text(encoding="utf-8")) if path.exists() else {}


def lookup(language: str, message: str, context: str | None = None) -> str | None:
    """The catalog's translation of ``message``, or None when the catalog has none."""
    if language == SOURCE_LANGUAGE:
        return message
    return _catalog(language).get((context, message))


def translate(language: str, message: str, /, **params: object) -> str:
    """``message`` in ``language`` with ``params`` filled in; English when no translation exists.

    A parameter whose name depends on the reader's language (a group, with its Finnish name;
    a region) has ``in_language(language)``: passed as itself, it is named in the language the
    message is read in, wherever the message goes (a refusal, a DM, a card)."""
    text = lookup(language, message) or message
    if not params:
        return text
    return text.format(
        **{
            key: value.in_language(language) if hasattr(value, "in_language") else value
            for key, value in params.items()
        }
    )


def _extract(root: Path) -> Catalog:
    """Collect every marked string under the project's packages."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(project="s3cop", domain=DOMAIN, charset="utf-8")
    for package in ("bot", "cogs"):
        for filename, lineno, message, comments, context in extract_from_dir(
            root / package, keywords=EXTRACT_KEYWORDS, comment_tags=("i18n:",)
        ):
            template.add(
                message,
                locations=[(f"{package}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def extracted_messages(root: Path) -> list[tuple[str | None, object]]:
    """(context, id) of every marked string in the source, for the completeness test."""
    return [(m.context, m.id) for m in _extract(root) if m.id]


def write_catalog(fh: BinaryIO, catalog: Catalog) -> None:
    """Sorted, without line numbers, so a diff shows only what really changed."""
    from babel.messages.pofile import write_po

    write_po(
        fh,
        catalog,
        omit_header=True,
        sort_output=True,
        width=100,
        ignore_obsolete=True,
        include_lineno=False,
    )


def main(argv: list[str]) -> int:
    """``extract``: write the template and merge it into every language's catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    if argv != ["extract"]:
        print("usage: python -m bot.i18n extract", file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parent.parent
    template = _extract(root)
    with (LOCALES_DIR / f"{DOMAIN}.pot").open("wb") as fh:
        write_catalog(fh, template)
    for language in SUPPORTED_LANGUAGES:
        if language == SOURCE_LANGUAGE:
            continue
        path = LOCALES_DIR / f"{language}.po"
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=language, domain=DOMAIN)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_catalog(fh, catalog)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
