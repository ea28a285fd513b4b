"""Start-up reconcile of groups: 5,000 members in 40 groups, the bot in its own process.

    .venv/bin/python bench/bench_groups_reconcile.py

This process runs the sandbox, seeded with 5,000 members in 40 groups (each member in two, so
10,000 memberships, every role held as the database says); the bot runs in a child process
against it (``--bot``), with its own database file written beforehand with the same groups and
memberships. The sandbox records every REST request the bot makes.

* Nothing drifted: the reconcile must write nothing to Discord (no request but the command
  sync), and add at most 1 s to the start: s3cop with the groups extension, launch to reconciled,
  against s3cop without it, launch to ready, 3 runs each alternating, medians compared.
* 100 drifted memberships (50 joins whose role the bot never gave, 50 leaves whose role it never
  took, as a crash between the database and Discord leaves them): exactly 100 role writes.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _harness import median, table, verdict

from bot.sandbox.models import Guild
from bot.sandbox.server import Sandbox

MEMBERS = 5000
GROUPS = 40
PER_MEMBER = 2
DRIFT = 100
RUNS = 3
TARGET_ADDED_S = 1.0
ROLE_WRITE = ("PUT", "DELETE")


@dataclass
class World:
    guild: Guild
    roles: list[int]
    channels: list[int]
    members: list[int]
    memberships: list[tuple[int, int]]  # (group index, user id)


def seed(sandbox: Sandbox) -> World:
    """The guild, 40 group roles and channels, 5,000 members holding their groups' roles."""
    guild = sandbox.add_guild("S3 Community of Practice")
    for name in ("Organisers", "Secretariat"):
        sandbox.add_role(guild, name)
    for name in ("groups", "admin-log"):
        sandbox.add_channel(guild, name)
    roles = [sandbox.add_role(guild, f"Group {i}") for i in range(GROUPS)]
    channels = [sandbox.add_channel(guild, f"group-{i}") for i in range(GROUPS)]
    members, memberships = [], []
    for n in range(MEMBERS):
        mine = [(n + k * 7) % GROUPS for k in range(PER_MEMBER)]
        member = sandbox.add_member(guild, f"member{n}", roles=[roles[g] for g in mine])
        members.append(member.user.id)
        memberships.extend((g, member.user.id) for g in mine)
    return World(guild, [r.id for r in roles], [c.id for c in channels], members, memberships)


def write_database(path: Path, world: World, drifted: dict[tuple[int, int], str]) -> None:
    """The bot's database: the same groups and memberships, ``drifted`` ones pending."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from db.database import bundled_migrations

    conn = sqlite3.connect(path)
    for migration in bundled_migrations():
        conn.executescript(
            f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
        )
    now = "2026-12-01T12:00:00.000000Z"
    guild = world.guild.id
    for i in range(GROUPS):
        conn.execute(
            "INSERT INTO groups (id, guild_id, name, kind, joining, visibility, role_id, "
            "channel_id, created_by, created_at) VALUES (?, ?, ?, 'partnership', 'open', "
            "'private', ?, ?, 1, ?)",
            (i + 1, guild, f"Group {i}", world.roles[i], world.channels[i], now),
        )
        conn.execute(
            "INSERT INTO group_names (group_id, guild_id, key) VALUES (?, ?, ?)",
            (i + 1, guild, f"group {i}"),
        )
    rows = []
    for g, user in world.memberships:
        rows.append((guild, g + 1, user, now, drifted.get((g, user))))
    conn.executemany(
        "INSERT INTO memberships (guild_id, group_id, user_id, joined_at, pending) "
        "VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()


def drift(world: World, count: int) -> dict[tuple[int, int], str]:
    """``count`` memberships whose Discord half never happened, half of each kind: a join
    whose role is missing ('add'), a leave whose role is still held ('remove')."""
    stride = len(world.memberships) // count
    picked = {}
    for k in range(count):
        g, user = world.memberships[k * stride]
        picked[(g, user)] = "add" if k % 2 == 0 else "remove"
        if picked[(g, user)] == "add":
            world.guild.members[user].roles.remove(world.roles[g])
    return picked


def config(directory: Path, sandbox: Sandbox, world: World) -> Path:
    path = directory / "config.toml"
    path.write_text(
        f'[discord]\nguild_id = {world.guild.id}\napi_base = "{sandbox.api_base}"\n'
        f'gateway_url = "{sandbox.gateway_url}"\n\n'
        f'[database]\npath = "{directory / "s3cop.sqlite3"}"\n',
        encoding="utf-8",
    )
    return path


async def run_bot(sandbox: Sandbox, settings: Path, *, groups: bool) -> dict[str, Any]:
    """The bot in a child process; returns its timings and the requests it made."""
    before = len(sandbox.backend.requests)
    env = os.environ | {"DISCORD_TOKEN": sandbox.token}
    args = [sys.executable, __file__, "--bot", str(settings)] + ([] if groups else ["--no-groups"])
    child = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE, env=env)
    out, _ = await asyncio.wait_for(child.communicate(), timeout=120)
    if child.returncode != 0:
        raise RuntimeError(f"the bot process failed ({child.returncode})")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    requests = sandbox.backend.requests[before:]
    writes = [
        (r.method, r.path)
        for r in requests
        if r.method != "GET" and not r.path.startswith("/applications/")
    ]
    result["role_writes"] = sum(1 for m, p in writes if m in ROLE_WRITE and "/roles/" in p)
    result["writes"] = len(writes)
    return result


async def scenario(drifted: int, *, baseline: bool) -> list[dict[str, Any]]:
    """Fresh sandbox and database; runs the bot (with and, for the baseline, without groups)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="s3cop-bench-") as tmp:
        async with Sandbox() as sandbox:
            world = seed(sandbox)
            picked = drift(world, drifted) if drifted else {}
            settings = config(Path(tmp), sandbox, world)
            database = Path(tmp) / "s3cop.sqlite3"
            for run in range(RUNS if baseline else 1):
                for groups in (True, False) if baseline else (True,):
                    database.unlink(missing_ok=True)
                    write_database(database, world, picked)
                    result = await run_bot(sandbox, settings, groups=groups)
                    result |= {"groups": groups, "run": run}
                    results.append(result)
    return results


async def main() -> int:
    steady = await scenario(0, baseline=True)
    with_groups = [r for r in steady if r["groups"]]
    without = [r for r in steady if not r["groups"]]
    drifted = (await scenario(DRIFT, baseline=False))[0]
    added = median([r["reconciled_s"] for r in with_groups]) - median(
        [r["ready_s"] for r in without]
    )
    rows = [
        (
            "s3cop, groups, nothing drifted",
            median([r["ready_s"] for r in with_groups]),
            median([r["reconciled_s"] for r in with_groups]),
            median([r["reconcile_s"] for r in with_groups]),
            max(r["writes"] for r in with_groups),
        ),
        (
            "s3cop without groups",
            median([r["ready_s"] for r in without]),
            "-",
            "-",
            max(r["writes"] for r in without),
        ),
        (
            f"s3cop, groups, {DRIFT} drifted",
            drifted["ready_s"],
            drifted["reconciled_s"],
            drifted["reconcile_s"],
            drifted["writes"],
        ),
    ]
    print(
        f"{MEMBERS:,} members in {GROUPS} groups ({len(range(MEMBERS)) * PER_MEMBER:,} "
        f"memberships); bot in its own process; medians of {RUNS} runs"
    )
    print(
        table(
            ["run", "launch to ready (s)", "to reconciled (s)", "reconcile (s)", "writes"],
            [[r[0], *(f"{v:.3f}" if isinstance(v, float) else v for v in r[1:])] for r in rows],
        )
    )
    print(f"drifted: {drifted['counts']}")
    return verdict(
        [
            (
                "nothing drifted: zero writes to Discord besides the command sync",
                all(r["writes"] == 0 for r in with_groups),
            ),
            (
                f"nothing drifted: reconcile adds {added:.3f} s to the start "
                f"(<= {TARGET_ADDED_S} s)",
                added <= TARGET_ADDED_S,
            ),
            (
                f"{DRIFT} drifted memberships: {drifted['role_writes']} role writes "
                f"(exactly {DRIFT})",
                drifted["role_writes"] == DRIFT,
            ),
            (
                f"{DRIFT} drifted memberships: no other writes ({drifted['writes']} in all)",
                drifted["writes"] == DRIFT,
            ),
        ]
    )


# -- the bot's process ------------------------------------------------------------------------


async def bot_process(settings_path: Path, groups: bool) -> None:
    launched = time.perf_counter()
    from bot.client import EXTENSIONS, S3Bot
    from bot.discord_urls import point_discord_at
    from bot.settings import load_settings
    from db.database import Database

    settings = load_settings(settings_path)
    point_discord_at(settings.discord.api_base, settings.discord.gateway_url)
    db = await Database.open(settings.database.path)
    await db.migrate()
    extensions = EXTENSIONS if groups else tuple(e for e in EXTENSIONS if e != "cogs.groups")
    bot = S3Bot(settings, db, extensions=extensions, guild_ready_timeout=0.01)
    await bot.login(settings.token() or "")
    task = asyncio.create_task(bot.connect(reconnect=False))
    await asyncio.wait_for(bot.wait_until_ready(), 60)
    ready = time.perf_counter() - launched
    counts: dict[str, int] = {}
    reconcile = 0.0
    if groups:
        settled = await asyncio.wait_for(bot.features["groups"].reconcile.settled(), 60)
        counts, reconcile = settled.counts, settled.seconds
    reconciled = time.perf_counter() - launched
    await bot.close()
    await asyncio.gather(task, return_exceptions=True)
    await db.close()
    print(
        json.dumps(
            {
                "ready_s": ready,
                "reconciled_s": reconciled,
                "reconcile_s": reconcile,
                "counts": counts,
            }
        )
    )


if __name__ == "__main__":
    if "--bot" in sys.argv:
        path = Path(sys.argv[sys.argv.index("--bot") + 1])
        asyncio.run(bot_process(path, "--no-groups" not in sys.argv))
    else:
        sys.exit(asyncio.run(main()))
