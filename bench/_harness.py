"""Shared pieces of the benchmarks: the baseline bots, starting a client, and small statistics.

Only the project's own dependencies are used, so ``make bench`` runs in the project's venv.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import discord
from discord.ext import commands

from bot.discord_urls import point_discord_at
from bot.sandbox.server import Sandbox

READY_TIMEOUT = 15.0


def intents() -> discord.Intents:
    """The intents s3cop asks for (bot.client.intents), without importing s3cop: the baseline
    bots' processes in the cold-start benchmark must not load s3cop's code."""
    wanted = discord.Intents.default()
    wanted.members = True
    wanted.message_content = False
    return wanted


# The benchmarks print their own table; library chatter would bury it.
logging.basicConfig(level=logging.CRITICAL)
for _name in ("discord", "bot", "cogs", "db", "apscheduler", "aiohttp"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


# -- baseline bots ------------------------------------------------------------------------------


class MinimalBot(commands.Bot):
    """discord.py's floor for start-up: one slash command, synced to the guild in setup_hook."""

    def __init__(self, guild_id: int, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),  # the same intents as s3cop: the same READY and member chunking
            help_command=None,
            **options,
        )
        self.guild_id = guild_id

        @self.tree.command(name="ping", description="Is the bot there?")
        async def ping(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.send_message("pong", ephemeral=True)

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


class AckButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ack:(?P<event>\d+):(?P<answer>going|maybe|declined)",
):
    """A persistent button whose callback only answers ephemerally: the floor for a click."""

    def __init__(self, event_id: int, answer: str) -> None:
        super().__init__(
            discord.ui.Button(label=answer.capitalize(), custom_id=f"ack:{event_id}:{answer}")
        )
        self.answer = answer

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> AckButton:
        return cls(int(match["event"]), match["answer"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(f"Noted: {self.answer}.", ephemeral=True)


class AckBot(commands.Bot):
    """The ack-only bot: a DynamicItem button that answers and does nothing else."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )

    async def setup_hook(self) -> None:
        self.add_dynamic_items(AckButton)


def ack_view(event_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer in ("going", "maybe", "declined"):
        view.add_item(AckButton(event_id, answer))
    return view


@contextlib.asynccontextmanager
async def running(client: discord.Client, sandbox: Sandbox) -> Any:
    """Log a client in on the sandbox, connect, wait until ready; close it afterwards."""
    point_discord_at(sandbox.api_base, sandbox.gateway_url)
    task: asyncio.Task[None] | None = None
    try:
        task = await start_client(client, sandbox)
        yield client
    finally:
        await client.close()
        if task is not None:
            with contextlib.suppress(Exception):
                await task


async def start_client(client: discord.Client, sandbox: Sandbox) -> asyncio.Task[None]:
    """What ``LocalCommunity.start_bot`` does for S3Bot, for any client: login, connect, ready."""
    point_discord_at(sandbox.api_base, sandbox.gateway_url)
    await client.login(sandbox.token)
    task = asyncio.create_task(client.connect(reconnect=True))
    ready = asyncio.create_task(client.wait_until_ready())
    await asyncio.wait({ready, task}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        ready.cancel()
        if task.done():
            task.result()
        raise TimeoutError("the client did not become ready on the sandbox")
    return task


# -- numbers ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank: p99 of 1,000 values is the 990th."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5 - 1e-9)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def verdict(checks: Sequence[tuple[str, bool]]) -> int:
    """Print each target with PASS/FAIL; the exit status for ``make bench``."""
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for _text, ok in checks) else 1


def run(main: Callable[[], Any]) -> None:
    sys.exit(asyncio.run(main()))
