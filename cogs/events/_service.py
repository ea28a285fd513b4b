"""What events do to the stored state: create, edit, cancel, answer, move up the waitlist, keep
the mirror's id; and the scheduled actions that remind and roll a series on.

Every change leaves through :meth:`EventService._commit`: one transaction, then the scheduler
re-armed if the plan changed, so no caller can forget either. Commands and buttons answer the
member themselves from what these methods return; keeping Discord in step is the announcer's.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from bot.scheduler import RunContext
from cogs.events import _display as display
from cogs.events._announce import Announcer
from cogs.events._queries import EventQueries, schedule_from, unknown_event
from cogs.events._rules import (
    CANCEL_TOLD,
    CHANGED_SINCE_ASKED,
    EDIT_OVERTAKEN,
    KEEP,
    WAITLIST,
    Occurrence,
    Override,
    Schedule,
    decide_rsvp,
    free_seats,
    offsets_from_text,
    over_capacity,
    reminder_plan,
    renamed_occurrences,
    still_open,
)
from db import events as stored
from db.events import EventRecord, OverrideRecord

log = logging.getLogger(__name__)

# The scheduled actions' kinds (handlers registered in setup()).
REMIND = "event.remind"
START = "event.start"
END = "event.end"  # the last date is over: the announcement is redrawn without its buttons

T = TypeVar("T")


def key_prefix(event_id: int) -> str:
    """Every scheduled action of one event has a key starting with this."""
    return f"event:{event_id}:"


@dataclass(frozen=True)
class Edit:
    """An /event edit of the whole event, checked: the event before and after (``new`` names
    the channel it is to be announced in), the date shown, and what else to do with the
    announcement (``channel``: post it anew there; ``thread``: open or close its thread)."""

    old: EventRecord
    new: EventRecord
    before: Occurrence
    channel: discord.abc.Snowflake | None = None
    thread: bool | None = None


@dataclass(frozen=True)
class Edited:
    """What an edit stored: the event as it now is, the date shown, and the new announcement
    when it moved."""

    event: EventRecord
    shown: Occurrence
    announcement: discord.Message | None


@dataclass(frozen=True)
class Answered:
    """What storing an answer did: the member's reply and the follow-up are made from it."""

    event: EventRecord
    occurrence: Occurrence
    stored: str
    promoted: tuple[int, ...]
    position: int  # the member's place on the waitlist (0: not on it)


def record_answer(
    conn: sqlite3.Connection,
    *,
    guild_id: int,
    event_id: int,
    occurrence: str,
    user_id: int,
    wanted: str,
    now: datetime,
) -> Answered:
    """In SQLite's thread: check the occurrence is open, decide with the rules, store."""
    event = stored.get(conn, guild_id=guild_id, event_id=event_id)
    if event is None:
        raise unknown_event(event_id)
    schedule, overrides = schedule_from(event, stored.overrides(conn, event_id))
    found = schedule.find(overrides, occurrence)
    if event.status != "scheduled":
        raise UserFacingError(
            _("**{title}** was cancelled; answers are closed."), title=event.title
        )
    if found is None:
        raise UserFacingError(
            _("That date is no longer part of **{title}**: answer on its announcement."),
            title=event.title,
        )
    if found.cancelled:
        raise UserFacingError(
            _(
                "**{title}** on <t:{start}:F> was cancelled; answers for it are closed. Its "
                "announcement shows the next date."
            ),
            title=event.title,
            start=int(found.start.timestamp()),
        )
    if found.end <= now:
        raise UserFacingError(_("This event is over; answers are closed."))
    occurrence = found.key  # the stored form, whatever key the button carried
    previous = stored.rsvp_of(conn, event_id, occurrence, user_id)
    going = stored.going_count(conn, event_id, occurrence)
    # Only a member giving up a seat moves anyone up: only then is the waitlist's head read
    # (reading the whole waitlist on every click made a burst quadratic).
    frees_seat = previous == "going" and wanted != "going"
    head = free_seats(event.capacity, going - 1) if frees_seat else 0
    decision = decide_rsvp(
        previous=previous,
        wanted=wanted,
        capacity=event.capacity,
        going_count=going,
        waitlist=stored.waitlist(conn, event_id, occurrence, limit=head) if head else (),
    )
    position = 0
    if decision.stored == "waitlist":
        position = stored.waitlist_place(conn, event_id, occurrence, user_id)
    stored.put_rsvp(conn, event_id, occurrence, user_id, decision.stored)
    for promoted in decision.promote:
        stored.put_rsvp(conn, event_id, occurrence, promoted, "going")
    return Answered(event, found, decision.stored, decision.promote, position)


def promote_waitlist(conn: sqlite3.Connection, event: EventRecord, occurrence: str) -> list[int]:
    """In SQLite's thread: after a capacity change, move up as many waiting members as fit."""
    going, waitlist = stored.going_and_waitlist(conn, event.id, occurrence)
    promoted = waitlist[: free_seats(event.capacity, going)]
    for user_id in promoted:
        stored.put_rsvp(conn, event.id, occurrence, user_id, "going")
    return promoted


class EventService:
    """State changes and scheduled handlers of the events feature."""

    def __init__(self, bot: S3Bot, queries: EventQueries, announce: Announcer) -> None:
        self.bot = bot
        self.queries = queries
        self.announce = announce
        self._mirroring: dict[int, asyncio.Lock] = {}

    def register(self) -> None:
        """Hook the scheduled actions up (setup() does, when the extension loads)."""
        self.bot.scheduler.register(REMIND, self._on_reminder)
        self.bot.scheduler.register(START, self._on_start)
        # A redraw is right however late it runs (it shows the event as it is then).
        self.bot.scheduler.register(END, self._on_end, expires=False)

    def now(self) -> datetime:
        return self.bot.clock.now()

    async def _commit(self, work: Callable[[sqlite3.Connection], T], *, batched: bool = False) -> T:
        """The one way this feature's changes are stored: ``work`` in one transaction, then the
        scheduler re-armed if the plan changed. ``batched`` is for the clicks of a burst: the
        transaction is shared with the others arriving meanwhile (``Database.batched``), still
        one trip per click, and as a click plans nothing, re-arming costs nothing."""
        store = self.bot.db.batched if batched else self.bot.db.write
        result = await store(work)
        await self.bot.scheduler.rearm_if_changed()
        return result

    def _replan(
        self,
        conn: sqlite3.Connection,
        event: EventRecord,
        schedule: Schedule,
        overrides: dict[str, Override],
    ) -> None:
        """Inside a write: cancel the event's pending actions and plan the next occurrence's;
        with no date left to start, the end of the one under way (its announcement then loses
        its buttons)."""
        self.bot.scheduler.cancel(conn, key_prefix(event.id))
        if event.status != "scheduled":
            return
        upcoming = schedule.next_start(overrides, self.now())
        if upcoming is None:
            running = schedule.next_occurrence(overrides, self.now())
            if running is not None and running.end > self.now():
                self.bot.scheduler.plan(
                    conn,
                    guild_id=event.guild_id,
                    kind=END,
                    key=f"{key_prefix(event.id)}{running.key}:end",
                    due_at=running.end,
                    payload={"event": event.id, "occurrence": running.key},
                )
            return
        base = f"{key_prefix(event.id)}{upcoming.key}:"
        payload = {"event": event.id, "occurrence": upcoming.key}
        for offset, due in reminder_plan(
            upcoming.start, offsets_from_text(event.reminders), self.now()
        ):
            seconds = int(offset.total_seconds())
            self.bot.scheduler.plan(
                conn,
                guild_id=event.guild_id,
                kind=REMIND,
                key=f"{base}remind:{seconds}",
                due_at=due,
                payload={**payload, "offset": seconds},
            )
        if upcoming.start > self.now():
            self.bot.scheduler.plan(
                conn,
                guild_id=event.guild_id,
                kind=START,
                key=f"{base}start",
                due_at=upcoming.start,
                payload=payload,
            )

    # -- creating -------------------------------------------------------------------------------

    async def publish(
        self, record: EventRecord, *, open_thread: bool
    ) -> tuple[EventRecord, discord.Message]:
        """Store a new event with its reminder plan and announce it (with a discussion thread if
        asked). If the announcement cannot be posted, nothing stays stored."""
        schedule = Schedule(record.start_local, record.duration, record.rrule)

        def insert(conn: sqlite3.Connection) -> EventRecord:
            created = replace(record, id=stored.insert(conn, record, self.now()))
            self._replan(conn, created, schedule, {})
            return created

        record = await self._commit(insert)
        try:
            message = await self.announce.post(record)
        except UserFacingError:
            await self._commit(partial(self._forget, event_id=record.id))
            raise
        thread_id = await self.announce.open_thread(message, record) if open_thread else None
        await self._commit(
            partial(
                stored.set_message, event_id=record.id, message_id=message.id, thread_id=thread_id
            )
        )
        return replace(record, message_id=message.id, thread_id=thread_id), message

    def _forget(self, conn: sqlite3.Connection, event_id: int) -> None:
        """An event that could not be announced: it and its plan go."""
        self.bot.scheduler.cancel(conn, key_prefix(event_id))
        stored.delete(conn, event_id)

    async def mirror(self, event: EventRecord) -> None:
        """Bring Discord's own events list in step and store the mirror's id.

        One mirror update per event at a time, each from the event as stored: an edit right
        after the creation must edit the mirror the creation made, not make a second one.
        """
        lock = self._mirroring.setdefault(event.id, asyncio.Lock())
        async with lock:
            current = await self.queries.find(event.id)
            if current is None:
                return
            mirror_id = await self.announce.mirror(current)
            if mirror_id != current.discord_event_id:
                await self._commit(
                    partial(stored.set_discord_event, event_id=event.id, discord_event_id=mirror_id)
                )

    async def feed_token(self, guild_id: int) -> str:
        """The guild's calendar feed token, made on first use."""
        return await self._commit(
            partial(stored.feed_token, guild_id=guild_id, new_token=secrets.token_urlsafe(24))
        )

    # -- answering ----------------------------------------------------------------------------

    async def answer(
        self, guild_id: int, event_id: int, occurrence: str, user_id: int, wanted: str
    ) -> Answered:
        """A member's answer: checked and stored in one trip to the database, in a transaction
        shared with the other clicks of a burst."""
        return await self._commit(
            partial(
                self._record_answer,
                guild_id=guild_id,
                event_id=event_id,
                occurrence=occurrence,
                user_id=user_id,
                wanted=wanted,
                now=self.now(),
            ),
            batched=True,
        )

    def _record_answer(self, conn: sqlite3.Connection, **answer: Any) -> Answered:
        """In SQLite's thread: the answer, and the DMs to whoever it moved up, in one write."""
        answered = record_answer(conn, **answer)
        self._tell_promoted(conn, answered.event, answered.occurrence, answered.promoted)
        return answered

    # -- telling attendees (inside the write that makes the change: bot/notices.py) ----------

    def _tell_promoted(
        self,
        conn: sqlite3.Connection,
        event: EventRecord,
        occurrence: Occurrence,
        promoted: Iterable[int],
    ) -> None:
        """A DM to each member who moved up from the waitlist (and can see the event)."""
        self._tell(
            conn,
            event,
            "promoted",
            promoted,
            lambda language: display.promoted_text(language, event, occurrence),
        )

    def _tell(
        self,
        conn: sqlite3.Connection,
        event: EventRecord,
        about: str,
        members: Iterable[int],
        compose: Callable[[str], str],
    ) -> None:
        """Inside the write: a notice about the event to ``members`` who can see it."""
        self.bot.notices.tell(
            conn,
            guild_id=event.guild_id,
            about=f"event:{event.id}:{about}",
            members=members,
            compose=compose,
            channel_id=event.channel_id,
        )

    def _tell_answered(
        self,
        conn: sqlite3.Connection,
        event: EventRecord,
        occurrence: str,
        answers: tuple[str, ...],
        about: str,
        compose: Callable[[str], str],
    ) -> None:
        """A DM to each member who answered one of ``answers`` to the occurrence (as stored in
        this write) and can see the event."""
        rows = stored.rsvps(conn, event.id, occurrence)
        self._tell(conn, event, about, [r.user_id for r in rows if r.answer in answers], compose)

    def _tell_changed(
        self,
        conn: sqlite3.Connection,
        event: EventRecord,
        occurrence: str,
        compose: Callable[[str], str],
        *,
        told_already: Iterable[int] = (),
    ) -> None:
        """What changed, to those going or maybe and, with a line saying they still wait, to
        the waitlist (a new time matters to them too); not to ``told_already``, whom this edit
        moved to the waitlist and who were told so."""
        self._tell_answered(conn, event, occurrence, ("going", "maybe"), "changed", compose)
        skip = set(told_already)
        waiting = [
            r.user_id
            for r in stored.rsvps(conn, event.id, occurrence)
            if r.answer == "waitlist" and r.user_id not in skip
        ]
        self._tell(
            conn,
            event,
            "changed",
            waiting,
            lambda language: compose(language) + "\n" + display.still_waiting_text(language),
        )

    # -- editing and cancelling ---------------------------------------------------------------

    async def move_occurrence(
        self, event: EventRecord, before: Occurrence, start: datetime, length: timedelta
    ) -> Occurrence:
        """Give one occurrence of a series a new start or length; returns it as it now is."""
        schedule, overrides = await self.queries.schedule_of(event)
        overrides[before.key] = Override(start, length, False)
        after = schedule.find(overrides, before.key) or before

        def store(conn: sqlite3.Connection) -> None:
            stored.put_override(conn, event.id, OverrideRecord(before.key, start, length, False))
            self._replan(conn, event, schedule, overrides)
            self._tell_changed(
                conn,
                event,
                after.key,
                lambda language: display.changed_text(language, event, event, before, after),
            )

        await self._commit(store)
        return after

    async def update_event(self, edit: Edit, *, overflow: str = KEEP) -> Edited:
        """Store an edited event in one transaction. If its times moved, answers and changes
        follow each occurrence to its new time (the one shown keeps its answers in any case);
        reminders are planned again. A larger capacity moves each upcoming date's waitlist up;
        a smaller one than those going keeps everyone (``KEEP``) or moves the latest answers
        to the waitlist (``WAITLIST``). Those going or maybe are told what changed, whoever
        moved up or down that they did, in the same write. Moving to another channel posts the
        new announcement first: if it cannot be posted, nothing is stored. An edit decided on
        an event that changed meanwhile is refused."""
        old, new, before = edit.old, edit.new, edit.before
        old_schedule, _overrides = await self.queries.schedule_of(old)
        schedule = Schedule(new.start_local, new.duration, new.rrule)
        now = self.now()
        posted = await self.announce.post(new) if edit.channel is not None else None
        thread_id = None if edit.thread is False or posted else old.thread_id

        def store(conn: sqlite3.Connection) -> Occurrence:
            current = stored.get(conn, guild_id=old.guild_id, event_id=old.id)
            if current is None or (current.sequence, current.status) != (old.sequence, old.status):
                raise UserFacingError(EDIT_OVERTAKEN, id=old.id)
            renames = renamed_occurrences(
                old_schedule, schedule, stored.occurrence_keys(conn, old.id)
            )
            stored.update(conn, new, now)
            shown = schedule.shown({}, now)
            if shown is not None and shown.key != before.key:
                renames[before.key] = shown.key
            stored.rename_occurrences(conn, old.id, renames)
            message_id = posted.id if posted else old.message_id
            stored.place(conn, old.id, new.channel_id, message_id, thread_id)
            _same, overrides = schedule_from(new, stored.overrides(conn, old.id))
            after = schedule.shown(overrides, now) or before
            self._replan(conn, new, schedule, overrides)
            moved: list[int] = []
            for key in stored.occurrence_keys(conn, old.id):
                occurrence = schedule.find(overrides, key)
                if still_open(occurrence, now):
                    assert occurrence is not None
                    moved += self._fit_seats(conn, new, occurrence, overflow)
            self._tell_changed(
                conn,
                new,
                after.key,
                lambda language: display.changed_text(language, old, new, before, after),
                told_already=moved,
            )
            return after

        try:
            after = await self._commit(store)
        except BaseException:
            if posted is not None:
                await self.announce.remove(posted)
            raise
        placed = replace(
            new, message_id=posted.id if posted else old.message_id, thread_id=thread_id
        )
        return Edited(placed, after, posted)

    def _fit_seats(
        self, conn: sqlite3.Connection, event: EventRecord, occurrence: Occurrence, overflow: str
    ) -> list[int]:
        """Inside an edit: one date's answers fitted to the event's capacity, and those who
        moved told; returns those moved to the waitlist."""
        moved: list[int] = []
        if overflow == WAITLIST:
            going = stored.going_in_order(conn, event.id, occurrence.key)
            moved = over_capacity(event.capacity, going)
            stored.to_waitlist(conn, event.id, occurrence.key, moved)
            self._tell(
                conn,
                event,
                "waitlisted",
                moved,
                lambda language: display.waitlisted_text(language, event, occurrence),
            )
        self._tell_promoted(conn, event, occurrence, promote_waitlist(conn, event, occurrence.key))
        return moved

    async def ask_overflow(self, edit: Edit, notes: list[str], window: timedelta) -> int:
        """Keep an edit that lowers the capacity below those going until the organiser says
        what happens to them (its buttons carry the id returned, so a restart loses nothing);
        questions older than ``window`` are dropped meanwhile."""
        now = self.now()
        pending = stored.PendingEdit(
            sequence=edit.old.sequence,
            new=edit.new,
            before=edit.before.key,
            moving=edit.channel is not None,
            thread=edit.thread,
            notes=notes,
            asked_at=now,
        )
        return await self._commit(
            partial(stored.put_pending_edit, edit=pending, drop_before=now - window)
        )

    async def after_edit(self, edit: Edit, edited: Edited) -> None:
        """Discord's side of an edit, after the organiser has their answer: a moved
        announcement's old message and thread say where it went (and a new thread follows); a
        thread opened or closed; the announcement and the mirror brought in step."""
        old, event = edit.old, edited.event
        if edited.announcement is not None:
            await self.announce.mark_moved(old, edited.announcement)
        if old.thread_id is not None and event.thread_id is None:
            await self.announce.close_thread(old.thread_id, event, edited.announcement)
        wanted = edit.thread if edit.thread is not None else old.thread_id is not None
        if wanted and event.thread_id is None and event.message_id is not None:
            opened = await self.announce.open_thread_under(event)
            if opened is not None:
                event = replace(event, thread_id=opened)
                await self._commit(
                    partial(
                        stored.place,
                        event_id=event.id,
                        channel_id=event.channel_id,
                        message_id=event.message_id,
                        thread_id=opened,
                    )
                )
        await self.announce.changed(event)
        await self.mirror(event)

    async def cancel(self, event: EventRecord, target: Occurrence, *, whole: bool) -> EventRecord:
        """Cancel the whole event or one occurrence and stop its reminders, and tell those who
        answered, in one transaction; returns the event as it now is. Refused if the event
        changed after ``event`` was read (the organiser confirmed what they saw)."""
        schedule, overrides = await self.queries.schedule_of(event)
        updated = (
            replace(event, status="cancelled", cancelled_occurrence=target.key) if whole else event
        )
        if not whole:
            overrides[target.key] = Override(None, None, True)

        def store(conn: sqlite3.Connection) -> None:
            current = stored.get(conn, guild_id=event.guild_id, event_id=event.id)
            if current is None or (current.sequence, current.status) != (
                event.sequence,
                event.status,
            ):
                raise UserFacingError(CHANGED_SINCE_ASKED, id=event.id)
            if whole:
                stored.update(conn, updated, self.now())
            else:
                stored.put_override(conn, event.id, OverrideRecord(target.key, None, None, True))
            self._replan(conn, updated, schedule, overrides)
            self._tell_answered(
                conn,
                event,
                target.key,
                CANCEL_TOLD,
                "cancelled",
                lambda language: display.cancelled_text(language, event, target),
            )

        await self._commit(store)
        return updated

    # -- scheduled actions --------------------------------------------------------------------

    async def _on_reminder(self, ctx: RunContext) -> None:
        """A reminder in the event's channel (or thread) and by DM to everyone going who can
        still see that channel (a member who left a private group keeps their answer, but is
        not reminded of its meetings any more)."""
        payload = ctx.action.payload
        event = await self.queries.find(int(payload["event"]), ctx.action.guild_id)
        if event is None or event.status != "scheduled":
            return
        occurrence = await self.queries.pick_occurrence(event, payload["occurrence"])
        if occurrence.cancelled:
            return
        channel = await self.announce.notice_channel(event)
        if channel is not None:
            text = display.reminder_text(self.announce.language(), event, occurrence, late=ctx.late)
            post = channel.send
            await ctx.once("channel", lambda nonce: post(text, nonce=nonce))
        rows = await self.queries.answers(event.id, occurrence.key)
        going = [
            r.user_id
            for r in rows
            if r.answer == "going" and self.queries.visible(event, r.user_id)
        ]
        members = self.bot.members
        dms = []
        for user_id, prefs in (await members.preferences(event.guild_id, going)).items():
            if prefs.reminders_dm:
                language = members.speaks(prefs)
                content = display.reminder_text(language, event, occurrence, late=ctx.late)
                dms.append((f"dm:{user_id}", partial(members.dm_once, user_id, content)))
        await ctx.once_each(dms)

    async def _on_start(self, ctx: RunContext) -> None:
        """Say the event is starting, then roll the series on to its next occurrence."""
        payload = ctx.action.payload
        event = await self.queries.find(int(payload["event"]), ctx.action.guild_id)
        if event is None or event.status != "scheduled":
            return
        channel = await self.announce.notice_channel(event)
        if channel is not None:
            body = display.starting_text(self.announce.language(), event)
            post = channel.send
            await ctx.once("channel", lambda nonce: post(body, nonce=nonce))
        schedule, overrides = await self.queries.schedule_of(event)
        await self._commit(
            partial(self._replan, event=event, schedule=schedule, overrides=overrides)
        )
        await self.announce.refresh(event)
        await self.mirror(event)

    async def _on_end(self, ctx: RunContext) -> None:
        """The event's last date is over: its announcement shows it ended, with its final
        answers and no buttons (a press would only be told answers are closed)."""
        event = await self.queries.find(int(ctx.action.payload["event"]), ctx.action.guild_id)
        if event is None or event.status != "scheduled":
            return
        await self.announce.refresh(event)

    async def close(self) -> None:
        """Finish what is under way (announcement edits)."""
        await self.announce.close()
