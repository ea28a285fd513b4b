"""What the events feature reads: an event, its schedule and occurrences, answers, the upcoming
list, calendar entries. Shared by the commands, the buttons, the announcer and the service; it
changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from bot.members import asker
from cogs.events import _calendar
from cogs.events._recurrence import parse_repeat
from cogs.events._rules import (
    Occurrence,
    Override,
    Schedule,
    end_of,
    find_as_typed,
    still_open,
)
from db import events as stored
from db.events import EventRecord, OverrideRecord, RsvpRecord

UPCOMING_LIMIT = 100  # /event list shows at most this many occurrences
CANCELLED_SHOWN = 3  # a series' announcement lists at most this many cancelled dates ahead


@dataclass(frozen=True)
class Shown:
    """What an announcement shows of its event."""

    occurrence: Occurrence | None  # the date shown (with its counts)
    counts: dict[str, int]
    answerable: bool  # whether its answer buttons work
    cancelled: tuple[tuple[Occurrence, dict[str, int]], ...] = ()  # a series' cancelled dates
    ended: bool = False  # the event is over: the date shown is its last, with final counts


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


class EventQueries:
    """Reads for the events feature, each through the repository in one trip or a few."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self.db = bot.db

    def now(self) -> datetime:
        return self.bot.clock.now()

    async def load(self, guild_id: int | None, event_id: int) -> EventRecord:
        """An event of this server, or the readable refusal."""
        event = await self.db.read(stored.get, guild_id=guild_id or 0, event_id=event_id)
        if event is None:
            raise unknown_event(event_id)
        return event

    def visible(self, event: EventRecord, who: discord.Member | int | None) -> bool:
        """Whether ``who`` (None: everyone) can see the channel the event is announced in. To
        anyone else the event does not exist: not listed, not shown, not even refused by name."""
        return self.bot.members.sees(event.guild_id, event.channel_id, who)

    async def load_seen(self, interaction: discord.Interaction[Any], event_id: int) -> EventRecord:
        """An event the member can see, or the same refusal as for an unknown id."""
        event = await self.load(interaction.guild_id, event_id)
        if not self.visible(event, asker(interaction)):
            raise unknown_event(event_id)
        return event

    async def find(self, event_id: int, guild_id: int | None = None) -> EventRecord | None:
        """An event by id (within ``guild_id`` if given), or None."""
        return await self.db.read(stored.get, guild_id=guild_id, event_id=event_id)

    async def in_guild(
        self, guild_id: int, *, include_cancelled: bool = False
    ) -> list[EventRecord]:
        return await self.db.read(stored.in_guild, guild_id, include_cancelled=include_cancelled)

    async def schedule_of(self, event: EventRecord) -> tuple[Schedule, dict[str, Override]]:
        return schedule_from(event, await self.db.read(stored.overrides, event.id))

    async def pending_edit(self, pending_id: int) -> stored.PendingEdit | None:
        """An /event edit waiting for the organiser's answer on the capacity."""
        return await self.db.read(stored.pending_edit, pending_id)

    async def pick_occurrence(
        self, event: EventRecord, key: str | None, *, past: bool = False
    ) -> Occurrence:
        """The occurrence a member named, or the one shown now; with ``past``, once the event
        is over, its last date."""
        schedule, overrides = await self.schedule_of(event)
        if key:
            found = find_as_typed(schedule, overrides, key, self.now())
            if found is None:
                raise UserFacingError(
                    _(
                        "“{occurrence}” is not an occurrence of this event: pick one from the "
                        "list, or type its date (15.12.2026) or date and time (2026-12-15 10:00)."
                    ),
                    occurrence=key,
                )
            return found
        upcoming = schedule.shown(overrides, self.now())
        if upcoming is None and past:
            upcoming = schedule.last_begun(overrides, self.now())
        if upcoming is None:
            raise UserFacingError(_("Event #{id} has no upcoming occurrence."), id=event.id)
        return upcoming

    async def shown(self, event: EventRecord) -> Shown:
        """What an announcement shows: the occurrence to answer for (a cancelled event: the one
        it was cancelled for; none once over) with its counts, and a series' cancelled dates
        still ahead, each with its final counts."""
        schedule, overrides = await self.schedule_of(event)
        if event.status != "scheduled":
            key = event.cancelled_occurrence
            found = schedule.find(overrides, key) if key else None
            return Shown(found, await self.counts(event, found), answerable=False)
        now = self.now()
        upcoming = schedule.shown(overrides, now)
        if upcoming is None:
            last = schedule.last_begun(overrides, now)
            return Shown(last, await self.counts(event, last), answerable=False, ended=True)
        cancelled = [
            (o, await self.counts(event, o))
            for o in schedule.occurrences(overrides, after=now, limit=50)
            if o.cancelled
        ][:CANCELLED_SHOWN]
        return Shown(
            upcoming, await self.counts(event, upcoming), upcoming is not None, tuple(cancelled)
        )

    async def crowded(
        self, event: EventRecord, capacity: int | None
    ) -> list[tuple[Occurrence, int]]:
        """If ``capacity`` is lower than the event's, each date ahead with more going than it
        allows, and how many go: an edit that lowers the capacity asks about these."""
        if capacity is None or (event.capacity is not None and capacity >= event.capacity):
            return []
        schedule, overrides = await self.schedule_of(event)
        found = []
        for key, going in (await self.db.read(stored.going_counts, event.id)).items():
            occurrence = schedule.find(overrides, key)
            if going > capacity and still_open(occurrence, self.now()):
                assert occurrence is not None
                found.append((occurrence, going))
        return sorted(found, key=lambda pair: pair[0].start)

    async def counts(self, event: EventRecord, occurrence: Occurrence | None) -> dict[str, int]:
        """How many gave each answer for one occurrence."""
        if occurrence is None:
            return {}
        return await self.db.read(stored.counts, event.id, occurrence.key)

    async def next_dates(self, event: EventRecord, limit: int) -> list[Occurrence]:
        schedule, overrides = await self.schedule_of(event)
        return list(schedule.occurrences(overrides, after=self.now(), limit=limit))

    def repeat_text(self, language: str, event: EventRecord) -> str | None:
        return parse_repeat(event.rrule).describe(language) if event.rrule else None

    async def upcoming(
        self, guild_id: int, seen_by: discord.Member | int
    ) -> list[tuple[EventRecord, Occurrence]]:
        """Every event the member can see, once, with its next occurrence (one under way
        counts), soonest first: a series is one line with its rule, not ten of its dates."""
        found = []
        for record in await self.in_guild(guild_id):
            if not self.visible(record, seen_by):
                continue
            schedule, overrides = await self.schedule_of(record)
            upcoming = schedule.next_occurrence(overrides, self.now())
            if upcoming is not None:
                found.append((record, upcoming))
        found.sort(key=lambda pair: pair[1].start)
        return found[:UPCOMING_LIMIT]

    async def answers_of(
        self, user_id: int, keys: list[tuple[int, str]]
    ) -> dict[tuple[int, str], str]:
        return await self.db.read(stored.answers_of, user_id, keys)

    async def answers(self, event_id: int, occurrence: str) -> list[RsvpRecord]:
        return await self.db.read(stored.rsvps, event_id, occurrence)

    async def feed_guild(self, token: str) -> int | None:
        return await self.db.read(stored.guild_of_feed, token)

    async def calendar_entries(self, events: list[EventRecord]) -> list[_calendar.CalendarEvent]:
        """Events as calendar entries: series with their cancelled and moved dates."""
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
                    organiser=self.bot.members.display_name(record.guild_id, record.organiser_id),
                )
            )
        return entries
