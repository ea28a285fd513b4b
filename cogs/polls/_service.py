"""What polls change: storing and posting a poll with its planned close and reminder, the ballot
(opening, ranking step by step, casting with every rule checked again, a region's members told
in the same write), closing exactly once (scheduled or by hand), and the scheduled close and
reminder. Reads are ``_queries.py``'s, the poll message ``_announce.py``'s, what the member
reads ``_display.py``'s and answering them ``_views.py``'s. Nothing here logs who cast which
ballot.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from bot.scheduler import RunContext
from cogs.polls._announce import Announcer, key_prefix
from cogs.polls._display import (
    ballot_rules,
    choices_text,
    region_ballot_notice,
    reminder_text,
)
from cogs.polls._queries import PollQueries, unknown_poll
from cogs.polls._rules import check_ballot, check_electorate
from db.polls import (
    Cast,
    Elector,
    NewPoll,
    OpenBallots,
    PollClosedError,
    PollRecord,
    Polls,
    Voter,
    cast_ballot,
    close,
    open_ballots,
    set_message,
    unit_members,
    voter,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

CLOSE = "poll.close"
REMIND = "poll.remind"
SHOWN = "poll.shown"
SHOW_AGAIN_AFTER = timedelta(minutes=1)  # when a close is shown again, in case it was not


class NotInElectorateError(Exception):
    """The member is not in the poll's electorate (turned into a message naming it)."""

    def __init__(self, poll: PollRecord) -> None:
        super().__init__(poll.id)
        self.poll = poll


def closed_error() -> UserFacingError:
    return UserFacingError(_("This poll has closed: votes are no longer taken."))


class PollService:
    """The polls feature's behaviour, shared by its commands, components and scheduled actions."""

    def __init__(self, bot: S3Bot, queries: PollQueries, announce: Announcer) -> None:
        self.bot = bot
        self.queries = queries
        self.announce = announce
        self.polls = Polls(bot.db)
        self.members = bot.members
        # Open polls' electorates and the units that have voted, read once (see _open_ballots).
        self._open: dict[int, asyncio.Future[OpenBallots | None]] = {}
        self._voted: dict[int, set[str]] = {}

    def register(self) -> None:
        # A close never expires: after any outage the poll still closes, late, and says so once.
        self.bot.scheduler.register(CLOSE, self._on_close, expires=False)
        self.bot.scheduler.register(REMIND, self._on_remind)
        self.bot.scheduler.register(SHOWN, self._on_shown, expires=False)

    async def close_service(self) -> None:
        """Finish poll message edits still waiting."""
        await self.announce.close()

    def now(self) -> datetime:
        return self.bot.clock.now()

    def accepting(self, poll: PollRecord) -> bool:
        """Open, and its close time (if any) not reached: a vote a second late is refused even if
        the scheduled close has not run yet."""
        return poll.is_open and (poll.closes_at is None or self.now() < poll.closes_at)

    async def _commit(self, work: Callable[[sqlite3.Connection], T], *, batched: bool = False) -> T:
        """The one way polls' changes are stored: ``work`` in one transaction, then the
        scheduler re-armed if the plan changed. ``batched``: a ballot of a burst, its
        transaction shared with the others arriving meanwhile (``Database.batched``)."""
        store = self.bot.db.batched if batched else self.bot.db.write
        result = await store(work)
        await self.bot.scheduler.rearm_if_changed()
        return result

    # -- publishing ---------------------------------------------------------------------------

    async def publish(self, new: NewPoll, electors: list[Elector]) -> tuple[PollRecord, str]:
        """Store the poll with its close and reminder plan, and post it. If it cannot be posted,
        nothing stays stored. Returns the record and the message's link."""
        check_electorate(len({e.unit for e in electors}))
        now = self.now()

        def store(conn: sqlite3.Connection) -> PollRecord:
            poll = Polls.create(conn, new, electors, now)
            self.plan(conn, poll)
            return poll

        poll = await self._commit(store)
        channel = self.bot.get_channel(poll.channel_id)
        assert isinstance(channel, discord.abc.Messageable)
        embed, view, _files = await self.queries.render(poll)
        assert view is not None  # an open poll has its Vote button
        try:
            message = await channel.send(embed=embed, view=view)
        except discord.HTTPException:

            def undo(conn: sqlite3.Connection) -> None:
                self.bot.scheduler.cancel(conn, key_prefix(poll.id))
                Polls.delete(conn, poll.id)

            await self._commit(undo)
            raise UserFacingError(
                _(
                    "I can't post in {channel}: give me permission to send messages there, or "
                    "pick another channel."
                ),
                channel=f"<#{poll.channel_id}>",
            ) from None
        await self._commit(partial(set_message, poll_id=poll.id, message_id=message.id))
        return poll, message.jump_url

    def plan(self, conn: sqlite3.Connection, poll: PollRecord) -> None:
        """The scheduled close, and the reminder to members who have not voted (inside the
        write that stores the poll)."""
        if poll.closes_at is None:
            return
        self.bot.scheduler.plan(
            conn,
            guild_id=poll.guild_id,
            kind=CLOSE,
            key=f"{key_prefix(poll.id)}close",
            due_at=poll.closes_at,
            payload={"poll": poll.id},
        )
        if poll.remind_minutes:
            due = poll.closes_at - timedelta(minutes=poll.remind_minutes)
            if due > self.now():
                self.bot.scheduler.plan(
                    conn,
                    guild_id=poll.guild_id,
                    kind=REMIND,
                    key=f"{key_prefix(poll.id)}remind",
                    due_at=due,
                    payload={"poll": poll.id},
                )

    # -- showing ------------------------------------------------------------------------------

    # -- the ballot ---------------------------------------------------------------------------

    def _admit(self, guild_id: int | None, poll_id: int, found: Voter) -> tuple[PollRecord, str]:
        """The poll and the unit the member votes for, or why they cannot vote (runs in SQLite's
        thread too, inside the trip that stores a ballot)."""
        poll = found.poll
        if poll is None or poll.guild_id != guild_id:
            raise unknown_poll(poll_id)
        if not self.accepting(poll):
            raise closed_error()
        if found.unit is None:
            raise NotInElectorateError(poll)
        return poll, found.unit

    async def _open_ballots(self, poll_id: int) -> OpenBallots | None:
        """An open poll's electorate and the units that have voted, read once and then kept
        while it is open: when a thousand members press Vote at once, those who have not voted
        (nearly all of them) get their empty ballot without a trip to SQLite's thread, where
        each trip waits for the event loop (``bench/bench_poll_burst.py``). Casting adds the
        unit; closing forgets the poll. A ballot cast a moment ago by another member of the
        same region may be shown a moment late; what is stored is always read from the file."""
        pending = self._open.get(poll_id)
        if pending is None:
            voted = self._voted.setdefault(poll_id, set())  # casts meanwhile land here too

            async def load() -> OpenBallots | None:
                try:
                    found = await self.bot.db.read(open_ballots, poll_id)
                except Exception:
                    self._forget(poll_id)
                    raise
                if found is None:
                    self._forget(poll_id)
                else:
                    voted.update(found.voted)
                return found

            pending = self._open[poll_id] = asyncio.ensure_future(load())
        return await asyncio.shield(pending)

    def _forget(self, poll_id: int) -> None:
        self._open.pop(poll_id, None)
        self._voted.pop(poll_id, None)

    async def _voter(
        self, interaction: discord.Interaction[Any], poll_id: int
    ) -> tuple[PollRecord, str, tuple[int, ...] | None]:
        """The poll, the member's unit and its current ballot. A member whose unit has not
        voted needs only what :meth:`_open_ballots` keeps; otherwise one read through
        ``batched``, so a burst's reads share a few trips to SQLite's thread."""
        known = await self._open_ballots(poll_id)
        if (
            known is not None
            and known.poll.guild_id == interaction.guild_id
            and self.accepting(known.poll)
        ):
            unit = known.units.get(interaction.user.id)
            if unit is None:
                raise await self.queries.outsider(interaction, known.poll)
            if unit not in self._voted.get(poll_id, ()):
                return known.poll, unit, None
        found = await self._commit(
            partial(voter, poll_id=poll_id, user_id=interaction.user.id), batched=True
        )
        try:
            poll, unit = self._admit(interaction.guild_id, poll_id, found)
        except NotInElectorateError as outside:
            raise await self.queries.outsider(interaction, outside.poll) from None
        return poll, unit, found.current

    async def open_ballot(
        self, interaction: discord.Interaction[Any], poll_id: int
    ) -> tuple[PollRecord, str, tuple[int, ...] | None]:
        """The member's ballot to show: the poll, their unit and its current vote."""
        return await self._voter(interaction, poll_id)

    async def rank_step(
        self, interaction: discord.Interaction[Any], poll_id: int, picks: tuple[int, ...]
    ) -> tuple[PollRecord, str, tuple[int, ...] | None]:
        """One more pick (or a cleared ranking), checked against the poll: the ballot to show
        with the ranking so far."""
        poll, unit, current = await self._voter(interaction, poll_id)
        if (
            len(set(picks)) != len(picks)
            or any(not 0 <= p < len(poll.options) for p in picks)
            or len(picks) > poll.max_choices
        ):
            raise UserFacingError(_("That option is not in this poll."))
        return poll, unit, current

    async def cast(
        self, interaction: discord.Interaction[Any], poll_id: int, choices: list[int]
    ) -> Cast:
        """Check the ballot against every rule and store it (replacing the unit's earlier one);
        the member's view gives the receipt from what is returned. A refused ballot records
        nothing."""
        guild_id = interaction.guild_id
        by = interaction.user.id
        name = self.members.display_name(guild_id or 0, by)

        def decide(found: Voter) -> tuple[int, ...]:
            poll, _unit = self._admit(guild_id, poll_id, found)
            return check_ballot(ballot_rules(poll, open=True), choices)

        def store(conn: sqlite3.Connection) -> Cast:
            """The ballot, and for a region's ballot the DM to its other members, together."""
            done = cast_ballot(conn, poll_id=poll_id, user_id=by, decide=decide)
            if done.poll.electorate_kind == "region":
                self._tell_region(conn, done, by, name)
            return done

        try:
            done = await self._commit(store, batched=True)
        except NotInElectorateError as outside:
            raise await self.queries.outsider(interaction, outside.poll) from None
        except PollClosedError:
            raise closed_error() from None
        if done.poll.id in self._voted:
            self._voted[done.poll.id].add(done.unit)
        self.announce.request_refresh(done.poll.id)
        return done

    def _tell_region(self, conn: sqlite3.Connection, done: Cast, by: int, name: str) -> None:
        """Inside the ballot's write: the region's other members hear who cast or changed its
        ballot, and what it is now (a notice, bot/notices.py: sent once after the commit, and
        only to those who can still see the poll's channel)."""
        poll, unit = done.poll, done.unit
        choices = choices_text(poll, done.ballot)
        compose = partial(region_ballot_notice, name, unit, poll.question, choices, done.replaced)
        self.bot.notices.tell(
            conn,
            guild_id=poll.guild_id,
            about=f"poll:{poll.id}:region:{unit}",
            members=[u for u in unit_members(conn, poll.id, unit) if u != by],
            compose=compose,
            channel_id=poll.channel_id,
        )

    # -- closing ------------------------------------------------------------------------------

    async def finish(self, poll_id: int) -> PollRecord | None:
        """Close the poll (once, whoever asks first), cancel what was planned, and show the
        final results and the closing reply. Safe to call again: the message edit is the same
        each time, the reply is sent once.

        Showing the close is also stored with it, as an action a minute later: a process
        killed between the commit and the showing (or a Discord failure then) still shows it,
        when the action runs."""
        self._forget(poll_id)
        now = self.now()
        found = await self.queries.get(poll_id)
        if found is None:
            return None
        guild_id = found.guild_id

        def work(conn: sqlite3.Connection) -> bool:
            closed = close(conn, poll_id, now)
            if closed:
                self.bot.scheduler.cancel(conn, key_prefix(poll_id))
                self.bot.scheduler.plan(
                    conn,
                    guild_id=guild_id,
                    kind=SHOWN,
                    key=f"{key_prefix(poll_id)}shown",
                    due_at=now + SHOW_AGAIN_AFTER,
                    payload={"poll": poll_id},
                )
            return closed

        if await self._commit(work):
            await self.polls.truncate_log(poll_id)
            log.info("poll %s closed", poll_id)
        poll = await self.queries.get(poll_id)
        if poll is not None:
            await self.announce.show_closed(poll)
        return poll

    async def _on_close(self, ctx: RunContext) -> None:
        await self.finish(int(ctx.action.payload["poll"]))

    async def _on_shown(self, ctx: RunContext) -> None:
        """The close shown again: its final edit (the same), its reply (once in all)."""
        poll = await self.queries.get(int(ctx.action.payload["poll"]))
        if poll is not None and not poll.is_open:
            await self.announce.show_closed(poll)

    async def _dm(self, user_id: int, text: str, nonce: str) -> None:
        await self.members.dm(user_id, nonce=nonce, content=text)

    async def _on_remind(self, ctx: RunContext) -> None:
        """DM each member who has not voted yet (once each, even if the bot restarts mid-way)."""
        poll = await self.queries.get(int(ctx.action.payload["poll"]))
        if poll is None or not self.accepting(poll):
            return
        missing = await self.queries.non_voters(poll.id)
        languages = await self.members.languages(poll.guild_id, missing)
        for user_id, language in languages.items():
            text = reminder_text(language, poll)
            await ctx.once(f"dm:{user_id}", partial(self._dm, user_id, text))
