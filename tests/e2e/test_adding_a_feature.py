"""The README's "Adding a feature" is enough to add one: the kudos example is built from the
section's code blocks alone, loaded into the bot beside the other features, checked against the
layout rules, and used as members would use it."""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.local
import cogs
import db
from bot import components
from bot.clock import FakeClock
from bot.local import local_community
from db import database, personal
from db.database import Migration
from tests.e2e.events_helpers import dm_containing
from tests.unit import test_layout as layout

ROOT = Path(__file__).resolve().parents[2]
# A fenced block of the section, indented as a list item's; its first line names its file.
BLOCK = re.compile(r"^( *)```(?:python|sql)\n(.*?)^\1```", re.M | re.S)
NAMED = re.compile(r"(?:#|--) ((?:db|cogs)/[\w/]+\.(?:py|sql))")


def readme_files() -> dict[str, str]:
    """Each code block of the section that names its file: path -> text."""
    text = (ROOT / "README.md").read_text("utf-8")
    start = text.index("### Adding a feature")
    section = text[start : text.index("\n### ", start + 1)]
    found = {}
    for _indent, body in BLOCK.findall(section):
        first, _newline, rest = textwrap.dedent(body).partition("\n")
        named = NAMED.fullmatch(first.strip())
        if named:
            found[named[1].replace("NNNN", "9999")] = rest
    return found


@pytest.fixture
def kudos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The section's files in a folder of their own, found as ``cogs.kudos`` and ``db.kudos``
    and loaded by the bot as step 4 says; the process is as before afterwards."""
    files = readme_files()
    source = tmp_path / "kudos-source"
    for name, text in files.items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    migration = Migration(9999, "9999_kudos.sql", files["db/migrations/9999_kudos.sql"])
    bundled = database.bundled_migrations
    monkeypatch.setattr(database, "bundled_migrations", lambda: [*bundled(), migration])
    monkeypatch.setattr(cogs, "__path__", [*cogs.__path__, str(source / "cogs")])
    monkeypatch.setattr(db, "__path__", [*db.__path__, str(source / "db")])
    monkeypatch.setattr(bot.local, "EXTENSIONS", (*bot.local.EXTENSIONS, "cogs.kudos"))
    yield source
    # What loading the feature registered process-wide (other features' modules imported
    # meanwhile keep theirs).
    for module in [m for m in sys.modules if m.startswith(("cogs.kudos", "db.kudos"))]:
        del sys.modules[module]
    for key in [k for k in personal._REGISTRY if k[0] == "kudos"]:
        del personal._REGISTRY[key]
    components.PREFIXES.pop("kudos", None)


def test_the_section_holds_every_file_of_the_feature() -> None:
    assert sorted(readme_files()) == [
        "cogs/kudos/__init__.py",
        "cogs/kudos/_cog.py",
        "cogs/kudos/_service.py",
        "cogs/kudos/_views.py",
        "db/kudos.py",
        "db/migrations/9999_kudos.sql",
    ]


def test_the_example_keeps_the_layout_rules(kudos: Path) -> None:
    package = kudos / "cogs" / "kudos"
    for name in ("_cog.py", "_views.py"):
        layout.test_commands_and_views_do_not_reach_the_database(package / name)
    writes = [
        (path.name, function)
        for path in package.glob("*.py")
        for function, _line, _what in layout.db_writes(ast.parse(path.read_text("utf-8")))
    ]
    assert writes == [("_service.py", "_commit")]
    assert layout.reads_in_service((package / "_service.py").read_text("utf-8")) == set()
    assert "cogs.kudos._cog" not in set().union(
        *(layout.imported_modules(p) for p in package.glob("*.py") if p.name != "__init__.py")
    )


async def test_a_member_thanks_another_who_thanks_back(
    kudos: Path, tmp_path: Path, clock: FakeClock
) -> None:
    async with local_community(tmp_path, clock=clock) as community:
        assert community.db is not None
        sofia = community.as_member("sofia")
        sent = await sofia.slash("kudos give", member=community.members["aino"])
        assert sent.ephemeral and sent.content == "Thanks sent: Aino has 1 kudos.", sent.content
        dm = await dm_containing(community, "aino", "thanks you!")
        back = await community.as_member("aino").click(dm, "Thank back")
        assert back.content == "Thanked back (1).", back.content
        refused = await sofia.slash("kudos give", member=community.members["sofia"])
        assert "Kudos to yourself do not count" in refused.content
        rows = await community.db.fetchall("SELECT giver_id, user_id FROM kudos ORDER BY id")
        ids = {name: community.members[name].user.id for name in ("sofia", "aino")}
        assert [tuple(r) for r in rows] == [
            (ids["sofia"], ids["aino"]),
            (ids["aino"], ids["sofia"]),
        ]
        assert {(e.table, e.column) for e in personal.declared()} >= {
            ("kudos", "user_id"),
            ("kudos", "giver_id"),
        }
