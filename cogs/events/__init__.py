"""Events: announcements, RSVPs and waitlists, reminders, series and calendars."""

from bot.client import S3Bot
from cogs.events._cog import EventsCog


async def setup(bot: S3Bot) -> None:
    await bot.add_cog(EventsCog(bot))
