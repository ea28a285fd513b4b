"""The catalog mechanism: language choice, fallbacks and placeholders."""

from __future__ import annotations

import pytest

from bot.i18n import language_of, translate


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
