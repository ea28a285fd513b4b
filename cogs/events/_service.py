"""What events do, apart from the slash commands that ask for it.

Loading and checking events, planning their reminders, keeping the announcement and Discord's
scheduled event in step, RSVPs, DMs, and the scheduled actions that remind and roll a series on.
Commands (``_cog.py``) and buttons (``_views.py``) both call this one service.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.scheduler import RunContext
from bot.tree import interaction_language
from cogs.events import _calendar
from cogs.events._display import ANSWER_LABELS, announcement_embed, when, where
from cogs.events._recurrence import parse_repeat
from cogs.events._rules import (
    Occurrence,
    Override,
    Schedule,
    decide_rsvp,
    end_of,
    free_seats,
    offsets_from_text,
    reminder_plan,
    renamed_occurrences,
)
from cogs.events._views import rsvp_view
from db import events as stored
from db.events import EventRecord, OverrideRecord

log = logging.getLogger(__name__)

REMIND = "event.remind"
START = "event.start"
REFRESH_DELAY = 0.5  # seconds: a burst of clicks becomes one edit of the announcement


def key_prefix(event_id: int) -> str:
    """Every scheduled action of one event has a key starting with this."""
    return f"event:{event_id}:"


def unknown_event(event_id: int) -> UserFacingError:
    """The answer for an event id that is not (or no longer) in this server."""
    return UserFacingError(
        _("I can't find event #{id}. Pick one from the list as you type."), id=event_id
    )


def schedule_from(
    event: EventRecord, records: dict[str, OverrideRecord]
) -> tuple[Schedule, dict[str, Override]]:
    """An event's schedule and its per-occurrence changes, as the rules take them."""
    overrides = {key: Override(o.start, o.duration, o.cancelled) for key, o in records.items()}
    return Schedule(event.start_local, event.duration, event.rrule), overrides


@dataclass(frozen=True)
class Answered:
    """What storing an answer did."""

    event: EventRecord
    occurrence: Occurrence
    stored: str
    promoted: tuple[int, ...]
    position: int


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
    if event.status != "scheduled" or found is None or found.cancelled:
        raise UserFacingError(_("This event was cancelled; answers are closed."))
    if found.end <= now:
        raise UserFacingError(_("This event is over; answers are closed."))
    occurrence = found.key  # the stored form, whatever key the button carried
    previous = stored.rsvp_of(conn, event_id, occurrence, user_id)
    going, waitlist = stored.going_and_waitlist(conn, event_id, occurrence)
    decision = decide_rsvp(
        previous=previous,
        wanted=wanted,
        capacity=event.capacity,
        going_count=going,
        waitlist=waitlist,
    )
    stored.put_rsvp(conn, event_id, occurrence, user_id, decision.stored)
    for promoted in decision.promote:
        stored.put_rsvp(conn, event_id, occurrence, promoted, "going")
    position = waitlist.index(user_id) + 1 if user_id in waitlist else len(waitlist) + 1
    return Answered(event, found, decision.stored, decision.promote, position)


def promote_waitlist(conn: sqlite3.Connection, event: EventRecord, occurrence: str) -> list[int]:
    """In SQLite's thread: after a capacity change, move up as many waiting members as fit."""
    going, waitlist = stored.going_and_waitlist(conn, event.id, occurrence)
    promoted = waitlist[: free_seats(event.capacity, going)]
    for user_id in promoted:
        stored.put_rsvp(conn, event.id, occurrence, user_id, "going")
    return promoted


class EventService:
    """The events feature's behaviour, shared by its commands, buttons and scheduled actions."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self.db = bot.db
        self.members = bot.members
        self._refreshing: dict[int, asyncio.Task[None]] = {}
        self._mirroring: dict[int, asyncio.Lock] = {}
        self.refresh_delay = REFRESH_DELAY

    def register(self) -> None:
        """Hook the scheduled actions up; called when the cog loads."""
        self.bot.scheduler.register(REMIND, self._on_reminder)
        self.bot.scheduler.register(START, self._on_start)

    async def close(self) -> None:
        """Finish announcement edits still waiting."""
        for task in list(self._refreshing.values()):
            await task

    def now(self) -> datetime:
        return self.bot.clock.now()

    def guild_language(self) -> str:
        return self.bot.default_language

    async def load(self, guild_id: int | None, event_id: int) -> EventRecord:
        event = await self.db.read(stored.get, guild_id=guild_id or 0, event_id=event_id)
        if event is None:
            raise unknown_event(event_id)
        return event

    async def schedule_of(self, event: EventRecord) -> tuple[Schedule, dict[str, Override]]:
        return schedule_from(event, await self.db.read(stored.overrides, event.id))

    async def pick_occurrence(self, event: EventRecord, key: str | None) -> Occurrence:
        schedule, overrides = await self.schedule_of(event)
        if key:
            found = schedule.find(overrides, key)
            if found is None:
                raise UserFacingError(_("That occurrence is not part of this event."))
            return found
        upcoming = schedule.shown(overrides, self.now())
        if upcoming is None:
            raise UserFacingError(_("Event #{id} has no upcoming occurrence."), id=event.id)
        return upcoming

    def repeat_text(self, language: str, event: EventRecord) -> str | None:
        return parse_repeat(event.rrule).describe(language) if event.rrule else None

    def replan(
        self,
        conn: sqlite3.Connection,
        event: EventRecord,
        schedule: Schedule,
        overrides: dict[str, Override],
    ) -> None:
        """Inside a write: cancel the event's pending actions and plan the next occurrence's."""
        self.bot.scheduler.cancel(conn, key_prefix(event.id))
        if event.status != "scheduled":
            return
        upcoming = schedule.next_start(overrides, self.now())
        if upcoming is None:
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

    async def render(self, event: EventRecord) -> tuple[discord.Embed, discord.ui.View]:
        language = self.guild_language()
        schedule, overrides = await self.schedule_of(event)
        upcoming = schedule.shown(overrides, self.now()) if event.status == "scheduled" else None
        counts = await self.db.read(stored.counts, event.id, upcoming.key) if upcoming else {}
        embed = announcement_embed(
            language, event, upcoming, counts, self.repeat_text(language, event)
        )
        return embed, rsvp_view(language, event.id, upcoming.key if upcoming else None)

    def request_refresh(self, event_id: int) -> None:
        """Edit the announcement soon; requests meanwhile share the one edit."""
        if event_id in self._refreshing:
            return
        self._refreshing[event_id] = asyncio.create_task(self._refresh_later(event_id))

    async def _refresh_later(self, event_id: int) -> None:
        await asyncio.sleep(self.refresh_delay)
        self._refreshing.pop(event_id, None)
        event = await self.db.read(stored.get, guild_id=None, event_id=event_id)
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
            await channel.get_partial_message(event.message_id).edit(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("could not update the announcement of event %s: %s", event.id, exc)

    async def publish(
        self, record: EventRecord, *, open_thread: bool
    ) -> tuple[EventRecord, discord.Message]:
        """Store a new event with its reminder plan and announce it (with a discussion thread if
        asked). If the announcement cannot be posted, nothing stays stored."""
        schedule = Schedule(record.start_local, record.duration, record.rrule)

        def store(conn: sqlite3.Connection) -> EventRecord:
            created = replace(record, id=stored.insert(conn, record, self.now()))
            self.replan(conn, created, schedule, {})
            return created

        record = await self.db.write(store)
        channel = self.bot.get_channel(record.channel_id)
        assert isinstance(channel, discord.TextChannel)
        embed, view = await self.render(record)
        mention = f"<@&{record.audience_role_id}>" if record.audience_role_id else None
        try:
            message = await channel.send(
                content=mention,
                embed=embed,
                view=view,
                allowed_mentions=discord.AllowedMentions(roles=bool(mention)),
            )
        except discord.HTTPException:

            def undo(conn: sqlite3.Connection) -> None:
                self.bot.scheduler.cancel(conn, key_prefix(record.id))
                stored.delete(conn, record.id)

            await self.db.write(undo)
            raise UserFacingError(
                _(
                    "I can't post in {channel}: give me permission to send messages there, or "
                    "pick another channel."
                ),
                channel=channel.mention,
            ) from None
        thread_id = await self.open_thread(message, record) if open_thread else None
        record = replace(record, message_id=message.id, thread_id=thread_id)
        await self.db.write(stored.set_message, record.id, message.id, thread_id)
        await self.bot.scheduler.rearm()
        return record, message

    async def open_thread(self, message: discord.Message, event: EventRecord) -> int | None:
        """A discussion thread under the announcement; without permission, say so once."""
        try:
            thread = await message.create_thread(name=event.title[:100])
        except discord.Forbidden:
            if message.guild is not None:
                await self.bot.admin_log_once(
                    message.guild,
                    "create-threads",
                    translate(
                        self.guild_language(),
                        _(
                            "I can't open discussion threads for events: give me the Create "
                            "Public Threads permission. Events are announced without them."
                        ),
                    ),
                )
            return None
        return thread.id

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

    async def mirror(self, event: EventRecord) -> None:
        """Mirror the next occurrence as a guild scheduled event; report missing permission once.

        One mirror update per event at a time, each from the event as stored: an edit right
        after the creation must edit the mirror the creation made, not make a second one.
        """
        lock = self._mirroring.setdefault(event.id, asyncio.Lock())
        async with lock:
            current = await self.db.read(stored.get, guild_id=None, event_id=event.id)
            if current is not None:
                await self._mirror(current)

    async def _mirror(self, event: EventRecord) -> None:
        guild = self.bot.get_guild(event.guild_id)
        if guild is None:
            return
        schedule, overrides = await self.schedule_of(event)
        upcoming = (
            schedule.next_start(overrides, self.now()) if event.status == "scheduled" else None
        )
        existing = event.discord_event_id
        try:
            if upcoming is None:
                # Cancelled: cancel the mirror. Under way or over: Discord's copy may stay.
                if existing and event.status == "cancelled":
                    scheduled = await guild.fetch_scheduled_event(existing)
                    await scheduled.cancel()
                    await self.db.write(stored.set_discord_event, event.id, None)
                return
            location = (event.venue or event.link or "")[:100]
            options: dict[str, Any] = {
                "name": event.title[:100],
                "description": (event.description or "")[:1000],
                "start_time": upcoming.start,
                "end_time": upcoming.end,
                "location": location,
                "entity_type": discord.EntityType.external,
                "privacy_level": discord.PrivacyLevel.guild_only,
            }
            if existing:
                scheduled = await guild.fetch_scheduled_event(existing)
                await scheduled.edit(**options)
            else:
                created = await guild.create_scheduled_event(**options)
                await self.db.write(stored.set_discord_event, event.id, created.id)
        except discord.Forbidden:
            await self.bot.admin_log_once(
                guild,
                "manage-events",
                translate(
                    self.guild_language(),
                    _(
                        "I can't mirror events into Discord's event list: give me the Manage "
                        "Events permission. Everything else keeps working."
                    ),
                ),
            )
        except discord.NotFound:
            await self.db.write(stored.set_discord_event, event.id, None)
        except discord.HTTPException as exc:
            log.warning("mirroring event %s failed: %s", event.id, exc)

    async def notify(
        self,
        event: EventRecord,
        occurrence: str,
        answers: tuple[str, ...],
        compose: Callable[[str], str],
    ) -> None:
        """DM each member with one of ``answers``, each in their language."""
        rows = await self.db.read(stored.rsvps, event.id, occurrence)
        await self.members.dm_each(
            event.guild_id, [r.user_id for r in rows if r.answer in answers], compose
        )

    async def rsvp(
        self,
        interaction: discord.Interaction[Any],
        event_id: int,
        occurrence: str,
        wanted: str,
    ) -> None:
        """A member's answer: checked and stored in one trip to the database, in a transaction
        shared with the other clicks of a burst, then shown to the member."""
        language = interaction_language(interaction)
        outcome = await self.db.batched(
            record_answer,
            guild_id=interaction.guild_id or 0,
            event_id=event_id,
            occurrence=occurrence,
            user_id=interaction.user.id,
            wanted=wanted,
            now=self.now(),
        )
        event, found, answer = outcome.event, outcome.occurrence, outcome.stored
        promoted, position = outcome.promoted, outcome.position
        answer_text = translate(language, ANSWER_LABELS[answer])
        text = translate(
            language,
            _("Your answer for **{title}** (<t:{start}:f>): {answer}."),
            title=event.title,
            start=int(found.start.timestamp()),
            answer=answer_text,
        )
        if answer == "waitlist":
            text += "\n" + translate(
                language,
                _(
                    "The event is full. You are number {position} on the waitlist; I'll message "
                    "you if a place opens."
                ),
                position=position,
            )
        text += "\n" + translate(language, _("Changed your mind? Press another answer."))
        await interaction.response.send_message(
            text, ephemeral=True, view=rsvp_view(language, event_id, found.key)
        )
        self.request_refresh(event_id)
        for user in promoted:
            await self.tell_promoted(event, found, user)

    async def tell_promoted(self, event: EventRecord, occurrence: Occurrence, user_id: int) -> None:
        language = await self.members.language(event.guild_id, user_id)
        await self.members.dm(
            user_id,
            content=translate(
                language,
                _(
                    "Good news: a place opened at **{title}** (<t:{start}:F>) and you moved up "
                    "from the waitlist. You're going!"
                ),
                title=event.title,
                start=int(occurrence.start.timestamp()),
            ),
        )

    async def _on_reminder(self, ctx: RunContext) -> None:
        payload = ctx.action.payload
        event = await self.db.read(
            stored.get, guild_id=ctx.action.guild_id, event_id=int(payload["event"])
        )
        if event is None or event.status != "scheduled":
            return
        occurrence = await self.pick_occurrence(event, payload["occurrence"])
        if occurrence.cancelled:
            return
        language = self.guild_language()
        start = int(occurrence.start.timestamp())

        def text(lang: str) -> str:
            body = translate(
                lang,
                _("⏰ Reminder: **{title}** starts <t:{start}:R> (<t:{start}:F>)."),
                title=event.title,
                start=start,
            )
            if event.link:
                body += "\n" + event.link
            if ctx.late:
                body += "\n" + translate(lang, _("(Sent late: I was offline when it was due.)"))
            return body

        channel = await self.notice_channel(event)
        if channel is not None:
            post = channel.send
            await ctx.once("channel", lambda nonce: post(text(language), nonce=nonce))
        going = [
            r.user_id
            for r in await self.db.read(stored.rsvps, event.id, occurrence.key)
            if r.answer == "going"
        ]
        for user_id, prefs in (await self.members.preferences(event.guild_id, going)).items():
            if prefs.reminders_dm:
                content = text(self.members.speaks(prefs))
                await ctx.once(f"dm:{user_id}", partial(self.members.dm_once, user_id, content))

    async def _on_start(self, ctx: RunContext) -> None:
        """Say the event is starting, then roll the series on to its next occurrence."""
        payload = ctx.action.payload
        event = await self.db.read(
            stored.get, guild_id=ctx.action.guild_id, event_id=int(payload["event"])
        )
        if event is None or event.status != "scheduled":
            return
        language = self.guild_language()
        body = translate(language, _("▶️ **{title}** is starting now."), title=event.title)
        if event.link:
            body += "\n" + event.link
        channel = await self.notice_channel(event)
        if channel is not None:
            post = channel.send
            await ctx.once("channel", lambda nonce: post(body, nonce=nonce))
        schedule, overrides = await self.schedule_of(event)
        await self.db.write(self.replan, event, schedule, overrides)
        await self.bot.scheduler.rearm()
        await self.refresh(event)
        await self.mirror(event)

    async def move_occurrence(
        self, event: EventRecord, before: Occurrence, start: datetime, length: timedelta
    ) -> Occurrence:
        """Give one occurrence of a series a new start or length; returns it as it now is."""
        schedule, overrides = await self.schedule_of(event)
        overrides[before.key] = Override(start, length, False)

        def store(conn: sqlite3.Connection) -> None:
            stored.put_override(conn, event.id, OverrideRecord(before.key, start, length, False))
            self.replan(conn, event, schedule, overrides)

        await self.db.write(store)
        await self.bot.scheduler.rearm()
        return schedule.find(overrides, before.key) or before

    async def update_event(
        self, old: EventRecord, new: EventRecord, before: Occurrence
    ) -> tuple[Occurrence, list[int]]:
        """Store an edited event in one transaction. If its times moved, answers and changes
        follow each occurrence to its new time (the one shown keeps its answers in any case);
        reminders are planned again; a larger capacity moves the waitlist up. Returns the
        occurrence now shown and who moved up."""
        old_schedule, _overrides = await self.schedule_of(old)
        schedule = Schedule(new.start_local, new.duration, new.rrule)
        now = self.now()

        def store(conn: sqlite3.Connection) -> tuple[Occurrence, list[int]]:
            renames = renamed_occurrences(
                old_schedule, schedule, stored.occurrence_keys(conn, old.id)
            )
            stored.update(conn, new, now)
            shown = schedule.shown({}, now)
            if shown is not None and shown.key != before.key:
                renames[before.key] = shown.key
            stored.rename_occurrences(conn, old.id, renames)
            _same, overrides = schedule_from(new, stored.overrides(conn, old.id))
            after = schedule.shown(overrides, now) or before
            self.replan(conn, new, schedule, overrides)
            return after, promote_waitlist(conn, new, after.key)

        after, promoted = await self.db.write(store)
        await self.bot.scheduler.rearm()
        return after, promoted

    async def announce_change(
        self,
        old: EventRecord,
        new: EventRecord,
        before: Occurrence,
        after: Occurrence,
        promoted: list[int],
    ) -> None:
        """After an edit: update the announcement and the mirror, tell the attendees."""
        await self.refresh(new)
        await self.mirror(new)
        await self.tell_changed(old, new, before, after)
        for user_id in promoted:
            await self.tell_promoted(new, after, user_id)

    async def cancel(self, event: EventRecord, target: Occurrence, *, whole: bool) -> EventRecord:
        """Cancel the whole event or one occurrence and stop its reminders, in one transaction;
        returns the event as it now is."""
        schedule, overrides = await self.schedule_of(event)
        updated = replace(event, status="cancelled") if whole else event
        if not whole:
            overrides[target.key] = Override(None, None, True)

        def store(conn: sqlite3.Connection) -> None:
            if whole:
                stored.update(conn, updated, self.now())
            else:
                stored.put_override(conn, event.id, OverrideRecord(target.key, None, None, True))
            self.replan(conn, updated, schedule, overrides)

        await self.db.write(store)
        await self.bot.scheduler.rearm()
        return updated

    async def announce_cancel(
        self, event: EventRecord, updated: EventRecord, target: Occurrence
    ) -> None:
        """After a cancel: the announcement stays, marked; the mirror goes; those who answered
        for ``target`` are told."""
        await self.refresh(updated)
        await self.mirror(updated)
        await self.notify(
            event,
            target.key,
            ("going", "maybe", "waitlist"),
            lambda language: translate(
                language,
                _("❌ **{title}** on <t:{start}:F> is cancelled."),
                title=event.title,
                start=int(target.start.timestamp()),
            ),
        )

    async def tell_changed(
        self, old: EventRecord, new: EventRecord, before: Occurrence, after: Occurrence
    ) -> None:
        def compose(language: str) -> str:
            lines = [translate(language, _("**{title}** has changed:"), title=new.title)]
            if (before.start, before.end) != (after.start, after.end):
                lines.append(
                    translate(
                        language,
                        _("When: {old} → {new}"),
                        old=when(before.start, before.end),
                        new=when(after.start, after.end),
                    )
                )
            if old.title != new.title:
                lines.append(
                    translate(language, _("Title: {old} → {new}"), old=old.title, new=new.title)
                )
            if (old.link, old.venue) != (new.link, new.venue):
                lines.append(
                    translate(
                        language,
                        _("Where: {old} → {new}"),
                        old=where(language, old),
                        new=where(language, new),
                    )
                )
            if old.capacity != new.capacity:
                lines.append(
                    translate(
                        language,
                        _("Places: {old} → {new}"),
                        old=old.capacity or "∞",
                        new=new.capacity or "∞",
                    )
                )
            if old.description != new.description:
                lines.append(translate(language, _("The description was updated.")))
            return "\n".join(lines)

        await self.notify(new, after.key, ("going", "maybe"), compose)

    async def upcoming_occurrences(self, guild_id: int) -> list[tuple[EventRecord, Occurrence]]:
        found = []
        for record in await self.db.read(stored.in_guild, guild_id):
            schedule, overrides = await self.schedule_of(record)
            for occurrence in schedule.occurrences(overrides, after=self.now(), limit=10):
                if not occurrence.cancelled:
                    found.append((record, occurrence))
        found.sort(key=lambda pair: pair[1].start)
        return found[:100]

    async def calendar_entries(self, events: list[EventRecord]) -> list[_calendar.CalendarEvent]:
        entries = []
        for record in events:
            _schedule, overrides = await self.schedule_of(record)
            zone = ZoneInfo(record.tz)
            exdates, moved = [], []
            for key, change in overrides.items():
                original = datetime.fromtimestamp(int(key), zone)
                if change.cancelled:
                    exdates.append(original)
                elif change.start or change.duration:
                    start = (change.start or original).astimezone(zone)
                    moved.append(
                        (original, start, end_of(start, change.duration or record.duration), None)
                    )
            entries.append(
                _calendar.CalendarEvent(
                    uid=f"event-{record.id}@s3cop",
                    title=record.title,
                    description=record.description,
                    start=record.start_local,
                    end=end_of(record.start_local, record.duration),
                    tz_name=record.tz,
                    location=record.venue,
                    url=record.link,
                    rrule=record.rrule,
                    exdates=tuple(sorted(exdates)),
                    overrides=tuple(sorted(moved, key=lambda m: m[0])),
                    status="CANCELLED" if record.status == "cancelled" else "CONFIRMED",
                    sequence=record.sequence,
                    organiser=self.members.display_name(record.guild_id, record.organiser_id),
                )
            )
        return entries
