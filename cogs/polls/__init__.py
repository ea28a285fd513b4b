"""Polls: k of n, ranked choice, secret ballots, electorates, deadlines."""

from bot.client import S3Bot
from cogs.polls._cog import PollsCog


async def setup(bot: S3Bot) -> None:
    await bot.add_cog(PollsCog(bot))
