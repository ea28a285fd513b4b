"""Cold start to ready on the sandbox: s3cop's S3Bot beside a minimal discord.py bot.

    .venv/bin/python bench/bench_startup.py

Each run gets a fresh sandbox seeded with the S3 CoP guild (``local_community(start=False)``)
and, for s3cop, a fresh database file. Timed from nothing to ``wait_until_ready()``:

* s3cop: ``community.start_bot()`` - open the database and apply every migration, build S3Bot,
  log in (setup_hook: translator, cogs, scheduler start and re-arm, command sync to the guild),
  connect the gateway and become ready;
* minimal: a ``commands.Bot`` with one slash command synced to the guild in its setup_hook,
  started the same way (login, connect, ready) with the same intents and guild_ready_timeout.

The two alternate run by run; the verdict uses the median of each.

discord.py re-executes an extension's modules on every load, so each s3cop start here also runs
the cogs' module code, as a fresh process would. Bytecode: an installed bot reads its modules'
cached bytecode, but this environment sets PYTHONDONTWRITEBYTECODE, which would add compiling
every cog module to each start. The benchmark therefore keeps a bytecode cache in a temporary
directory (``sys.pycache_prefix``; nothing is written into the repository) for the verdict row,
and also shows s3cop without any bytecode cache, for information.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator

from _harness import MinimalBot, Timer, median, run, start_client, table, verdict

from bot.local import local_community

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


async def s3cop_once() -> float:
    async with local_community(start=False) as community:
        timer = Timer()
        bot = await community.start_bot()
        elapsed = timer.elapsed()
        synced = [c.name for c in community.sandbox.backend.commands.values()]
        assert bot.is_ready() and "event" in synced, synced
        assert bot.scheduler._running  # armed (nothing pending on a fresh database)
        return elapsed


async def minimal_once() -> float:
    async with local_community(start=False) as community:
        bot = MinimalBot(community.guild.id, guild_ready_timeout=0.01)
        timer = Timer()
        task = await start_client(bot, community.sandbox)
        elapsed = timer.elapsed()
        synced = [c.name for c in community.sandbox.backend.commands.values()]
        assert bot.is_ready() and synced == ["ping"], synced
        await bot.close()
        await task
        return elapsed


def timings(name: str, values: list[float]) -> tuple[str, ...]:
    return (name, *(f"{t * 1000:.1f}" for t in values), f"{median(values) * 1000:.1f}")


async def main() -> int:
    with tempfile.TemporaryDirectory(prefix="s3cop-pyc-") as cache_dir:
        with bytecode(cache_dir):  # warm-up: first sockets, bytecode written; not counted
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
    ratio = median(s3) / median(minimal)
    print(f"Cold start to ready on the sandbox ({RUNS} runs each, alternating; ms)\n")
    rows = [
        timings("minimal discord.py bot", minimal),
        timings("s3cop (S3Bot)", s3),
        timings("s3cop, no bytecode cache (info)", s3_compiling),
    ]
    print(table(["bot", *(f"run {i + 1}" for i in range(RUNS)), "median"], rows))
    print(f"\nratio (median s3cop / median minimal bot): {ratio:.2f}x\n")
    return verdict(
        [
            (
                f"s3cop start-up <= {TARGET_RATIO:.0f}x minimal bot ({ratio:.2f}x)",
                ratio <= TARGET_RATIO,
            )
        ]
    )


if __name__ == "__main__":
    run(main)
