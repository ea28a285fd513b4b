"""`s3cop run` against the sandbox: a rejected token or an unreachable gateway is one line;
SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from bot.cli import CONNECT_ATTEMPTS, CliError, _run
from bot.local import community_settings
from bot.sandbox.server import Sandbox


async def test_rejected_token_is_one_clear_line(tmp_path: Path) -> None:
    async with Sandbox() as sandbox:
        guild = sandbox.add_guild("S3")
        settings = community_settings(sandbox, guild.id, tmp_path / "s.sqlite3")
        with pytest.raises(CliError) as refused:
            await _run(settings, "not-the-token", sync_globally=False)
    assert str(refused.value) == "Discord rejected the token; check DISCORD_TOKEN"


async def test_an_unreachable_gateway_is_retried_then_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The API answers but the gateway does not: each attempt logs one line, no traceback."""
    async with Sandbox() as sandbox:
        guild = sandbox.add_guild("S3")
        settings = community_settings(sandbox, guild.id, tmp_path / "s.sqlite3")
        dead = "ws://127.0.0.1:9/"
        settings = settings.model_copy(
            update={"discord": settings.discord.model_copy(update={"gateway_url": dead})}
        )
        with pytest.raises(CliError) as failed:
            await _run(settings, sandbox.token, sync_globally=False, retry_delay=0.01)
    assert str(failed.value).startswith(f"cannot reach Discord's gateway at {dead} (")
    assert str(failed.value).endswith(
        f"after {CONNECT_ATTEMPTS} attempts; check the network connection and "
        "discord.gateway_url in config.toml"
    )
    retries = [r.getMessage() for r in caplog.records if r.name == "bot.cli"]
    assert len(retries) == CONNECT_ATTEMPTS - 1


async def test_sigterm_stops_the_bot_and_closes_the_database(tmp_path: Path) -> None:
    async with Sandbox() as sandbox:
        guild = sandbox.add_guild("S3")
        settings = community_settings(sandbox, guild.id, tmp_path / "s.sqlite3")
        running = asyncio.create_task(_run(settings, sandbox.token, sync_globally=False))
        await sandbox.wait_until(lambda: sandbox.gateway.identifies >= 1, timeout=10)
        await asyncio.sleep(0.05)  # let the bot finish its ready handshake
        os.kill(os.getpid(), signal.SIGTERM)  # handled by the bot's loop handler, not pytest
        assert await asyncio.wait_for(running, 10) == 0
    assert (tmp_path / "s.sqlite3").exists()


async def test_shutdown_lets_handlers_under_way_finish_their_writes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The mirror is made after the organiser's answer; a stop right then must wait for it."""
    from bot.local import local_community
    from tests.e2e.events_helpers import create_event

    async with local_community(tmp_path) as community:
        # Discord is slow to make the scheduled event: the mirror is still waiting at the stop.
        community.sandbox.faults.rate_limit("POST /guilds/*/scheduled-events", retry_after=0.3)
        await create_event(community)
        await community.stop_bot()  # at once: the creation's handler is still mirroring
        await community.start_bot()
        assert community.db is not None
        row = await community.db.fetchone("SELECT discord_event_id FROM events WHERE id = 1")
        assert row is not None and row[0] is not None
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
