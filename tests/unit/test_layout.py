"""The feature template's rules about what may import what, checked on the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEATURES = sorted(p for p in (ROOT / "cogs").iterdir() if (p / "__init__.py").exists())


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (``from x import y`` counts x and x.y), at any level."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def python_files() -> list[Path]:
    return sorted(
        p for top in ("bot", "cogs", "db") for p in (ROOT / top).rglob("*.py") if p.is_file()
    )


@pytest.mark.parametrize("feature", FEATURES, ids=lambda p: p.name)
def test_nothing_in_a_feature_imports_its_cog(feature: Path) -> None:
    """Commands sit on top: buttons, the service and the announcer never call back into the
    cog (only setup() in __init__.py loads it)."""
    cog = f"cogs.{feature.name}._cog"
    offenders = [
        p.name
        for p in feature.glob("*.py")
        if p.name != "__init__.py" and cog in imported_modules(p)
    ]
    assert offenders == [], f"{offenders} import {cog}"


def test_no_feature_imports_another_features_private_modules() -> None:
    """What two features share lives outside cogs/ (bot/members.py, bot/components.py, db/);
    a feature's _modules are its own. The runtime (bot/, db/) imports no feature at all."""
    offenders = []
    for path in python_files():
        parts = path.relative_to(ROOT).parts
        own = parts[1] if parts[0] == "cogs" and len(parts) > 2 else None
        for module in imported_modules(path):
            names = module.split(".")
            if names[0] != "cogs" or len(names) < 2:
                continue
            if parts[0] in ("bot", "db") or (
                len(names) > 2 and names[2].startswith("_") and names[1] != own
            ):
                offenders.append(f"{'/'.join(parts)} imports {module}")
    assert offenders == []


@pytest.mark.parametrize("feature", FEATURES, ids=lambda p: p.name)
def test_a_features_init_holds_only_setup(feature: Path) -> None:
    tree = ast.parse((feature / "__init__.py").read_text("utf-8"))
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert classes == [] and set(defined) <= {"setup"}


def test_features_answer_through_the_runtime() -> None:
    """Members are answered through bot.answering (reply, update, defer), which share a lock
    with the runtime's answer guard: a direct interaction.response call could race a deferral
    (only opening a modal, always the immediate first answer, is direct)."""
    direct = re.compile(r"\.response\.(send_message|edit_message|defer)\(")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted((ROOT / "cogs").rglob("*.py"))
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if direct.search(line)
    ]
    assert offenders == []


def test_the_events_service_stores_only_through_its_commit() -> None:
    """The template's one exit: every write of the events service, the RSVP burst's batched
    clicks included, leaves through ``_commit``, so none can skip re-arming the scheduler."""
    tree = ast.parse((ROOT / "cogs" / "events" / "_service.py").read_text("utf-8"))
    writes = {"write", "batched", "execute"}
    offenders = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "_commit":
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in writes
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "db"
            ):
                offenders.append(f"{function.name}:{node.lineno} db.{node.attr}")
    assert offenders == []


def test_tests_reach_the_bot_through_public_seams() -> None:
    """No test reads or sets a cog's insides (``get_cog(...).service``): tests act as members
    and watch what members, operators and the database see."""
    # Still to do: the polls fixture sets the card refresh delay (its engineer's, in progress).
    waiting = {"tests/e2e/conftest.py"}
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted((ROOT / "tests").rglob("*.py"))
        if str(p.relative_to(ROOT)) not in waiting
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if "get_cog(" in line and p.name != "test_layout.py"
    ]
    assert offenders == []
