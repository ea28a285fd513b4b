"""Every string a member can read has a Finnish translation, and the catalogs are well formed."""

from __future__ import annotations

import re
import string
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.client import EXTENSIONS, S3Bot
from bot.i18n import LOCALES_DIR, NAME_CONTEXT, extracted_messages, lookup
from bot.settings import parse_settings
from bot.translator import CatalogTranslator
from db.database import Database

ROOT = Path(__file__).resolve().parents[2]
NAME_RULE = re.compile(r"^[-_\w]{1,32}$")


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _finnish():  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / "fi.po").open("rb") as fh:
        return read_po(fh, locale="fi")


def test_every_source_string_has_a_finnish_translation() -> None:
    catalog = _finnish()
    missing = []
    for context, message in extracted_messages(ROOT):
        entry = catalog.get(message, context=context)
        strings = entry.string if entry else None
        if (
            not entry
            or entry.fuzzy
            or not strings
            or (isinstance(strings, tuple) and not all(strings))
        ):
            missing.append((context, message))
    assert missing == [], f"untranslated (run `make catalog`, then translate): {missing}"


def test_translations_keep_their_placeholders() -> None:
    for entry in _finnish():
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set().union(*(_fields(i) for i in ids))
        for translated in strings:
            assert _fields(translated) <= expected | {"n"}, (entry.id, translated)
            assert _fields(translated) >= expected - {"n"}, (entry.id, translated)


def test_command_names_in_finnish_follow_discords_rule() -> None:
    for entry in _finnish():
        if entry.context == NAME_CONTEXT and entry.string:
            assert NAME_RULE.match(entry.string) and entry.string == entry.string.lower(), entry


def test_template_is_current() -> None:
    with (LOCALES_DIR / "s3cop.pot").open("rb") as fh:
        template = {(m.context, m.id) for m in read_po(fh) if m.id}
    assert template == set(extracted_messages(ROOT)), "run `make catalog` to refresh s3cop.pot"


@pytest.fixture
async def loaded(tmp_path: Path) -> AsyncIterator[S3Bot]:
    """A bot with every extension loaded (not connected): its command tree."""
    settings = parse_settings({"discord": {"guild_id": 1}})
    db = await Database.open(tmp_path / "s.sqlite3")
    await db.migrate()
    bot = S3Bot(settings, db)
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    yield bot
    await db.close()


async def test_every_command_is_localised(loaded: S3Bot) -> None:
    bot = loaded
    translator = CatalogTranslator()
    untranslated = []
    commands = bot.tree.get_commands()
    assert commands
    for command in commands:
        payload = await command.get_translated_payload(bot.tree, translator)
        stack = [payload]
        while stack:
            node = stack.pop()
            for key in ("name_localizations", "description_localizations"):
                if key in node and "fi" not in node[key]:
                    untranslated.append((node.get("name"), key))
            stack.extend(node.get("options", []))
            stack.extend(node.get("choices", []))
    assert untranslated == []


@pytest.mark.parametrize(("locale", "expected"), [("fi", "tietoja"), ("en-GB", "about")])
def test_lookup_by_locale(locale: str, expected: str) -> None:
    language = locale.split("-")[0]
    assert (lookup(language, "about", NAME_CONTEXT) or "about") == expected


COMMAND_MENTION = re.compile(r"(?:^|(?<=[\s(]))/([^\W\d]+)(?: ([^\W\d]+))?")


async def test_strings_name_commands_as_they_are_called_in_their_language(
    loaded: S3Bot,
) -> None:
    """A "/group join" in an English string is a real command, and its Finnish translation
    names the same command by its Finnish name ("/ryhmä liity"), never the English one."""
    bot = loaded
    names: dict[str, dict[str, set[str]]] = {"en": {}, "fi": {}}  # command -> its subcommands
    for command in bot.tree.get_commands():
        payload = await command.get_translated_payload(bot.tree, CatalogTranslator())
        subs = [o for o in payload.get("options", []) if o["type"] in (1, 2)]
        for language in names:
            top = payload["name"] if language == "en" else payload["name_localizations"]["fi"]
            names[language][top] = {
                s["name"] if language == "en" else s["name_localizations"]["fi"] for s in subs
            }
    wrong = []
    for entry in _finnish():
        if not entry.id or entry.context or not entry.string:
            continue
        for language, text in (("en", entry.id), ("fi", entry.string)):
            for top, sub in COMMAND_MENTION.findall(text if isinstance(text, str) else text[0]):
                known = names[language]
                if top not in known or (known[top] and sub not in known[top]):
                    wrong.append((language, f"/{top} {sub}".strip(), text))
    assert wrong == []
