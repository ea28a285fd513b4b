"""Support requests: regions ask, the secretariat answers, nobody is forgotten."""

from bot.client import S3Bot
from cogs.support._cog import SupportCog
from cogs.support._service import SupportService
from cogs.support._views import FEATURE, SupportButton


async def setup(bot: S3Bot) -> None:
    service = SupportService(bot)
    bot.features[FEATURE] = service
    bot.add_dynamic_items(SupportButton)
    service.register()
    await service.replan()
    await bot.add_cog(SupportCog(bot, service))
