"""Tell these members this, exactly once: notices that follow a change (a member moved up from a
waitlist, an event changed or cancelled, an application decided).

A feature calls :meth:`Notices.tell` inside the write that makes the change, so the notice is
stored in the same transaction as the change: either both are, or neither. The notice is a
scheduled action due at once (:mod:`bot.scheduler`); after the commit the scheduler sends it,
one DM per member, each made once with the message nonce of its once-key. A process killed
after the commit sends what is left when it starts again, and no DM twice (within the nonce
window; the scheduler's docstring says what happens after a longer outage).

The text is composed when the change is made (in every language the bot speaks, from what the
change knew, e.g. an event's old and new start), and each member gets it in their language when
it is sent. A notice about something posted in a channel names that channel: a member who can no
longer see it when the notice is sent is left out, so nothing of a private channel reaches those
outside it. Notices never expire: one due while the bot was down is sent when it is back, however
long that took (a member moved up from a waitlist must hear it).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from bot.i18n import SUPPORTED_LANGUAGES
from bot.scheduler import RunContext
from db import scheduled

if TYPE_CHECKING:
    from bot.client import S3Bot

log = logging.getLogger(__name__)

NOTICE = "notice"  # the scheduled actions' kind
MAX_LENGTH = 2000  # Discord's limit for a message's content
REMEMBERED = 256  # notices whose unreached members this process keeps, the latest


class Notices:
    """Notices to members, stored with the change they follow and sent once each."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        # Who each notice sent in this process could not reach (DMs closed), for
        # :meth:`unreached`; bounded, and kept in memory only: it serves a member still
        # waiting for their answer, which a restart ends anyway.
        self._unreached: OrderedDict[str, set[int]] = OrderedDict()
        self._sent: dict[str, asyncio.Event] = {}
        bot.scheduler.register(NOTICE, self._send, expires=False)

    def tell(
        self,
        conn: sqlite3.Connection,
        *,
        guild_id: int,
        about: str,
        members: Iterable[int],
        compose: Callable[[str], str],
        channel_id: int | None = None,
    ) -> str | None:
        """Inside the caller's write: DM each of ``members`` ``compose(their language)`` once.

        ``about`` names the change for the log and the once-keys (``event:12:promoted``); each
        call is a new notice, so a member moved up twice hears it twice. With ``channel_id``,
        only members who can see that channel when it is sent get it. Call the scheduler's
        ``rearm_if_changed`` after the commit (a feature's one exit does). Returns the notice's
        key (for :meth:`unreached`), None when there was nobody to tell."""
        told = list(dict.fromkeys(members))
        if not told:
            return None
        texts = {language: compose(language)[:MAX_LENGTH] for language in SUPPORTED_LANGUAGES}
        # The n-th notice about this: a key no other notice has (the write holds the database).
        prefix = f"notice:{about}:"
        key = f"{prefix}{scheduled.count_prefix(conn, prefix) + 1}"
        self.bot.scheduler.plan(
            conn,
            guild_id=guild_id,
            kind=NOTICE,
            key=key,
            due_at=self.bot.clock.now(),
            payload={"members": told, "texts": texts, "channel": channel_id},
        )
        return key

    async def unreached(self, key: str, timeout: float) -> set[int] | None:  # noqa: ASYNC109
        """The members the notice ``key`` could not DM (DMs closed, or gone), once this process
        has sent it; None if it was not sent within ``timeout`` seconds. For telling whoever
        made the change, in their answer, that someone was not told (their DMs are closed)."""
        if key not in self._unreached:
            sent = self._sent.setdefault(key, asyncio.Event())
            try:
                await asyncio.wait_for(sent.wait(), timeout)
            except TimeoutError:
                return None
            finally:
                if not sent.is_set():
                    self._sent.pop(key, None)
        return set(self._unreached.get(key, ()))

    def _settle(self, key: str, unreached: set[int]) -> None:
        self._unreached[key] = unreached
        while len(self._unreached) > REMEMBERED:
            self._unreached.popitem(last=False)
        sent = self._sent.pop(key, None)
        if sent is not None:
            sent.set()

    async def _send(self, ctx: RunContext) -> None:
        """The scheduled send: one DM per member who may still read it, once each."""
        guild_id = ctx.action.guild_id
        payload = ctx.action.payload
        members = [int(m) for m in payload["members"]]
        channel_id = payload.get("channel")
        if channel_id is not None:
            members = [m for m in members if self.bot.members.sees(guild_id, channel_id, m)]
        texts: dict[str, str] = payload["texts"]
        fallback = texts.get(self.bot.default_language) or next(iter(texts.values()))
        languages = await self.bot.members.languages(guild_id, members)
        unreached: set[int] = set()

        async def dm(member: int, text: str, nonce: str) -> None:
            if not await self.bot.members.dm_once(member, text, nonce):
                unreached.add(member)

        await ctx.once_each(
            (f"dm:{member}", partial(dm, member, texts.get(language, fallback)))
            for member, language in languages.items()
        )
        self._settle(ctx.action.dedupe_key, unreached)
