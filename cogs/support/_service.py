"""What support requests do, apart from the commands that ask for it.

A request is written to the database first, with a retry planned, and only then posted
(private thread, card, notes thread): when Discord fails half-way, the retry finishes what is
missing, and finds a thread a lost answer left behind instead of opening a second one. Every
write goes through :meth:`SupportService._commit`, one exit that runs it in one transaction
and then re-arms the scheduler if it planned anything; a state change (:meth:`_change`) writes
the change (only if nobody changed the request meanwhile), its history row, the next nudge and
the requester's DM about it (a notice, bot/notices.py) together: a process killed after the
commit still sends the DM, once.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from bot.scheduler import RunContext, nonce_for
from cogs.support import _rules as rules
from cogs.support._announce import Announcer
from cogs.support._display import change_dm, change_text, opened_dm, thread_name
from cogs.support._queries import SupportQueries, as_rules
from cogs.support._rules import (
    Actor,
    BusinessCalendar,
    Draft,
    NudgePolicy,
    NudgeTarget,
    Request,
    Status,
    check_may_request,
    check_outcome,
    next_nudge,
    nudge_at,
    nudge_key,
    nudge_prefix,
)
from db.support import NewRequest, StateChange, SupportLimits, SupportRequest, SupportRequests

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

POST = "support.post"
NUDGE = "support.nudge"
SHOWN = "support.shown"
SHOW_AGAIN_AFTER = timedelta(minutes=1)  # when a change is shown again, in case it was not
POST_RETRY = timedelta(minutes=1)  # the first retry of a posting that failed
POST_RETRY_MAX = timedelta(hours=6)
POST_ATTEMPTS = 20
STAFF_ADDED = 25  # secretariat members added to each thread by name (the rest see it by role)


def post_prefix(request_id: int) -> str:
    return f"support:{request_id}:post:"


class SupportService:
    """Support's behaviour, shared by its commands, buttons, listeners and scheduled actions."""

    def __init__(self, bot: S3Bot, queries: SupportQueries) -> None:
        self.bot = bot
        self.queries = queries
        self.announce = Announcer(bot)
        settings = bot.settings.support
        opens, closes = settings.hours()
        self.calendar = BusinessCalendar(
            bot.default_timezone,
            opens,
            closes,
            settings.holidays_country,
            settings.holidays_subdivision,
        )
        self.policy = NudgePolicy(
            timedelta(hours=settings.unclaimed_nudge_hours),
            timedelta(hours=settings.claimed_nudge_hours),
            timedelta(hours=settings.nudge_every_hours),
        )
        self.reopen_window = timedelta(days=settings.reopen_days)
        self._posting: dict[int, asyncio.Lock] = {}

    def register(self) -> None:
        self.bot.scheduler.register(POST, self._on_post)
        self.bot.scheduler.register(NUDGE, self._on_nudge)
        self.bot.scheduler.register(SHOWN, self._on_shown, expires=False)

    def now(self) -> datetime:
        return self.bot.clock.now()

    async def _commit(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """The one way support's changes are stored: ``fn`` in one transaction, then the
        scheduler re-armed if it planned or cancelled anything."""
        result = await self.bot.db.write(fn, *args, **kwargs)
        await self.bot.scheduler.rearm_if_changed()
        return result

    # -- asking -------------------------------------------------------------------------------

    async def create(self, member: discord.Member, draft: Draft) -> tuple[SupportRequest, bool]:
        """Store the request (with its retry and first nudge), then post it. Returns the
        request and whether its thread, card and notes all exist already."""
        guild = member.guild
        limits = await self.queries.limits(guild)
        now = self.now()
        excluded = any(r.id in limits.excluded_role_ids for r in member.roles)
        secretariat = self.queries.actor(member).secretariat
        new = NewRequest(
            guild.id, member.id, draft.topic, draft.need, draft.region, draft.group, draft.language
        )

        def store(conn: sqlite3.Connection) -> SupportRequest:
            """Check the limit and write the request, its retry and its first nudge at once."""
            check_may_request(
                excluded=excluded,
                open_count=SupportRequests.count_open(conn, guild.id, member.id),
                max_open=limits.max_open,
                is_secretariat=secretariat,
            )
            request_id = SupportRequests.insert(conn, new, now)
            self._plan_post(conn, guild.id, request_id, 0, now + POST_RETRY)
            stored = SupportRequests.select(conn, request_id)
            assert stored is not None
            self._plan_nudge(conn, stored, after=now)
            return stored

        record = await self._commit(store)
        posted = await self.ensure_posted(record.id)
        return await self.queries.load(record.id), posted

    def _plan_post(
        self, conn: sqlite3.Connection, guild_id: int, request_id: int, attempt: int, due: datetime
    ) -> None:
        self.bot.scheduler.plan(
            conn,
            guild_id=guild_id,
            kind=POST,
            key=f"{post_prefix(request_id)}{attempt}",
            due_at=due,
            payload={"request": request_id, "attempt": attempt},
        )

    def _lock(self, request_id: int) -> asyncio.Lock:
        return self._posting.setdefault(request_id, asyncio.Lock())

    async def ensure_posted(self, request_id: int) -> bool:
        """Create whatever of thread, card and notes thread is missing; True when all exist.

        Safe to call again at any time (a retry, a restart, a thread an admin deleted): what
        exists is kept, and a thread whose creation answer was lost is found by its name.
        """
        async with self._lock(request_id):
            record = await self.queries.load(request_id)
            guild = self.bot.get_guild(record.guild_id)
            if guild is None:
                return False
            try:
                thread = await self._ensure_thread(guild, record)
                if thread is None:
                    return False
                record = await self.queries.load(request_id)
                if record.card_message_id is None:
                    # One card, also when a crash came between posting it and storing where it is.
                    card = await self.announce.post_card(
                        guild, record, nonce=nonce_for(f"support:{record.id}:card")
                    )
                    if card is None:
                        return False
                    await self._card_at(record, card)
                    record = await self.queries.load(request_id)
                notes = await self.announce.thread(guild, record.notes_thread_id)
                if notes is None:
                    await self._open_notes(guild, record)
                elif not record.posted:  # a crash may have come between the thread and its line
                    await self._notes_opening_once(guild, notes, record)
                if not record.posted:
                    await self._tell_staff_new(guild, record)
            except discord.Forbidden:
                await self.announce.admin(
                    guild,
                    f"{request_id}:forbidden",
                    _(
                        "I could not open support request #{id}: I need View Channel, Send "
                        "Messages, Create Private Threads, Create Public Threads and Send "
                        "Messages in Threads in {support} and {triage}. I will retry."
                    ),
                    id=request_id,
                    support=self.bot.settings.support.channel,
                    triage=self.bot.settings.support.triage_channel,
                )
                return False
            except discord.HTTPException as exc:
                log.warning("posting support request %s failed: %s", request_id, exc)
                return False
            if not record.posted:

                def posted(conn: sqlite3.Connection) -> None:
                    """Posted, and the requester's courtesy DM stored with it."""
                    SupportRequests.mark_posted(conn, request_id)
                    self.bot.scheduler.cancel(conn, post_prefix(request_id))
                    self._tell_requester(conn, record, "opened", opened_dm(record))

                await self._commit(posted)
            return True

    async def _tell_staff_new(self, guild: discord.Guild, record: SupportRequest) -> None:
        """The triage channel's line about a new request, once (before the request counts as
        posted, so a retry after a crash still says it, and never twice)."""
        await self.bot.scheduler.once(
            f"support:{record.id}:new", guild.id, partial(self.announce.tell_new, guild, record)
        )

    async def _ensure_thread(
        self, guild: discord.Guild, record: SupportRequest
    ) -> discord.Thread | None:
        """The request's private thread: kept, found again, or opened (and its opening sent)."""
        restored = False
        if record.thread_id is not None:
            found = await self.announce.thread(guild, record.thread_id)
            if found is not None:
                if not record.posted:  # a crash may have come between the thread and its opening
                    await self._welcome_once(guild, found, record, restored=False)
                return found
            restored = True
            await self.announce.admin(
                guild,
                f"{record.id}:thread-lost:{record.thread_id}",
                _(
                    "The private thread of support request #{id} was deleted; I opened a new "
                    "one. Messages in the old thread are gone unless the request was resolved "
                    "before (its transcript is kept)."
                ),
                id=record.id,
            )
        parent = self.announce.channel(guild, self.bot.settings.support.channel)
        if parent is None:
            await self.announce.admin(
                guild,
                "no-support-channel",
                _(
                    "Support requests need the channel {channel} (setting support.channel) for "
                    "their private threads: create it. Request #{id} waits for it."
                ),
                channel=self.bot.settings.support.channel,
                id=record.id,
            )
            return None
        name = thread_name(record)
        # A thread whose creation answer never arrived has this name: use it, don't make two.
        thread = None if restored else next((t for t in parent.threads if t.name == name), None)
        if thread is None:
            made = await parent.create_thread(
                name=name,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
            thread = await self._one_thread(guild, parent, made, record)
        await self._commit(SupportRequests.set_places, record.id, thread_id=thread.id)
        await self._welcome_once(guild, thread, record, restored=restored)
        return thread

    async def _welcome_once(
        self,
        guild: discord.Guild,
        thread: discord.Thread,
        record: SupportRequest,
        *,
        restored: bool,
    ) -> None:
        await self.bot.scheduler.once(
            f"support:{record.id}:opening:{thread.id}",
            guild.id,
            lambda nonce: self._welcome(guild, thread, record, restored=restored, nonce=nonce),
        )

    async def _one_thread(
        self,
        guild: discord.Guild,
        parent: discord.TextChannel,
        made: discord.Thread,
        record: SupportRequest,
    ) -> discord.Thread:
        """The request's one thread. When Discord made it but its answer was lost, discord.py
        asked again and Discord made a second: keep the first, delete the others."""
        me = guild.me.id
        same = sorted(
            {
                t.id: t for t in [*parent.threads, made] if t.name == made.name and t.owner_id == me
            }.values(),
            key=lambda t: t.id,
        )
        for extra in same[1:]:
            try:
                await extra.delete()
            except discord.HTTPException:
                await self.announce.admin(
                    guild,
                    f"{record.id}:extra-thread:{extra.id}",
                    _(
                        "Support request #{id} got a second thread {thread} when Discord "
                        "answered late; please delete it (I need Manage Threads to)."
                    ),
                    id=record.id,
                    thread=extra.mention,
                )
        return same[0]

    async def _welcome(
        self,
        guild: discord.Guild,
        thread: discord.Thread,
        record: SupportRequest,
        *,
        restored: bool,
        nonce: str,
    ) -> None:
        """Add the requester and the secretariat to a new thread and post the opening."""
        await thread.add_user(discord.Object(record.requester_id))
        role = self.bot.find_role(guild, self.bot.settings.roles.secretariat)
        for staff in (role.members if role else [])[:STAFF_ADDED]:
            if staff.id != record.requester_id:
                await thread.add_user(staff)
        await self.announce.opening(thread, record, restored=restored, nonce=nonce)

    async def _open_notes(self, guild: discord.Guild, record: SupportRequest) -> None:
        """The staff-only notes thread, started from the card in the (secretariat) triage
        channel: never in the requester's thread."""
        notes = await self.announce.open_notes(guild, record)
        if notes is not None:
            await self._commit(SupportRequests.set_places, record.id, notes_thread_id=notes.id)
            await self._notes_opening_once(guild, notes, record)

    async def _notes_opening_once(
        self, guild: discord.Guild, notes: discord.Thread, record: SupportRequest
    ) -> None:
        await self.bot.scheduler.once(
            f"support:{record.id}:notes:{notes.id}",
            guild.id,
            partial(self.announce.notes_opening, notes, record),
        )

    async def _on_post(self, ctx: RunContext) -> None:
        """A planned retry of posting; plans the next one while it keeps failing."""
        request_id = int(ctx.action.payload["request"])
        attempt = int(ctx.action.payload["attempt"])
        record = await self.queries.get(request_id)
        if record is None or (record.posted and await self._places_exist(record)):
            return
        if await self.ensure_posted(request_id):
            return
        if attempt + 1 >= POST_ATTEMPTS:
            guild = self.bot.get_guild(record.guild_id)
            if guild is not None:
                await self.announce.admin(
                    guild,
                    f"{request_id}:gave-up",
                    _("I gave up opening support request #{id}; please look at it by hand."),
                    id=request_id,
                )
            return
        due = self.now() + min(POST_RETRY * 2 ** (attempt + 1), POST_RETRY_MAX)
        await self._commit(self._plan_post, record.guild_id, request_id, attempt + 1, due)

    async def _card_at(self, record: SupportRequest, card: discord.Message) -> None:
        await self._commit(
            SupportRequests.set_places,
            record.id,
            card_channel_id=card.channel.id,
            card_message_id=card.id,
        )

    async def refresh_card(self, guild: discord.Guild, record: SupportRequest) -> None:
        """The card shows the request's state; a card deleted by hand is posted again."""
        card = await self.announce.refresh_card(guild, record)
        if card is not None:
            await self._card_at(record, card)

    async def card_deleted(self, guild: discord.Guild, message_id: int) -> None:
        record = await self.queries.by_card(message_id)
        if record is not None:
            await self.refresh_card(guild, record)

    async def _places_exist(self, record: SupportRequest) -> bool:
        guild = self.bot.get_guild(record.guild_id)
        return guild is not None and await self.announce.thread(guild, record.thread_id) is not None

    # -- handling -----------------------------------------------------------------------------

    async def _change(
        self,
        record: SupportRequest,
        after: Request,
        actor: Actor,
        action: str | None,
        *,
        outcome: str | None = None,
    ) -> SupportRequest | None:
        """Write a decided change, its history and its next nudge; None if the request changed
        meanwhile (the caller decides again on a fresh copy)."""
        now = self.now()
        change = StateChange(
            status=after.status.value,
            claimed_by=after.claimed_by,
            claimed_at=after.claimed_at,
            resolved_at=after.resolved_at,
            awaiting_staff_since=after.awaiting_staff_since,
            actor_id=actor.id,
            action=action,
            resolved_by=actor.id if after.status == Status.RESOLVED else None,
            outcome=outcome,
        )

        def write(conn: sqlite3.Connection) -> SupportRequest | None:
            """The change, its history row, the nudges of the new state and the requester's
            DM about it, together."""
            if not SupportRequests.change(conn, record, change, now):
                return None
            self.bot.scheduler.cancel(conn, nudge_prefix(record.id))
            stored = SupportRequests.select(conn, record.id)
            assert stored is not None
            self._plan_nudge(conn, stored, after=now)
            if action is not None:
                self._tell_requester(conn, stored, action, change_dm(stored, action, actor.id))
                self.bot.scheduler.plan(
                    conn,
                    guild_id=stored.guild_id,
                    kind=SHOWN,
                    key=f"support:{stored.id}:shown:{stored.version}",
                    due_at=now + SHOW_AGAIN_AFTER,
                    payload={
                        "request": stored.id,
                        "version": stored.version,
                        "action": action,
                        "actor": actor.id,
                        "text": change_text(stored, action, actor.id),
                    },
                )
            return stored

        return await self._commit(write)

    def _tell_requester(
        self, conn: sqlite3.Connection, record: SupportRequest, about: str, text: str
    ) -> None:
        """Inside the write: the requester's courtesy DM about it, sent once after the commit
        (bot/notices.py). It is in the language they asked to be answered in, whatever their
        Discord's; the thread says it all too, so a closed DM loses nothing."""
        self.bot.notices.tell(
            conn,
            guild_id=record.guild_id,
            about=f"support:{record.id}:{about}",
            members=[record.requester_id],
            compose=lambda _language: text,
        )

    async def _decide(
        self,
        request_id: int,
        guild_id: int,
        decide: Any,
        actor: Actor,
        action: str,
        *,
        outcome: str | None = None,
    ) -> SupportRequest:
        """Decide with the rules and commit; on a clash decide again on what is stored now."""
        for _attempt in range(5):
            record = await self.queries.load(request_id, guild_id)
            stored = await self._change(
                record, decide(as_rules(record)), actor, action, outcome=outcome
            )
            if stored is not None:
                return stored
        raise UserFacingError(
            _("Request #{id} is changing right now; please try again."), id=request_id
        )

    async def claim(self, guild_id: int, request_id: int, actor: Actor) -> SupportRequest:
        now = self.now()
        return await self._decide(
            request_id, guild_id, lambda r: rules.claim(r, actor, now), actor, "claim"
        )

    async def hand_over(
        self, guild_id: int, request_id: int, actor: Actor, to: Actor
    ) -> SupportRequest:
        now = self.now()
        return await self._decide(
            request_id, guild_id, lambda r: rules.hand_over(r, actor, to, now), actor, "hand_over"
        )

    async def resolve(
        self, guild_id: int, request_id: int, actor: Actor, outcome: str
    ) -> SupportRequest:
        outcome = check_outcome(outcome)
        now = self.now()
        return await self._decide(
            request_id,
            guild_id,
            lambda r: rules.resolve(r, actor, now),
            actor,
            "resolve",
            outcome=outcome,
        )

    async def reopen(self, guild_id: int, request_id: int, actor: Actor) -> SupportRequest:
        now = self.now()
        return await self._decide(
            request_id,
            guild_id,
            lambda r: rules.reopen(r, actor, now, self.reopen_window),
            actor,
            "reopen",
        )

    async def after_change(
        self, guild: discord.Guild, record: SupportRequest, action: str, actor_id: int
    ) -> None:
        """Card and thread right after a change (the DM was stored with the change, and so
        was :meth:`_on_shown`, which does this again a minute later in case it was not)."""
        text = change_text(record, action, actor_id)
        await self._show_change(guild, record, action, actor_id, record.version, text)

    async def _on_shown(self, ctx: RunContext) -> None:
        """A change shown again: what was done is not done twice (the posts go under their
        once-keys, the card and the thread members are the same)."""
        payload = ctx.action.payload
        record = await self.queries.get(int(payload["request"]))
        guild = self.bot.get_guild(record.guild_id) if record is not None else None
        if record is None or guild is None:
            return
        await self._show_change(
            guild,
            record,
            str(payload["action"]),
            int(payload["actor"]),
            int(payload["version"]),
            str(payload["text"]),
        )

    async def _show_change(
        self,
        guild: discord.Guild,
        record: SupportRequest,
        action: str,
        actor_id: int,
        version: int,
        text: str,
    ) -> None:
        """The change ``version`` of the request in Discord: a deleted thread is opened again
        first; the claimer joins the thread; the card shows the request as it is; the thread
        says ``text`` and a reopen is told to the triage channel, each once."""
        thread = await self.announce.thread(guild, record.thread_id)
        if record.thread_id is not None and thread is None:
            await self.ensure_posted(record.id)
            record = await self.queries.load(record.id)
            thread = await self.announce.thread(guild, record.thread_id)
        if thread is not None and action in ("claim", "hand_over") and record.claimed_by:
            try:
                await thread.add_user(discord.Object(record.claimed_by))
            except discord.HTTPException as exc:
                log.warning("could not add the claimer to request %s: %s", record.id, exc)
        await self.refresh_card(guild, record)
        try:
            if thread is not None:
                await self.bot.scheduler.once(
                    f"support:{record.id}:told:{version}",
                    guild.id,
                    partial(self.announce.tell, thread, record, action, text),
                )
            if action == "reopen":
                await self.bot.scheduler.once(
                    f"support:{record.id}:reopened:{version}",
                    guild.id,
                    partial(self.announce.tell_reopened, guild, record, actor_id),
                )
        except discord.HTTPException as exc:  # tried again when the change is shown again
            log.warning("could not tell the change of request %s: %s", record.id, exc)

    async def note_message(self, message: discord.Message) -> None:
        """A message in a request's thread moves its waiting clock (staff answered, or the
        requester wrote again), which re-plans its nudges."""
        record = await self.queries.by_thread(message.channel.id)
        if record is None or record.thread_id != message.channel.id:
            return
        before = as_rules(record)
        after = rules.note_message(before, self.queries.actor(message.author), message.created_at)
        if after != before:
            await self._change(record, after, self.queries.actor(message.author), None)

    # -- nudges -------------------------------------------------------------------------------

    def _plan_nudge(
        self, conn: sqlite3.Connection, record: SupportRequest, *, after: datetime
    ) -> None:
        """Plan the request's next nudge (none when it is resolved or nobody waits)."""
        request = as_rules(record)
        nudge = next_nudge(request, self.calendar, self.policy, after)
        if nudge is None:
            return
        self.bot.scheduler.plan(
            conn,
            guild_id=record.guild_id,
            kind=NUDGE,
            key=nudge_key(request, nudge.step),
            due_at=nudge.due_at,
            payload={"request": record.id, "version": record.version, "step": nudge.step},
        )

    async def _on_nudge(self, ctx: RunContext) -> None:
        payload = ctx.action.payload
        record = await self.queries.get(int(payload["request"]))
        if record is None or record.version != int(payload["version"]):
            return  # the request changed since: its new state planned its own nudges
        request = as_rules(record)
        step = int(payload["step"])
        nudge = nudge_at(request, step, self.calendar, self.policy)
        guild = self.bot.get_guild(record.guild_id)
        if nudge is None or guild is None:
            return
        await ctx.once(
            "nudge", lambda nonce: self.announce.nudge(guild, record, nudge, nonce=nonce)
        )
        if nudge.target == NudgeTarget.CLAIMER:
            await ctx.once("nudge-dm", partial(self.announce.nudge_dm, record))
        following = nudge_at(request, step + 1, self.calendar, self.policy)
        if following is None:
            return
        await self._commit(
            partial(
                self.bot.scheduler.plan,
                guild_id=record.guild_id,
                kind=NUDGE,
                key=nudge_key(request, following.step),
                due_at=following.due_at,
                payload={"request": record.id, "version": record.version, "step": following.step},
            )
        )

    async def replan(self) -> None:
        """At start-up: every open request's next nudge, every unposted request's retry (a
        nudge missed while the bot was away is not sent late twice: the plan moves on)."""
        now = self.now()
        unfinished = await self.queries.unfinished()
        if not unfinished:
            return

        def plan(conn: sqlite3.Connection) -> None:
            for record in unfinished:
                if record.status != Status.RESOLVED:
                    self._plan_nudge(conn, record, after=now)
                if not record.posted:
                    self._plan_post(conn, record.guild_id, record.id, 0, now)

        await self._commit(plan)

    # -- transcripts --------------------------------------------------------------------------

    async def keep_transcript(
        self, guild: discord.Guild, record: SupportRequest
    ) -> tuple[int, int]:
        """Keep the thread's messages and files not kept yet; returns how many of each the
        request has kept in all."""
        kept = await self.queries.kept_attachment_ids(record.id)
        copied = await self.announce.copy_transcript(guild, record, kept)
        if copied is not None:
            messages, files = copied
            await self._commit(SupportRequests.keep_transcript, record.id, messages, files)
        return await self.queries.kept(record.id)

    # -- the secretariat's settings -----------------------------------------------------------

    async def set_limits(
        self,
        guild: discord.Guild,
        actor_id: int,
        *,
        max_open: int | None,
        exclude: discord.Role | None,
        include: discord.Role | None,
    ) -> SupportLimits:
        current = await self.queries.limits(guild)
        excluded = set(current.excluded_role_ids)
        if exclude is not None:
            excluded.add(exclude.id)
        if include is not None:
            excluded.discard(include.id)
        limits = replace(
            current,
            max_open=max_open if max_open is not None else current.max_open,
            excluded_role_ids=frozenset(excluded),
        )
        await self._commit(SupportRequests.set_limits, guild.id, limits, actor_id, self.now())
        return limits
