"""The catalog mechanism: language choice, fallbacks, placeholders and plurals."""

from __future__ import annotations

import pytest

from bot.i18n import N_, language_of, translate, translate_plural


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


def test_plural_forms() -> None:
    forms = N_("{n} place left", "{n} places left")
    assert translate_plural("en", forms, 1) == "1 place left"
    assert translate_plural("en", forms, 3) == "3 places left"
