"""`s3cop sandbox --serve`: the sandbox alone in its own process, for a bot in another."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import tomllib
from pathlib import Path

import aiohttp


async def test_serve_seeds_a_community_and_a_bot_config(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    serving = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--serve",
        "--members",
        "20",
        "--write-config",
        str(config),
        "--database",
        str(tmp_path / "bot.sqlite3"),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert serving.stdout is not None
        lines = []
        while not any("DISCORD_TOKEN=" in line for line in lines):
            line = await asyncio.wait_for(serving.stdout.readline(), 20)
            assert line, f"serve ended early: {lines}"
            lines.append(line.decode())
        token = re.search(r"DISCORD_TOKEN=(\S+)", "".join(lines))
        assert token is not None
        settings = tomllib.loads(config.read_text())
        api = settings["discord"]["api_base"]
        guild_id = settings["discord"]["guild_id"]
        assert api.startswith("http://127.0.0.1:")
        headers = {"Authorization": f"Bot {token.group(1)}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.get(f"{api}/users/@me") as me:
                assert me.status == 200
            async with http.get(f"{api}/guilds/{guild_id}/channels") as channels:
                names = {c["name"] for c in await channels.json()}
            async with http.get(f"{api}/guilds/{guild_id}/members?limit=1000") as members:
                count = len(await members.json())
        assert {"events", "announcements", "admin-log"} <= names
        assert count >= 25  # the bot, the named members and the 20 more asked for
    finally:
        serving.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(serving.wait(), 10) == 0
