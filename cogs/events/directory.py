"""What other features may ask about events, read-only: a group's upcoming events for its
/group info. Other features reach events through this module only, never through its private
modules or its repository (``tests/unit/test_layout.py`` holds them to that)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db import events as stored
from db.events import EventRecord

if TYPE_CHECKING:
    from bot.client import S3Bot

__all__ = ["EventDirectory", "EventRecord"]


class EventDirectory:
    """Events as records."""

    def __init__(self, bot: S3Bot) -> None:
        self._bot = bot

    async def in_channel(self, guild_id: int, channel_id: int) -> list[EventRecord]:
        """The events announced in a channel, cancelled ones left out."""
        events = await self._bot.db.read(stored.in_guild, guild_id)
        return [e for e in events if e.channel_id == channel_id]
