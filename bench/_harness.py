"""Shared pieces of the benchmarks: the baseline bots, starting a client, measuring a burst
against a bot in its own process, and small statistics (bench/README.md shows how to use them).

Only the project's own dependencies are used, so ``make bench`` runs in the project's venv.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import re
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
import psutil
from discord.ext import commands

from bot.discord_urls import point_discord_at

if TYPE_CHECKING:  # the ack-only bot's process imports this module: keep it to discord.py
    from bot.local_process import BotProcess
    from bot.sandbox.driver import InteractionResult
    from bot.sandbox.server import Sandbox

READY_TIMEOUT = 15.0


HERE = Path(__file__).resolve().parent


def intents() -> discord.Intents:
    """The intents s3cop asks for (bot.client.intents), without importing s3cop: the baseline
    bots' processes in the cold-start benchmark must not load s3cop's code."""
    wanted = discord.Intents.default()
    wanted.members = True
    wanted.message_content = True
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
    """The ack-only bot: persistent DynamicItems that answer and do nothing else (by default
    :class:`AckButton`; a benchmark passes its own)."""

    def __init__(
        self, items: Sequence[type[discord.ui.DynamicItem[Any]]] = (), **options: Any
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.items = tuple(items) or (AckButton,)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*self.items)


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


# -- a bot in its own process, and a burst measured against it ----------------------------------

DEFERRALS = (5, 6)  # interaction response types that only defer: the answer comes later


class Answers:
    """When the sandbox received each interaction's answers, on its event loop's clock.

    Install one per sandbox before its bursts (it wraps the backend's ``respond`` and
    ``followup``). ``first`` is the initial response (what Discord's 3 s deadline counts);
    ``seen`` is when the member could read the bot's answer: the initial response itself, or
    after a deferral the follow-up or the edit that fills it. A deferred update of a message
    that other interactions share (a button's ``defer()`` then an edit of the announcement)
    cannot be told apart there: it counts at its deferral."""

    def __init__(self, sandbox: Sandbox) -> None:
        backend = sandbox.backend
        self._loop = asyncio.get_running_loop()
        self.first: dict[int, float] = {}
        self.seen: dict[int, float] = {}
        self.deferred: set[int] = set()
        self._waiting: dict[str, int] = {}  # follow-up token -> deferred interaction
        self._loading: dict[int, int] = {}  # loading message id -> deferred interaction
        respond, followup, apply_edit = backend.respond, backend.followup, backend.apply_edit

        def timed_respond(interaction_id: int, token: str, body: Any, files: Any) -> Any:
            result = respond(interaction_id, token, body, files)
            now = self._loop.time()
            self.first[interaction_id] = now
            if int(body.get("type") or 0) in DEFERRALS:
                self.deferred.add(interaction_id)
                self._waiting[token] = interaction_id
                loading = backend.interactions[interaction_id].response_message
                if loading is not None:
                    self._loading[loading.id] = interaction_id
            else:
                self.seen[interaction_id] = now
            return result

        def timed_followup(application_id: int, token: str, payload: Any, files: Any) -> Any:
            result = followup(application_id, token, payload, files)
            self._answered(self._waiting.pop(token, None))
            return result

        def timed_edit(message: Any, payload: Any, files: Any) -> Any:
            result = apply_edit(message, payload, files)
            self._answered(self._loading.pop(message.id, None))
            return result

        backend.respond = timed_respond  # type: ignore[method-assign]
        backend.followup = timed_followup  # type: ignore[method-assign]
        backend.apply_edit = timed_edit  # type: ignore[method-assign]

    def _answered(self, interaction_id: int | None) -> None:
        if interaction_id is not None:
            self.seen.setdefault(interaction_id, self._loop.time())

    def numbers(self, results: Sequence[InteractionResult], deadline: float) -> dict[str, float]:
        """One burst's figures: ``failed`` (no initial response within ``deadline``, counted as
        ``deadline`` in the percentiles, so those are a lower bound), ``deferred``, ``p50`` and
        ``p99`` latency in seconds from the interaction's creation to the member seeing the
        answer, and ``throughput``: answered interactions / (last answer - first created)."""
        answered = [r for r in results if not r.failed and r.interaction.id in self.first]
        seen = {r.interaction.id: self.seen.get(r.interaction.id) for r in answered}
        done = {i: t if t is not None else self.first[i] for i, t in seen.items()}
        latencies = [done[r.interaction.id] - r.interaction.created for r in answered]
        latencies += [deadline] * (len(results) - len(answered))
        first = min(r.interaction.created for r in results)
        span = max(done.values()) - first if done else float("inf")
        return {
            "failed": len(results) - len(answered),
            "deferred": sum(r.interaction.id in self.deferred for r in answered),
            "throughput": len(answered) / span,
            "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99),
        }


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def quiet(
    pid: int, *, window: float = 0.25, share: float = 0.05, limit: float = 15.0
) -> None:
    """Wait (at most ``limit`` seconds) until the process ``pid`` used under ``share`` of a core
    over ``window`` seconds: work a bot starts once ready (s3cop warms dateparser and its time
    zone names up in threads) is start-up, measured by bench_startup.py, not the burst's."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        before = cpu_seconds(pid)
        await asyncio.sleep(window)
        if cpu_seconds(pid) - before < share * window:
            return


async def measure(
    answers: Answers,
    pid: int,
    burst: Callable[[], Awaitable[Sequence[InteractionResult]]],
    *,
    deadline: float,
    settle: float = 1.0,
) -> dict[str, float]:
    """Run ``burst`` (e.g. an ``asyncio.gather`` of driver clicks) against the bot process
    ``pid``; :meth:`Answers.numbers` plus ``cpu_ms``: the process's CPU time from the burst's
    start until ``settle`` seconds after it (work the bot does after answering counts), per
    answered interaction. It first waits until the process is :func:`quiet`."""
    await quiet(pid)
    before = cpu_seconds(pid)
    results = await burst()
    await asyncio.sleep(settle)
    cpu = cpu_seconds(pid) - before
    stats = answers.numbers(results, deadline)
    answered = len(results) - stats["failed"]
    stats["cpu_ms"] = 1000 * cpu / max(answered, 1)
    return stats


@contextlib.asynccontextmanager
async def s3cop_process(
    sandbox: Sandbox, guild_id: int, directory: Path, profile: Path | None = None
) -> AsyncIterator[BotProcess]:
    """s3cop as production runs it (``s3cop run``, its own process) on ``sandbox``, ready;
    stopped afterwards, its database left in ``directory`` for the benchmark's checks.
    ``profile``: write the process's cProfile statistics there."""
    from bot.local_process import BotProcess  # here: the ack-only bot's process loads no s3cop

    bot = BotProcess(sandbox, guild_id, directory, profile=profile)
    try:
        await bot.start()
        await bot.wait_ready()
        yield bot
    finally:
        await bot.stop()


@contextlib.asynccontextmanager
async def ack_process(sandbox: Sandbox, items: Sequence[str] = ()) -> Any:
    """The ack-only bot as its own process (bench/_ackbot.py) on ``sandbox``, connected; yields
    its pid and kills it afterwards. ``items`` name its DynamicItem classes as
    ``"module:Class"`` (modules in bench/, e.g. ``"bench_poll_burst:AckVote"``); by default
    :class:`AckButton`. It is ready when it answers: a benchmark clicks until it does."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "_ackbot.py"),
        sandbox.api_base,
        sandbox.gateway_url,
        *items,
        env=dict(os.environ, DISCORD_TOKEN=sandbox.token),
    )
    try:
        await sandbox.wait_until(lambda: sandbox.gateway.connected, timeout=30)
        yield process.pid
    finally:
        process.kill()
        await process.wait()


def load_item(spec: str) -> type[discord.ui.DynamicItem[Any]]:
    """``"module:Class"`` -> the class (for bench/_ackbot.py's arguments)."""
    module, _, name = spec.partition(":")
    found: type[discord.ui.DynamicItem[Any]] = getattr(importlib.import_module(module), name)
    return found


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


def medians(runs: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over several runs."""
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def spread(runs: Sequence[dict[str, float]], key: str, scale: float = 1.0) -> str:
    """``"min-max"`` of one figure over several runs, for the table."""
    values = [r[key] * scale for r in runs]
    digits = 2 if max(values) < 10 else 0
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}"


def load() -> str:
    """The machine's load averages, to print with every set of figures."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


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
