"""Keeping Discord in step with the stored events: the announcement and its refresh, the
discussion thread, notices in the channel, and the mirror in Discord's own
events list.

Nothing here writes to the database: what Discord hands back (the announcement's message, the
mirror's id) goes to the service, which stores it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from cogs.events import _display as display
from cogs.events._queries import EventQueries
from cogs.events._views import rsvp_view
from db.events import EventRecord

log = logging.getLogger(__name__)

# Seconds an announcement's counts may lag behind a stream of clicks that never pauses.
REFRESH_MAX_WAIT = 15.0
REFRESH_POLL = 0.01  # seconds between looks while clicks are being stored


def audience_line(event: EventRecord) -> str | None:
    """The announcement's text: its audience role's mention, if it has one."""
    return f"<@&{event.audience_role_id}>" if event.audience_role_id else None


def audience_only(event: EventRecord) -> discord.AllowedMentions:
    """What an announcement may ping: its audience role, by id, and nobody else (no @everyone,
    no member or other role named in a title or description)."""
    role = [discord.Object(event.audience_role_id)] if event.audience_role_id else False
    return discord.AllowedMentions(everyone=False, users=False, roles=role, replied_user=False)


class Announcer:
    """Discord's side of the events feature."""

    def __init__(self, bot: S3Bot, queries: EventQueries, refresh_delay: float) -> None:
        self.bot = bot
        self.queries = queries
        self.refresh_delay = refresh_delay  # seconds: a burst of clicks becomes one edit
        self._refreshing: dict[int, asyncio.Task[None]] = {}
        self._last_request: dict[int, float] = {}  # loop time of each event's latest click
        self._in_flight: dict[int, int] = {}  # clicks being stored, per event

    async def close(self) -> None:
        """Finish announcement edits still waiting."""
        for task in list(self._refreshing.values()):
            await task

    def language(self) -> str:
        """Public posts are in the community's language."""
        return self.bot.default_language

    # -- the announcement ---------------------------------------------------------------------

    async def render(self, event: EventRecord) -> tuple[discord.Embed, discord.ui.View]:
        language = self.language()
        shown = await self.queries.shown(event)
        embed = display.announcement_embed(
            language, event, shown, self.queries.repeat_text(language, event)
        )
        answering = shown.occurrence.key if shown.answerable and shown.occurrence else None
        return embed, rsvp_view(language, event.id, answering)

    async def post(self, event: EventRecord) -> discord.Message:
        """Post a new event's announcement (pinging its audience), or a readable refusal."""
        channel = self.bot.get_channel(event.channel_id)
        assert isinstance(channel, discord.TextChannel)
        embed, view = await self.render(event)
        try:
            return await channel.send(
                content=audience_line(event),
                embed=embed,
                view=view,
                allowed_mentions=audience_only(event),
            )
        except discord.HTTPException:
            raise UserFacingError(
                _(
                    "I can't post in {channel}: give me permission to send messages there, or "
                    "pick another channel."
                ),
                channel=channel.mention,
            ) from None

    async def open_thread(self, message: discord.Message, event: EventRecord) -> int | None:
        """A discussion thread under the announcement; without permission, say so once."""
        try:
            thread = await message.create_thread(name=event.title[:100])
        except discord.Forbidden:
            if message.guild is not None:
                await self.bot.admin_log_once(
                    message.guild, "create-threads", display.no_threads_text(self.language())
                )
            return None
        return thread.id

    async def open_thread_under(self, event: EventRecord) -> int | None:
        """A discussion thread under an existing announcement (asked for by an edit)."""
        channel = self.bot.get_channel(event.channel_id)
        if event.message_id is None or not isinstance(channel, discord.TextChannel):
            return None
        try:
            message = await channel.fetch_message(event.message_id)
        except discord.HTTPException as exc:
            log.warning("no announcement to open event %s's thread under: %s", event.id, exc)
            return None
        return await self.open_thread(message, event)

    async def close_thread(
        self, thread_id: int, event: EventRecord, moved_to: discord.Message | None
    ) -> None:
        """A discussion thread the event no longer uses: a last word on where the discussion
        goes on (the new announcement, or the channel), then archived. Kept, not deleted: what
        was said stays readable."""
        thread = self.bot.get_channel(thread_id)
        if not isinstance(thread, discord.Thread):
            return
        text = display.thread_closed_text(
            self.language(), event, moved_to.jump_url if moved_to else None
        )
        try:
            await thread.send(text, allowed_mentions=discord.AllowedMentions.none())
            await thread.edit(archived=True)
        except discord.HTTPException as exc:
            log.warning("could not close the thread of event %s: %s", event.id, exc)

    async def mark_moved(self, old: EventRecord, moved_to: discord.Message) -> None:
        """The announcement left behind: it says where the event is announced now, without
        buttons, so a link to it someone kept still leads there."""
        channel = self.bot.get_channel(old.channel_id)
        if old.message_id is None or not isinstance(channel, discord.abc.Messageable):
            return
        try:
            await channel.get_partial_message(old.message_id).edit(
                content=None,
                embed=display.moved_embed(self.language(), old, moved_to.jump_url),
                view=None,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:
            log.warning("could not mark event %s's old announcement moved: %s", old.id, exc)

    async def remove(self, message: discord.Message) -> None:
        """Take back an announcement whose event could not be stored."""
        try:
            await message.delete()
        except discord.HTTPException as exc:
            log.warning("could not remove announcement %s: %s", message.id, exc)

    @contextlib.contextmanager
    def answering(self, event_id: int) -> Iterator[None]:
        """Around storing one click; a stored click asks for the announcement's edit. While
        clicks are being stored the edit waits for them: a busy bot may take longer than the
        delay between storing two clicks of one burst."""
        self._in_flight[event_id] = self._in_flight.get(event_id, 0) + 1
        try:
            yield
            self.refresh_soon(event_id)
        finally:
            self._in_flight[event_id] -= 1
            if not self._in_flight[event_id]:
                del self._in_flight[event_id]

    def refresh_soon(self, event_id: int) -> None:
        """Edit the announcement once no click is being stored and none came for
        ``refresh_delay``: a burst, however long, is one edit after it (at most
        ``REFRESH_MAX_WAIT`` behind an endless stream)."""
        loop = asyncio.get_running_loop()
        self._last_request[event_id] = loop.time()
        if event_id not in self._refreshing:
            self._refreshing[event_id] = asyncio.create_task(
                self._refresh_later(event_id), name=f"s3cop-refresh-event-{event_id}"
            )

    async def _refresh_later(self, event_id: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(REFRESH_MAX_WAIT, self.refresh_delay)
        while loop.time() < deadline:
            due = self._last_request[event_id] + self.refresh_delay
            if due <= loop.time() and event_id not in self._in_flight:
                break
            await asyncio.sleep(max(min(due, deadline) - loop.time(), REFRESH_POLL))
        # A click from here on starts the next wait: its answer may be stored after this read.
        self._refreshing.pop(event_id, None)
        self._last_request.pop(event_id, None)
        event = await self.queries.find(event_id)
        if event is not None:
            await self.refresh(event)

    async def refresh(self, event: EventRecord) -> None:
        """Bring the announcement in line with the database."""
        if event.message_id is None:
            return
        channel = self.bot.get_channel(event.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return
        embed, view = await self.render(event)
        try:
            await channel.get_partial_message(event.message_id).edit(
                content=audience_line(event),
                embed=embed,
                view=view,
                allowed_mentions=audience_only(event),
            )
        except discord.HTTPException as exc:
            log.warning("could not update the announcement of event %s: %s", event.id, exc)

    # -- notices and DMs ----------------------------------------------------------------------

    async def notice_channel(self, event: EventRecord) -> discord.abc.Messageable | None:
        """Where reminders and notices go: the event's thread if it has one, else its channel
        (asked of Discord when not cached, e.g. an archived thread); None if both are gone."""
        for channel_id in filter(None, (event.thread_id, event.channel_id)):
            channel = self.bot.get_channel(channel_id)
            if channel is None:
                try:
                    channel = await self.bot.fetch_channel(channel_id)
                except (discord.NotFound, discord.Forbidden):
                    continue
            if isinstance(channel, discord.abc.Messageable):
                return channel
        log.warning("event %s has no channel left to post notices in", event.id)
        return None

    async def changed(self, new: EventRecord) -> None:
        """After an edit: the announcement (attendees are told by the service's notices)."""
        await self.refresh(new)

    async def cancelled(self, updated: EventRecord) -> None:
        """After a cancel: the announcement stays, marked (those who answered are told by the
        service's notices)."""
        await self.refresh(updated)

    # -- Discord's own events list ------------------------------------------------------------

    async def mirror(self, event: EventRecord) -> int | None:
        """Mirror the next occurrence as a guild scheduled event; report missing permission
        once. Returns the mirror's id as it should be stored now.

        Discord shows its events list to the whole server (an external event has no per-role
        visibility), so an event announced where @everyone cannot see (a private group's
        channel) gets no mirror, and loses the one it had."""
        existing = event.discord_event_id
        guild = self.bot.get_guild(event.guild_id)
        if guild is None:
            return existing
        if not self.queries.visible(event, None):
            return await self._unmirror(guild, existing)
        schedule, overrides = await self.queries.schedule_of(event)
        upcoming = (
            schedule.next_start(overrides, self.queries.now())
            if event.status == "scheduled"
            else None
        )
        try:
            if upcoming is None:
                # Cancelled: cancel the mirror. Under way or over: Discord's copy may stay.
                if existing and event.status == "cancelled":
                    scheduled = await guild.fetch_scheduled_event(existing)
                    await scheduled.cancel()
                    return None
                return existing
            options: dict[str, Any] = {
                "name": event.title[:100],
                "description": (event.description or "")[:1000],
                "start_time": upcoming.start,
                "end_time": upcoming.end,
                "location": (event.venue or event.link or "")[:100],
                "entity_type": discord.EntityType.external,
                "privacy_level": discord.PrivacyLevel.guild_only,
            }
            if existing:
                scheduled = await guild.fetch_scheduled_event(existing)
                await scheduled.edit(**options)
                return existing
            created = await guild.create_scheduled_event(**options)
            return created.id
        except discord.Forbidden:
            await self.bot.admin_log_once(
                guild, "manage-events", display.no_mirror_text(self.language())
            )
        except discord.NotFound:
            return None
        except discord.HTTPException as exc:
            log.warning("mirroring event %s failed: %s", event.id, exc)
        return existing

    async def _unmirror(self, guild: discord.Guild, existing: int | None) -> int | None:
        """Take a mirror out of Discord's events list; returns the id still to store."""
        if existing is None:
            return None
        try:
            await (await guild.fetch_scheduled_event(existing)).delete()
        except discord.NotFound:
            return None
        except discord.HTTPException as exc:
            log.warning("could not remove the mirror %s: %s", existing, exc)
            return existing
        return None
