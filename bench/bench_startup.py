"""Cold start to ready on the sandbox: s3cop's S3Bot beside a minimal discord.py bot.

    .venv/bin/python bench/bench_startup.py

The verdict times real cold starts: a fresh Python process per run, from launch to the bot
being ready and synced on a sandbox started inside that process (interpreter start, imports,
database migrations, command sync and re-arming included; the baseline's process imports only
discord.py and the sandbox). The two alternate run by run; the verdict uses the median of each.

Below it, for information, the in-process figures the benchmark first measured: starting the
bot again inside one process, where only s3cop's own start-up work remains:

Each run gets a fresh sandbox seeded with the S3 CoP guild (``local_community(start=False)``)
and, for s3cop, a fresh database file. Timed from nothing to ``wait_until_ready()``:

* s3cop: ``community.start_bot()`` - open the database and apply every migration, build S3Bot,
  log in (setup_hook: translator, cogs, scheduler start and re-arm, command sync to the guild),
  connect the gateway and become ready;
* minimal: a ``commands.Bot`` with one slash command synced to the guild in its setup_hook,
  started the same way (login, connect, ready) with the same intents and guild_ready_timeout.

discord.py re-executes an extension's modules on every load, so each s3cop start here also runs
the cogs' module code, as a fresh process would. Bytecode: an installed bot reads its modules'
cached bytecode, but this environment sets PYTHONDONTWRITEBYTECODE, which would add compiling
every cog module to each start. The benchmark therefore keeps a bytecode cache in a temporary
directory (``sys.pycache_prefix``; nothing is written into the repository) for the verdict row,
and also shows s3cop without any bytecode cache, for information.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

from _harness import MinimalBot, Timer, median, run, start_client, table, verdict

from bot.sandbox.server import Sandbox

CHILD = "--child"

RUNS = 7
TARGET_RATIO = 2.0


@contextlib.contextmanager
def bytecode(cache_dir: str | None) -> Iterator[None]:
    """Read and write bytecode under ``cache_dir``; None: compile every module from source."""
    saved = sys.pycache_prefix, sys.dont_write_bytecode
    with tempfile.TemporaryDirectory(prefix="s3cop-nopyc-") as empty:
        sys.pycache_prefix = cache_dir or empty
        sys.dont_write_bytecode = cache_dir is None
        try:
            yield
        finally:
            sys.pycache_prefix, sys.dont_write_bytecode = saved


def say_ready() -> None:
    """A child process tells the parent the moment its bot is ready (before shutting down)."""
    print("ready", flush=True)


async def s3cop_once(ready: Callable[[], None] = lambda: None) -> float:
    from bot.local import local_community  # only s3cop's runs load s3cop

    async with local_community(start=False) as community:
        timer = Timer()
        bot = await community.start_bot()
        elapsed = timer.elapsed()
        ready()
        synced = [c.name for c in community.sandbox.backend.commands.values()]
        assert bot.is_ready() and "event" in synced, synced
        assert bot.scheduler._running  # armed (nothing pending on a fresh database)
        return elapsed


async def minimal_once(ready: Callable[[], None] = lambda: None) -> float:
    async with Sandbox() as sandbox:
        guild = sandbox.add_guild("S3 Community of Practice")
        bot = MinimalBot(guild.id, guild_ready_timeout=0.01)
        timer = Timer()
        task = await start_client(bot, sandbox)
        elapsed = timer.elapsed()
        ready()
        synced = [c.name for c in sandbox.backend.commands.values()]
        assert bot.is_ready() and synced == ["ping"], synced
        await bot.close()
        await task
        return elapsed


async def child(kind: str) -> int:
    """One cold start in this fresh process; says "ready" the moment the bot is."""
    await (s3cop_once(say_ready) if kind == "s3cop" else minimal_once(say_ready))
    return 0


def cold_start(kind: str, env: dict[str, str]) -> float:
    """Seconds from launching a fresh Python process to its bot being ready."""
    began = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, CHILD, kind], stdout=subprocess.PIPE, env=env, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - began
    process.wait(timeout=60)
    if process.returncode != 0 or line.strip() != "ready":
        raise RuntimeError(f"the {kind} process failed: {line!r}")
    return elapsed


def timings(name: str, values: list[float]) -> tuple[str, ...]:
    return (name, *(f"{t * 1000:.1f}" for t in values), f"{median(values) * 1000:.1f}")


async def main() -> int:
    with tempfile.TemporaryDirectory(prefix="s3cop-pyc-") as cache_dir:
        # Fresh processes read bytecode from cache_dir, as an installed bot reads its own.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache_dir
        cold_start("minimal", env)  # warm-up: bytecode written, files in the page cache
        cold_start("s3cop", env)
        cold_s3: list[float] = []
        cold_minimal: list[float] = []
        for _ in range(RUNS):
            cold_minimal.append(cold_start("minimal", env))
            cold_s3.append(cold_start("s3cop", env))

        with bytecode(cache_dir):  # warm-up in this process; not counted
            await minimal_once()
            await s3cop_once()
        s3: list[float] = []
        s3_compiling: list[float] = []
        minimal: list[float] = []
        for _ in range(RUNS):
            with bytecode(cache_dir):
                minimal.append(await minimal_once())
                s3.append(await s3cop_once())
            with bytecode(None):
                s3_compiling.append(await s3cop_once())
    ratio = median(cold_s3) / median(cold_minimal)
    headers = ["bot", *(f"run {i + 1}" for i in range(RUNS)), "median"]
    print(f"Cold start: a fresh process, launch to ready ({RUNS} runs each, alternating; ms)\n")
    print(
        table(
            headers,
            [timings("minimal discord.py bot", cold_minimal), timings("s3cop (S3Bot)", cold_s3)],
        )
    )
    print(f"\nratio (median s3cop / median minimal bot): {ratio:.2f}x\n")
    warm = median(s3) / median(minimal)
    print(f"Start again inside one process, start_bot() to ready (info; {warm:.2f}x; ms)\n")
    print(
        table(
            headers,
            [
                timings("minimal discord.py bot", minimal),
                timings("s3cop (S3Bot)", s3),
                timings("s3cop, no bytecode cache", s3_compiling),
            ],
        )
    )
    print()
    return verdict(
        [
            (
                f"s3cop cold start <= {TARGET_RATIO:.0f}x minimal bot ({ratio:.2f}x)",
                ratio <= TARGET_RATIO,
            )
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == CHILD:
        sys.exit(asyncio.run(child(sys.argv[2])))
    run(main)
