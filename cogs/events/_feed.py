"""The subscribable calendar feed: every event of a guild as one .ics, served by the bot's web
server at ``/calendar/{token}.ics`` (the token is handed out by /calendar link).

Whoever has the link reads the feed, member or not: it holds only the events announced where
everyone (the @everyone role) can see; a private group's events stay in its channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.client import S3Bot
from cogs.events import _calendar
from cogs.events._queries import EventQueries


def calendar_feed(
    bot: S3Bot, queries: EventQueries
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The route's handler: unknown tokens get 404."""

    async def handle(request: web.Request) -> web.Response:
        guild_id = await queries.feed_guild(request.match_info["token"])
        if guild_id is None:
            raise web.HTTPNotFound()
        guild = bot.get_guild(guild_id)
        records = [
            record
            for record in await queries.in_guild(guild_id, include_cancelled=True)
            if queries.visible(record, None)
        ]
        data = _calendar.build_calendar(
            await queries.calendar_entries(records),
            name=guild.name if guild else "s3cop",
            now=queries.now(),
        )
        return web.Response(body=data, content_type="text/calendar", charset="utf-8")

    return handle
