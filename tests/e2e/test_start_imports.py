"""What a start imports: the libraries a feature needs only when a member uses it stay out of
`s3cop run`'s start-up (bench/bench_startup.py measures what each costs; bench/README.md)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.local import seed_community
from bot.local_process import write_bot_config
from bot.sandbox.server import Sandbox

# Each is imported where it is first needed: Babel's dates and lists for a locale's formats
# (the catalogs are read without it), pycountry for a region, holidays for a business
# calendar, icalendar for a calendar feed, dateparser for a time phrase (warmed up in the
# background once the bot is ready), matplotlib for a poll's chart; APScheduler when the first
# scheduled action is armed (this community has none yet).
LAZY = ("babel", "pycountry", "holidays", "icalendar", "dateparser", "matplotlib", "apscheduler")

# `s3cop run` itself, told to report the moment it is ready. discord.py schedules the client's
# own on_ready before any cog's listener, so this runs before the background warm-ups start.
CHILD = f"""
import os, signal, sys
from bot.cli import main
from bot.client import S3Bot

async def on_ready(self):
    loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({LAZY!r}))
    print("ready:", *loaded, flush=True)
    os.kill(os.getpid(), signal.SIGTERM)

S3Bot.on_ready = on_ready
sys.exit(main())
"""


async def test_s3cop_run_is_ready_without_the_libraries_features_load_on_first_use(
    tmp_path: Path,
) -> None:
    async with Sandbox() as sandbox:
        seeded = seed_community(sandbox)
        config = write_bot_config(
            tmp_path / "config.toml", sandbox, seeded.guild.id, tmp_path / "s.sqlite3"
        )
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CHILD,
            "run",
            "--config",
            str(config),
            env=dict(os.environ, DISCORD_TOKEN=sandbox.token),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(child.communicate(), timeout=60)
    lines = stdout.decode().splitlines()
    assert child.returncode == 0, stderr.decode()
    assert lines == ["ready:"], f"imported before ready: {lines} {stderr.decode()[-2000:]}"
