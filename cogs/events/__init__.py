"""Events: announcements, RSVPs and waitlists, reminders, series and calendars."""

from bot.client import S3Bot
from cogs.events._announce import Announcer
from cogs.events._cog import EventsCog
from cogs.events._feed import calendar_feed
from cogs.events._queries import EventQueries
from cogs.events._service import EventService
from cogs.events._views import (
    FEATURE,
    CancelButton,
    EventsFeature,
    ListPageButton,
    OverflowButton,
    RsvpButton,
)


async def setup(bot: S3Bot) -> None:
    queries = EventQueries(bot)
    announce = Announcer(bot, queries, bot.settings.events.announcement_refresh_seconds)
    parts = EventsFeature(EventService(bot, queries, announce), announce, queries)
    bot.features[FEATURE] = parts
    bot.add_dynamic_items(RsvpButton, ListPageButton, CancelButton, OverflowButton)
    parts.service.register()
    if bot.web is not None:
        bot.web.add_get("/calendar/{token}.ics", calendar_feed(bot, queries))
    await bot.add_cog(EventsCog(bot, parts))
