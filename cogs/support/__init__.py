"""Support requests: regions ask, the secretariat answers, nobody is forgotten."""

from bot.client import S3Bot
from cogs.support._cog import SupportCog


async def setup(bot: S3Bot) -> None:
    await bot.add_cog(SupportCog(bot))
