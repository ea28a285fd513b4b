"""Keeping Discord in step with a poll as stored: the poll message (one edit for a burst of
votes) and the reply under it that says the poll closed. Writes nothing."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.client import S3Bot
from bot.i18n import _, translate
from cogs.polls._queries import PollQueries
from db.polls import PollRecord

log = logging.getLogger(__name__)


def key_prefix(poll_id: int) -> str:
    """Every scheduled action (and once-send) of one poll has a key starting with this."""
    return f"poll:{poll_id}:"


class Announcer:
    """The poll message and its closing reply."""

    def __init__(self, bot: S3Bot, queries: PollQueries) -> None:
        self.bot = bot
        self.queries = queries
        self._refreshing: dict[int, asyncio.Task[None]] = {}
        # seconds: a burst of votes becomes one edit of the poll message
        self.refresh_delay = bot.settings.polls.message_refresh_seconds

    async def close(self) -> None:
        """Finish poll message edits still waiting."""
        for task in list(self._refreshing.values()):
            await task

    def request_refresh(self, poll_id: int) -> None:
        """Edit the poll message soon; requests meanwhile share the one edit."""
        if poll_id in self._refreshing:
            return
        self._refreshing[poll_id] = asyncio.create_task(
            self._refresh_later(poll_id), name=f"s3cop-refresh-poll-{poll_id}"
        )

    async def _refresh_later(self, poll_id: int) -> None:
        await asyncio.sleep(self.refresh_delay)
        self._refreshing.pop(poll_id, None)
        poll = await self.queries.get(poll_id)
        if poll is not None and poll.is_open:
            await self.refresh(poll)

    async def refresh(self, poll: PollRecord) -> None:
        """Bring the poll message in line with the database."""
        if poll.message_id is None:
            return
        channel = self.bot.get_channel(poll.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return
        embed, view, files = await self.queries.render(poll)
        try:
            await channel.get_partial_message(poll.message_id).edit(
                embed=embed, view=view, attachments=files
            )
        except discord.HTTPException as exc:
            log.warning("could not update the message of poll %s: %s", poll.id, exc)

    async def show_closed(self, poll: PollRecord) -> None:
        """A closed poll in Discord: its message with the final results, and the reply under
        it."""
        await self.refresh(poll)
        await self.tell_closed(poll)

    async def tell_closed(self, poll: PollRecord) -> None:
        """A short reply to the poll message, so the channel hears that it closed and where the
        results are: once, under its once-key, whoever closed it and however often this runs
        (a scheduled close re-run after a restart sends it with the same message nonce, and
        Discord returns the first one)."""
        if poll.is_open or poll.message_id is None:
            return
        channel = self.bot.get_channel(poll.channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return
        message = channel.get_partial_message(poll.message_id)
        text = translate(
            self.queries.guild_language(),
            _("🔒 Poll #{id} has closed: **{question}**. The results are in its message: {link}"),
            id=poll.id,
            question=poll.question,
            link=message.jump_url,
        )

        async def send(nonce: str) -> None:
            await channel.send(
                text,
                reference=message.to_reference(fail_if_not_exists=False),
                mention_author=False,
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=nonce,
            )

        try:
            await self.bot.scheduler.once(f"{key_prefix(poll.id)}closed", poll.guild_id, send)
        except discord.HTTPException as exc:
            log.warning("could not say in its channel that poll %s closed: %s", poll.id, exc)
