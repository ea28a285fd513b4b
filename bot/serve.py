"""``s3cop sandbox --serve``: the sandbox alone, in its own process, with the S3 CoP seeded.

Point any bot at it: the command writes a config file for ``s3cop run`` and prints the token to
put in ``DISCORD_TOKEN``. It serves until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TextIO

from bot.local import seed_community
from bot.local_process import write_bot_config
from bot.sandbox.server import Sandbox


async def serve(
    out: TextIO,
    *,
    port: int,
    extra_members: int,
    config_path: Path,
    database: Path,
    stop: asyncio.Event | None = None,
) -> int:
    """Serve until ``stop`` is set (Ctrl-C and SIGTERM set it)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    sandbox = Sandbox(rate_limits=True)  # Discord's buckets and global limit, enforced
    await sandbox.start(port)
    try:
        seeded = seed_community(sandbox, extra_members=extra_members)
        write_bot_config(config_path, sandbox, seeded.guild.id, database)
        print(f"sandbox listening on {sandbox.api_base} and {sandbox.gateway_url}", file=out)
        print(f"guild {seeded.guild.id} with {len(seeded.members)} members", file=out)
        print(f"bot config written to {config_path}; start a bot with:", file=out)
        print(f"  DISCORD_TOKEN={sandbox.token} s3cop run --config {config_path}", file=out)
        out.flush()
        await stop.wait()
    finally:
        await sandbox.stop()
    return 0
