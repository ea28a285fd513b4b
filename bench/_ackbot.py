"""The ack-only bot (``_harness.AckBot``) as its own process, for the two-process benchmarks.

    DISCORD_TOKEN=... python bench/_ackbot.py API_BASE GATEWAY_URL [module:Class ...]

It imports discord.py and the harness only (and the modules of the DynamicItem classes named,
by default ``_harness:AckButton``), points them at the sandbox and serves until killed.
"""

from __future__ import annotations

import asyncio
import os
import sys

from _harness import AckBot, load_item

from bot.discord_urls import point_discord_at


async def main() -> None:
    point_discord_at(sys.argv[1], sys.argv[2])
    bot = AckBot([load_item(spec) for spec in sys.argv[3:]])
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
