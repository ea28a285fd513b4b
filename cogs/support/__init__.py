"""Support requests: regions ask, the secretariat answers, nobody is forgotten."""

from bot.client import S3Bot
from cogs.support._cog import SupportCog
from cogs.support._queries import SupportQueries
from cogs.support._service import SupportService
from cogs.support._views import FEATURE, SupportButton, SupportFeature


async def setup(bot: S3Bot) -> None:
    queries = SupportQueries(bot)
    parts = SupportFeature(SupportService(bot, queries), queries)
    bot.features[FEATURE] = parts
    bot.add_dynamic_items(SupportButton)
    parts.service.register()
    await parts.service.replan()
    await bot.add_cog(SupportCog(bot, parts))
