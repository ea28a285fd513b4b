"""The feature template's rules about what may import what, checked on the source."""

from __future__ import annotations

import ast
import dataclasses
import importlib
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
    with the runtime's answer guard (a direct interaction.response call could race a
    deferral) and fit every answer to Discord's limits (a follow-up sent directly could be
    refused whole). Only opening a modal, always the immediate first answer, is direct."""
    direct = re.compile(
        r"\.response\.(send_message|edit_message|defer)\(|\.followup\.send\("
        r"|\.edit_original_response\("
    )
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted((ROOT / "cogs").rglob("*.py"))
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if direct.search(line)
    ]
    assert offenders == []


def test_tests_reach_the_bot_through_public_seams() -> None:
    """No test reads or sets a cog's insides (``get_cog(...).service``): tests act as members
    and watch what members, operators and the database see."""
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted((ROOT / "tests").rglob("*.py"))
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if "get_cog(" in line and p.name != "test_layout.py"
    ]
    assert offenders == []


# Each feature's repository in db/: no other feature imports it (they use its public module).
REPOSITORIES = {f: f"db.{f}" for f in ("events", "groups", "polls", "support")}
WRITES = {"write", "batched", "execute"}
SQL = re.compile(r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b")


def feature_modules(*names: str) -> list[Path]:
    return [
        path
        for feature in FEATURES
        for path in sorted(feature.glob("*.py"))
        if not names or path.name in names
    ]


def db_writes(tree: ast.AST) -> list[tuple[str, int, str]]:
    """(function, line, what) of every ``<...>.db.write/batched/execute`` in a module."""
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in WRITES
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "db"
            ):
                found.append((function.name, node.lineno, f"db.{node.attr}"))
    return found


@pytest.mark.parametrize(
    "path", feature_modules("_cog.py", "_views.py"), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_commands_and_views_do_not_reach_the_database(path: Path) -> None:
    """Commands and views read options, call the service and answer from what it returns: from
    db/ they import only records (dataclasses) and errors, never a repository or its functions;
    they hold no connection (``.db``), write no SQL and reach into no other object's private
    attributes (a service's repository is private)."""
    tree = ast.parse(path.read_text("utf-8"))
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "db":
            module = importlib.import_module(node.module)
            for alias in node.names:
                value = getattr(module, alias.name, None)
                record = dataclasses.is_dataclass(value) or (
                    isinstance(value, type) and issubclass(value, Exception)
                )
                if not record:
                    offenders.append(f"{node.lineno}: imports {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            offenders += [
                f"{node.lineno}: imports {a.name}" for a in node.names if a.name.startswith("db")
            ]
        elif isinstance(node, ast.Attribute):
            if node.attr == "db":
                offenders.append(f"{node.lineno}: .db")
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            mine = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if private and not mine:
                offenders.append(f"{node.lineno}: reaches {node.attr}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            offenders.append(f"{node.lineno}: SQL")
    assert offenders == []


def test_every_feature_writes_through_its_services_one_exit() -> None:
    """Each feature's service stores every change through its ``_commit`` (one transaction,
    then the scheduler re-armed), so no write can forget either: nothing else in a feature
    calls ``db.write``, ``db.batched`` or ``db.execute``."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {function} calls {what}"
        for path in feature_modules()
        for function, line, what in db_writes(ast.parse(path.read_text("utf-8")))
        if not (path.name == "_service.py" and function == "_commit")
    ]
    assert offenders == []


def test_repositories_write_only_inside_the_callers_transaction() -> None:
    """A repository's writes are functions on the caller's connection (``db/database.py``'s
    convention), which a service runs through its ``_commit``; a repository's own async
    methods only read, so none can write around that exit."""
    offenders = []
    for path in sorted((ROOT / "db").glob("*.py")):
        if path.name == "database.py":
            continue
        for cls in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(cls, ast.ClassDef):
                offenders += [
                    f"{path.name}:{line} {cls.name}.{function} calls {what}"
                    for function, line, what in db_writes(cls)
                ]
    assert offenders == []


def test_no_feature_reads_another_features_repository() -> None:
    """What a feature offers others is a public module of its package (``cogs/groups/
    directory.py``, ``cogs/events/directory.py``), not its tables."""
    offenders = []
    for path in feature_modules():
        own = REPOSITORIES.get(path.parent.name)
        for module in imported_modules(path):
            repository = module if module in REPOSITORIES.values() else module.rpartition(".")[0]
            if repository in REPOSITORIES.values() and repository != own:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert sorted(set(offenders)) == []


SHUTDOWN = {"close", "close_service"}  # what the bot awaits when it stops


def reads_in_service(source: str) -> set[str]:
    """The public coroutines of a service class (one with ``_commit``) that never reach
    ``self._commit``, directly or through the class's other methods, and are not scheduled
    handlers (``scheduler.register(KIND, self.handler)``) or the shutdown hook."""
    found: set[str] = set()
    for cls in ast.parse(source).body:
        if not isinstance(cls, ast.ClassDef):
            continue
        methods = {
            f.name: f for f in cls.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        if "_commit" not in methods:
            continue
        calls: dict[str, set[str]] = {}
        handlers: set[str] = set()
        for name, function in methods.items():
            calls[name] = set()
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "self"
                    and node.attr in methods
                ):
                    calls[name].add(node.attr)
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "register"
                ):
                    handlers.update(
                        a.attr
                        for a in node.args
                        if isinstance(a, ast.Attribute)
                        and isinstance(a.value, ast.Name)
                        and a.value.id == "self"
                    )
        committing = {"_commit"}
        for _round in range(len(methods)):  # bounded: each round adds a method or stops
            more = {n for n, called in calls.items() if called & committing} - committing
            if not more:
                break
            committing |= more
        found |= {
            name
            for name, function in methods.items()
            if isinstance(function, ast.AsyncFunctionDef)
            and not name.startswith("_")
            and name not in committing | handlers | SHUTDOWN
        }
    return found


@pytest.mark.parametrize("feature", FEATURES, ids=lambda p: p.name)
def test_a_features_service_holds_only_changes_and_scheduled_handlers(feature: Path) -> None:
    """A feature's ``_service.py`` changes state (every public coroutine ends in its
    ``_commit``) and runs scheduled handlers; a plain read belongs in ``_queries.py`` and
    keeping Discord in step in ``_announce.py``, so a reader never has to ask which reads a
    service method hides among the writes."""
    service = feature / "_service.py"
    if service.exists():
        assert reads_in_service(service.read_text("utf-8")) == set()


def rendering_in_service(source: str) -> set[str]:
    """The methods of a service's classes that build what a member reads: they call
    ``translate``, ``discord.Embed`` or a ``*_embed`` / ``*_view`` function. (Naming a
    display function for a notice to compose later, as ``partial(decision_notice, ...)``, is
    no call.)"""
    found: set[str] = set()
    for cls in ast.parse(source).body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for function in cls.body:
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                called = node.func
                name = (
                    called.attr
                    if isinstance(called, ast.Attribute)
                    else called.id
                    if isinstance(called, ast.Name)
                    else ""
                )
                if name in ("translate", "Embed") or name.endswith(("_embed", "_view")):
                    found.add(function.name)
    return found


@pytest.mark.parametrize("feature", FEATURES, ids=lambda p: p.name)
def test_a_features_service_renders_nothing(feature: Path) -> None:
    """What a member reads (texts in their language, embeds, buttons) is built in
    ``_display.py`` and ``_views.py`` and sent by ``_announce.py``; the service changes state
    and hands them what changed."""
    service = feature / "_service.py"
    if not service.exists():
        return
    assert rendering_in_service(service.read_text("utf-8")) == set()


def test_the_rendering_rule_finds_an_embed() -> None:
    """The check above is not vacuous: an embed or a translation in a service is found."""
    source = """
class KudosService:
    async def give(self, user):
        await self._commit(user)
        return card_embed(user)
    async def thank(self, user):
        return translate("en", "Thanks")
    async def _commit(self, work):
        return await self.bot.db.write(work)
"""
    assert rendering_in_service(source) == {"give", "thank"}


def test_the_service_rule_finds_a_plain_read() -> None:
    """The check above is not vacuous: a read among a service's writes is found."""
    source = """
class KudosService:
    def register(self):
        self.bot.scheduler.register("kudos.digest", self._on_digest)
    async def _commit(self, work):
        return await self.bot.db.write(work)
    async def give(self, user):
        return await self._store(user)
    async def _store(self, user):
        return await self._commit(lambda conn: user)
    async def _on_digest(self, ctx):
        pass
    async def count(self, user):
        return await self.repo.count(user)
"""
    assert reads_in_service(source) == {"count"}
