"""Working groups, thematic partnerships, regions and member profiles."""

from bot.client import S3Bot
from cogs.groups._cog import GroupsCog


async def setup(bot: S3Bot) -> None:
    await bot.add_cog(GroupsCog(bot))
