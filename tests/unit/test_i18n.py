"""The catalog mechanism: language choice, fallbacks, placeholders, and reading the catalogs."""

from __future__ import annotations

import io

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import DOMAIN, LOCALES_DIR, language_of, read_catalog, translate, write_catalog


@pytest.mark.parametrize(
    ("locale", "fallback", "expected"),
    [
        ("fi", "en", "fi"),
        ("en-GB", "fi", "en"),
        ("sv-SE", "fi", "fi"),
        (None, "en", "en"),
        ("de", "xx", "en"),
    ],
)
def test_language_follows_locale_else_guild_default(
    locale: str | None, fallback: str, expected: str
) -> None:
    assert language_of(locale, fallback) == expected


def test_untranslated_text_falls_back_to_english_with_fields() -> None:
    assert translate("fi", "No such text {x}", x=1) == "No such text 1"


def test_finnish_comes_from_the_catalog() -> None:
    assert translate("fi", "Uptime") != "Uptime"


def _babel_reads(text: str) -> dict[tuple[str | None, object], object]:
    """What bot.i18n used to keep from Babel's reader: translated, not fuzzy entries."""
    catalog = read_po(io.BytesIO(text.encode("utf-8")), locale="fi")
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}


@pytest.mark.parametrize("name", ["fi.po", "s3cop.pot"])
def test_the_catalogs_read_as_babel_reads_them(name: str) -> None:
    text = (LOCALES_DIR / name).read_text(encoding="utf-8")
    assert read_catalog(text) == _babel_reads(text)


# Text with what a .po file escapes or wraps: quotes, backslashes, new lines, tabs, long words.
_TEXT = st.lists(
    st.sampled_from([*"aäZ {}.#:,", '"', "\\", "\n", "\t", "\r", "\a", "msgid ", "  ", "x" * 60]),
    min_size=1,
    max_size=40,
).map("".join)


@given(
    st.lists(
        st.tuples(_TEXT, _TEXT, st.sampled_from([None, "command", 'x "y"']), st.booleans()),
        max_size=8,
        unique_by=lambda e: (e[0], e[2]),
    )
)
def test_a_catalog_babel_writes_reads_back_as_babel_reads_it(
    entries: list[tuple[str, str, str | None, bool]],
) -> None:
    catalog = Catalog(locale="fi", domain=DOMAIN)
    for message, translation, context, fuzzy in entries:
        catalog.add(message, translation, context=context, flags=["fuzzy"] if fuzzy else [])
    path = io.BytesIO()
    write_catalog(path, catalog)
    # An entry whose string left the source, as a hand-merged catalog may keep it.
    written = path.getvalue().decode("utf-8") + '\n#~ msgid "gone"\n#~ msgstr "poissa"\n'
    assert read_catalog(written) == _babel_reads(written)
