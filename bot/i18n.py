"""One catalog mechanism for every string a member reads.

English source strings are marked with ``_()`` (a no-op that the extractor finds), translated
with :func:`translate`, and the Finnish catalog ``bot/locales/fi.po`` is read once with Babel.
Command names and descriptions go through :class:`CatalogTranslator`, discord.py's Translator hook.

``python -m bot.i18n extract`` rewrites ``bot/locales/s3cop.pot`` and merges new strings into
``fi.po`` (as untranslated entries, which the completeness test then reports).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

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


@cache
def _catalog(language: str) -> Mapping[tuple[str | None, object], object]:
    """(context, id) -> translation for one language, read once from its .po file."""
    path = LOCALES_DIR / f"{language}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language, domain=DOMAIN)
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}


def lookup(language: str, message: str, context: str | None = None) -> str | None:
    """The catalog's translation of ``message``, or None when the catalog has none."""
    if language == SOURCE_LANGUAGE:
        return message
    found = _catalog(language).get((context, message))
    return found if isinstance(found, str) else None


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


def _write(path: Path, catalog: Catalog) -> None:
    """Sorted, without line numbers, so a diff shows only what really changed."""
    from babel.messages.pofile import write_po

    with path.open("wb") as fh:
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
    if argv != ["extract"]:
        print("usage: python -m bot.i18n extract", file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parent.parent
    template = _extract(root)
    _write(LOCALES_DIR / f"{DOMAIN}.pot", template)
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
        _write(path, catalog)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
