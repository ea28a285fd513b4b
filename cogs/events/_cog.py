"""Slash commands for events: thin, they read options, check them with the rules, call the
service (changes) or the queries (reads), and answer with a display function.

Who may do what: organisers (the organisers role from the settings, or Manage Events) create,
edit and cancel; everyone who can see the channel browses and answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import answer_then
from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import C_, _
from bot.members import asker, pick_zone, zone_choices
from bot.timeparse import (
    EVENT_ZONE_NOTE,
    ParsedTime,
    day_first,
    format_offset,
    parse_duration,
    parse_offsets,
    parse_when,
    warm_up,
)
from bot.tree import interaction_language, reply
from cogs.events import _calendar
from cogs.events import _display as display
from cogs.events._recurrence import parse_repeat
from cogs.events._rules import (
    FORMATS,
    Occurrence,
    Schedule,
    check_agree,
    check_capacity,
    check_description,
    check_duration,
    check_link,
    check_place,
    check_times,
    check_title,
    check_venue,
    offsets_to_text,
)
from cogs.events._service import Edit
from cogs.events._views import (
    CANCELLING,
    DescriptionModal,
    EventsFeature,
    ask_cancel,
    ask_overflow,
    finish_edit,
    list_page,
    require_organiser,
)
from cogs.groups.directory import GroupDirectory, GroupRecord
from db.events import EventRecord

# What the refusal names when someone who is no organiser asks.
# What each refusal says was asked (members.require names it).
CREATING = _("create events")
EDITING = _("edit events")
SEEING_ATTENDEES = _("see who answered an event")


# /event create's and edit's format: online (a link), live (a venue) or hybrid (both).
FORMAT_CHOICES = [
    app_commands.Choice(name=name, value=value) for value, name in display.FORMAT_NAMES.items()
]

# Option names, marked once for the catalog: discord.py asks the translator for each option's
# name by itself, so they need no rename decorators.
OPTION_NAMES = (
    C_("command", "audience"),
    C_("command", "capacity"),
    C_("command", "channel"),
    C_("command", "description"),
    C_("command", "duration"),
    C_("command", "end"),
    C_("command", "event"),
    C_("command", "format"),
    C_("command", "link"),
    C_("command", "occurrence"),
    C_("command", "reminders"),
    C_("command", "repeat"),
    C_("command", "start"),
    C_("command", "timezone"),
    C_("command", "thread"),
    C_("command", "title"),
    C_("command", "venue"),
    C_("command", "zone"),
)


@dataclass(frozen=True)
class EditedTimes:
    """What an edit's start, end and duration say: the new start (None: unchanged), the new
    length (None: unchanged), and how each typed time was understood."""

    start: datetime | None
    length: timedelta | None
    notes: list[str]


def shifted(moment: datetime, record: EventRecord, zone: ZoneInfo) -> datetime:
    """``moment`` with its clock time in the event's zone kept in ``zone`` (a zone change)."""
    if zone.key == record.tz:
        return moment
    return moment.astimezone(ZoneInfo(record.tz)).replace(tzinfo=zone)


class EventsCog(commands.Cog, name="Events"):
    """Announcements, RSVPs with waitlists, reminders, series and calendars."""

    # i18n: the feature heading /help shows for event commands
    feature = _("Events")

    event = app_commands.Group(name=C_("command", "event"), description=_("Community events"))
    calendar = app_commands.Group(
        name=C_("command", "calendar"), description=_("Events in your own calendar app")
    )

    def __init__(self, bot: S3Bot, parts: EventsFeature) -> None:
        self.bot = bot
        self.parts = parts
        self.service = parts.service
        self.queries = parts.queries
        self.announce = parts.announce
        self._warming: asyncio.Future[None] | None = None
        self.groups = GroupDirectory(bot)

    async def cog_unload(self) -> None:
        if self._warming is not None:
            await self._warming
        await self.service.close()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """dateparser takes about a second to import: pay it in the background once the bot is
        ready (not during start-up), rather than inside a member's first /event create."""
        if self._warming is None:
            self._warming = asyncio.get_running_loop().run_in_executor(None, warm_up)

    async def require_organiser(
        self,
        interaction: discord.Interaction[Any],
        action: str,
        group: GroupRecord | None = None,
    ) -> None:
        """Organisers; for a working group's or partnership's event, its leads too."""
        await require_organiser(interaction, action, group)

    def read_time(
        self,
        interaction: discord.Interaction[Any],
        text: str,
        zone: ZoneInfo,
        *,
        allow_range: bool = False,
        zone_note: str | None = None,
    ) -> ParsedTime:
        """A time the member typed, read in their language and their locale's date order;
        ``zone_note`` says why ``zone`` when it is not the member's own (see parse_when)."""
        return parse_when(
            text,
            tz=zone,
            now=self.queries.now(),
            language=interaction_language(interaction),
            day_first=day_first(str(interaction.locale.value)),
            allow_range=allow_range,
            zone_note=zone_note,
        )

    async def group_of(self, guild_id: int | None, channel_id: int) -> GroupRecord | None:
        """The group an event belongs to: the one whose channel it is announced in."""
        return await self.groups.of_channel(guild_id, channel_id)

    async def named_group(self, interaction: discord.Interaction[Any], ref: str) -> GroupRecord:
        found = await self.groups.named(interaction.guild_id, ref)
        if found is None:
            raise UserFacingError(_("I don't know that group: pick one from the list."))
        if found.archived:
            raise UserFacingError(
                _("{group} is archived: an organiser can bring it back with /group unarchive."),
                group=found,
            )
        return found

    # -- /event create ------------------------------------------------------------------------

    @event.command(name=C_("command", "create"), description=_("Announce a new event"))
    @app_commands.describe(
        title=_("What the event is called"),
        start=_("When it starts, e.g. 2026-12-03 14:00, 3.12. klo 14 or tomorrow 14:00"),
        format=_("Online (a link), live (a venue) or hybrid (both)"),
        end=_("When it ends (or give a duration)"),
        duration=_("How long it lasts, e.g. 90m or 2h (default 1h)"),
        link=_("The meeting link, for online and hybrid events"),
        venue=_("The place or address, for live and hybrid events"),
        channel=_("Where to announce it (default: the events channel)"),
        audience=_("A role to ping in the announcement"),
        capacity=_("How many places there are (empty: no limit)"),
        reminders=_("When to remind, e.g. 1d, 1h"),
        repeat=_("A repeat rule, e.g. weekly, monthly on the last Friday, or an RRULE"),
        timezone=_("The event's time zone (default: yours)"),
        thread=_("Open a discussion thread under the announcement; reminders go there"),
        group=_("A working group or partnership: its channel and members (its leads may do this)"),
    )
    @app_commands.choices(format=FORMAT_CHOICES)
    async def create(
        self,
        interaction: discord.Interaction[S3Bot],
        title: str,
        start: str,
        format: str,
        end: str | None = None,
        duration: str | None = None,
        link: str | None = None,
        venue: str | None = None,
        channel: discord.TextChannel | None = None,
        audience: discord.Role | None = None,
        capacity: int | None = None,
        reminders: str | None = None,
        repeat: str | None = None,
        timezone: str | None = None,
        thread: bool = False,
        group: str | None = None,
    ) -> None:
        team = await self.named_group(interaction, group) if group else None
        await self.require_organiser(interaction, CREATING, team)
        assert interaction.guild is not None
        if team is not None:
            # The group's channel and role are the event's channel and audience.
            channel = channel or self.bot.get_channel(team.channel_id or 0)  # type: ignore[assignment]
            audience = audience or interaction.guild.get_role(team.role_id or 0)
            if channel is None:
                raise UserFacingError(
                    _("The group's channel is missing: ask an admin to recreate it.")
                )
        language = interaction_language(interaction)
        zone, zone_note = (
            (pick_zone(timezone), None)
            if timezone
            else await self.bot.members.reading_zone(interaction.guild.id, interaction.user.id)
        )
        parsed = self.read_time(interaction, start, zone, allow_range=True, zone_note=zone_note)
        starts = parsed.utc
        notes = parsed.explain(language)
        length_given = parse_duration(duration) if duration else None
        if parsed.end is not None and (end or duration):
            raise UserFacingError(
                _("“{start}” already says when it ends: leave out end and duration."),
                start=start,
            )
        if end:
            parsed_end = self.read_time(interaction, end, zone, zone_note=zone_note)
            ends = parsed_end.utc
            notes += parsed_end.explain(language)
            if length_given is not None:
                check_agree(starts, ends, length_given)
        else:
            ends = parsed.end or starts + (length_given or timedelta(hours=1))
        length = check_times(starts, ends, self.queries.now())
        if format not in FORMATS:
            raise UserFacingError(_("The format must be online, live or hybrid."))
        clean_link = check_link(link) if link else None
        clean_venue = check_venue(venue) if venue else None
        check_place(format, clean_link, clean_venue)
        offsets = parse_offsets(reminders or self.bot.settings.events.reminders)
        rule = parse_repeat(repeat) if repeat else None
        if rule is not None:
            rule.check_start(starts.astimezone(zone))
        target = channel or self.bot.find_channel(
            interaction.guild, self.bot.settings.channels.events
        )
        if target is None:
            raise UserFacingError(_("There is no events channel: pick a channel for the event."))
        record = EventRecord(
            id=0,
            guild_id=interaction.guild.id,
            channel_id=target.id,
            message_id=None,
            thread_id=None,
            organiser_id=interaction.user.id,
            title=check_title(title),
            description="",
            start_local=starts.astimezone(zone),
            tz=zone.key,
            duration=length,
            format=format,
            link=clean_link,
            venue=clean_venue,
            audience_role_id=audience.id if audience else None,
            capacity=check_capacity(capacity),
            reminders=offsets_to_text(offsets),
            rrule=rule.text() if rule else None,
            status="scheduled",
            discord_event_id=None,
            sequence=0,
        )
        await interaction.response.send_modal(
            DescriptionModal(self.parts, language, record, notes, open_thread=thread)
        )

    # -- editing and cancelling ---------------------------------------------------------------

    @event.command(name=C_("command", "edit"), description=_("Change an event or one occurrence"))
    @app_commands.describe(
        event=_("The event to change"),
        occurrence=_("Only this occurrence of a series (default: the whole event)"),
        title=_("A new title"),
        start=_("A new start time"),
        end=_("A new end time"),
        duration=_("A new duration, e.g. 90m"),
        format=_("Online (a link), live (a venue) or hybrid (both)"),
        link=_("A new meeting link"),
        venue=_("A new venue"),
        channel=_("Announce it in another channel (the announcement moves)"),
        audience=_("A new role to ping in the announcement"),
        capacity=_("A new number of places"),
        reminders=_("New reminder offsets, e.g. 1d, 1h"),
        repeat=_("A new repeat rule, e.g. weekly, or an RRULE"),
        timezone=_("A new time zone: the start keeps its clock time there"),
        thread=_("Open (true) or close (false) the discussion thread"),
        clear=_("Remove a setting: the places limit, the audience role, the link or the venue"),
        description=_("A new description"),
    )
    @app_commands.choices(
        format=FORMAT_CHOICES,
        clear=[
            app_commands.Choice(name=_("capacity: no limit on places"), value="capacity"),
            app_commands.Choice(name=_("audience: ping no role"), value="audience"),
            app_commands.Choice(name=_("link: no meeting link"), value="link"),
            app_commands.Choice(name=_("venue: no venue"), value="venue"),
        ],
    )
    async def edit(
        self,
        interaction: discord.Interaction[S3Bot],
        event: int,
        occurrence: str | None = None,
        title: str | None = None,
        start: str | None = None,
        end: str | None = None,
        duration: str | None = None,
        format: str | None = None,
        link: str | None = None,
        venue: str | None = None,
        channel: discord.TextChannel | None = None,
        audience: discord.Role | None = None,
        capacity: int | None = None,
        reminders: str | None = None,
        repeat: str | None = None,
        timezone: str | None = None,
        thread: bool | None = None,
        clear: str | None = None,
        description: str | None = None,
    ) -> None:
        record = await self.queries.load(interaction.guild_id, event)
        team = await self.group_of(interaction.guild_id, record.channel_id)
        await self.require_organiser(interaction, EDITING, team)
        if record.status != "scheduled":
            raise UserFacingError(
                _("Event #{id} is cancelled; create a new one instead."), id=record.id
            )
        before = await self.queries.pick_occurrence(record, occurrence)
        if occurrence:
            whole_only = (title, format, link, venue, channel, audience, capacity, reminders)
            if any(v is not None for v in (*whole_only, repeat, timezone, thread, clear)) or (
                description is not None
            ):
                raise UserFacingError(
                    _(
                        "For one occurrence you can change its start, end and duration; other "
                        "changes apply to the whole event."
                    )
                )
            await self.edit_occurrence(interaction, record, before, start, end, duration)
            return
        if channel is not None and channel.id != record.channel_id:
            await self.require_organiser(
                interaction, EDITING, await self.group_of(interaction.guild_id, channel.id)
            )
        zone = pick_zone(timezone) if timezone else ZoneInfo(record.tz)
        note = None if timezone else await self.event_zone_note(interaction, record, start, end)
        times = self.read_times(interaction, record, before, zone, start, end, duration, note)
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = check_title(title)
        if description is not None:
            changes["description"] = check_description(description)
        if format is not None:
            if format not in FORMATS:
                raise UserFacingError(_("The format must be online, live or hybrid."))
            changes["format"] = format
        if link is not None:
            changes["link"] = check_link(link) if link.strip() else None
        if venue is not None:
            changes["venue"] = check_venue(venue) or None
        if audience is not None:
            changes["audience_role_id"] = audience.id
        if capacity is not None:
            if capacity == 0:
                raise UserFacingError(_("To remove the limit on places, use clear: capacity."))
            changes["capacity"] = check_capacity(capacity)
        if reminders is not None:
            changes["reminders"] = offsets_to_text(parse_offsets(reminders))
        if repeat is not None:
            changes["rrule"] = parse_repeat(repeat).text()
        if clear is not None:
            if clear in changes or (clear == "audience" and "audience_role_id" in changes):
                raise UserFacingError(
                    _("Give {option} a new value or clear it, not both."), option=clear
                )
            changes["audience_role_id" if clear == "audience" else clear] = None
        if times.start is not None:
            changes["start_local"] = times.start.astimezone(zone)
            changes["tz"] = zone.key
        if times.length is not None:
            changes["duration"] = times.length
        moving = channel is not None and channel.id != record.channel_id
        if moving:
            assert channel is not None
            changes["channel_id"] = channel.id
        toggles = thread is not None and thread != (record.thread_id is not None)
        if not changes and not toggles:
            raise UserFacingError(_("Tell me what to change: give at least one new value."))
        updated = replace(record, **changes)
        check_place(updated.format, updated.link, updated.venue)
        ahead = bool(start) or (times.start is not None and not updated.rrule)
        self.check_schedule(updated, start_ahead=ahead)
        plan = Edit(record, updated, before, channel if moving else None, thread)
        crowded = await self.queries.crowded(record, updated.capacity)
        if crowded:
            await ask_overflow(interaction, self.parts, plan, times.notes, crowded)
            return
        await finish_edit(interaction, self.parts, plan, times.notes)

    def read_times(
        self,
        interaction: discord.Interaction[Any],
        record: EventRecord,
        before: Occurrence,
        zone: ZoneInfo,
        start: str | None,
        end: str | None,
        duration: str | None,
        zone_note: str | None = None,
    ) -> EditedTimes:
        """The start, end and duration an edit gives, read as /event create reads them; a new
        zone alone keeps the start's clock time in it. ``length`` only when it changes."""
        language = interaction_language(interaction)
        notes: list[str] = []
        new_start: datetime | None = None
        range_end: datetime | None = None
        if start:
            parsed = self.read_time(interaction, start, zone, allow_range=True, zone_note=zone_note)
            new_start, range_end = parsed.utc, parsed.end
            notes += parsed.explain(language)
            if range_end is not None and (end or duration):
                raise UserFacingError(
                    _("“{start}” already says when it ends: leave out end and duration."),
                    start=start,
                )
        elif zone.key != record.tz:
            new_start = record.start_local.replace(tzinfo=zone)
        length = parse_duration(duration) if duration else None
        if end:
            parsed_end = self.read_time(interaction, end, zone, zone_note=zone_note)
            notes += parsed_end.explain(language)
            base = new_start if start else shifted(before.start, record, zone)
            assert base is not None
            if length is not None:
                check_agree(base, parsed_end.utc, length)
            length = parsed_end.utc - base
        elif range_end is not None and new_start is not None:
            length = range_end - new_start
        return EditedTimes(new_start, check_duration(length) if length is not None else None, notes)

    async def event_zone_note(
        self,
        interaction: discord.Interaction[Any],
        record: EventRecord,
        start: str | None,
        end: str | None,
    ) -> str | None:
        """An edit reads times in the event's zone: say so unless it is the member's own."""
        if not (start or end) or interaction.guild is None:
            return None
        mine, unset = await self.bot.members.reading_zone(interaction.guild.id, interaction.user.id)
        return EVENT_ZONE_NOTE if unset or mine.key != record.tz else None

    def check_schedule(self, updated: EventRecord, *, start_ahead: bool) -> None:
        """An edited schedule's checks: the start fits the repeat rule, a new start is ahead,
        some date is; returns the date the announcement will show."""
        now = self.queries.now()
        if updated.rrule:
            parse_repeat(updated.rrule).check_start(updated.start_local)
        if start_ahead:
            check_times(updated.start_local, updated.start_local + updated.duration, now)
        if Schedule(updated.start_local, updated.duration, updated.rrule).shown({}, now) is None:
            raise UserFacingError(
                _("After this change event #{id} would have no date ahead."), id=updated.id
            )

    async def edit_occurrence(
        self,
        interaction: discord.Interaction[S3Bot],
        record: EventRecord,
        before: Occurrence,
        start: str | None,
        end: str | None,
        duration: str | None,
    ) -> None:
        """/event edit occurrence: one date of a series gets a new start or length."""
        language = interaction_language(interaction)
        zone = ZoneInfo(record.tz)
        note = await self.event_zone_note(interaction, record, start, end)
        times = self.read_times(interaction, record, before, zone, start, end, duration, note)
        if times.start is None and times.length is None:
            raise UserFacingError(_("Tell me what to change: start, end or duration."))
        starts = times.start or before.start
        length = times.length or (before.end - before.start)
        if times.start is not None:
            check_times(starts, starts + length, self.queries.now())
        after = await self.service.move_occurrence(record, before, starts, length)
        text = "\n".join([display.updated_text(language, record.id, after), *times.notes])
        await answer_then(
            interaction,
            reply(interaction, text),
            partial(self.announce.changed, record),
            partial(self.service.mirror, record),
        )

    @event.command(
        name=C_("command", "cancel"),
        description=_("Cancel an event or one occurrence (asks first)"),
    )
    @app_commands.describe(
        event=_("The event to cancel"), occurrence=_("Only this occurrence of a series")
    )
    async def cancel(
        self, interaction: discord.Interaction[S3Bot], event: int, occurrence: str | None = None
    ) -> None:
        record = await self.queries.load(interaction.guild_id, event)
        team = await self.group_of(interaction.guild_id, record.channel_id)
        await self.require_organiser(interaction, CANCELLING, team)
        if record.status != "scheduled":
            raise UserFacingError(_("Event #{id} is already cancelled."), id=record.id)
        target = await self.queries.pick_occurrence(record, occurrence)
        await ask_cancel(interaction, self.parts, record, target, whole=occurrence is None)

    # -- browsing -----------------------------------------------------------------------------

    @event.command(name=C_("command", "list"), description=_("Upcoming events and your answers"))
    @app_commands.describe(group=_("Only this group's events"))
    async def list_events(
        self, interaction: discord.Interaction[S3Bot], group: str | None = None
    ) -> None:
        team = await self.named_group(interaction, group) if group else None
        embed, view = await list_page(
            self.queries, interaction, 0, team.channel_id or 0 if team else 0
        )
        await reply(interaction, embed=embed, view=view or discord.utils.MISSING)

    @event.command(name=C_("command", "info"), description=_("Everything about one event"))
    @app_commands.describe(event=_("The event"))
    async def info(self, interaction: discord.Interaction[S3Bot], event: int) -> None:
        language = interaction_language(interaction)
        record = await self.queries.load_seen(interaction, event)
        embed = display.info_embed(
            language,
            record,
            await self.queries.shown(record),
            self.queries.repeat_text(language, record),
            await self.queries.next_dates(record, limit=5),
        )
        await reply(interaction, embed=embed)

    @event.command(
        name=C_("command", "attendees"),
        description=_("Who answered what, with a CSV file (organisers)"),
    )
    @app_commands.describe(event=_("The event"), occurrence=_("One occurrence of a series"))
    async def attendees(
        self, interaction: discord.Interaction[S3Bot], event: int, occurrence: str | None = None
    ) -> None:
        await self.require_organiser(interaction, SEEING_ATTENDEES)
        language = interaction_language(interaction)
        record = await self.queries.load(interaction.guild_id, event)
        target = await self.queries.pick_occurrence(record, occurrence, past=True)
        rows = await self.queries.answers(record.id, target.key)
        names = {r.user_id: self.bot.members.display_name(record.guild_id, r.user_id) for r in rows}
        file = discord.File(
            io.BytesIO(display.attendees_csv(rows, names)),
            filename=f"event-{record.id}-attendees.csv",
        )
        await reply(
            interaction,
            embed=display.attendees_embed(language, record, target, rows, names),
            file=file,
        )

    # -- calendars ----------------------------------------------------------------------------

    @event.command(
        name=C_("command", "ics"), description=_("A calendar file for an event or series")
    )
    @app_commands.describe(event=_("The event"))
    async def ics(self, interaction: discord.Interaction[S3Bot], event: int) -> None:
        language = interaction_language(interaction)
        record = await self.queries.load_seen(interaction, event)
        data = _calendar.build_calendar(
            await self.queries.calendar_entries([record]), name=record.title, now=self.queries.now()
        )
        await reply(
            interaction,
            display.ics_text(language, record),
            file=discord.File(io.BytesIO(data), filename=f"event-{record.id}.ics"),
        )

    @calendar.command(
        name=C_("command", "link"), description=_("A calendar feed of all events to subscribe to")
    )
    async def calendar_link(self, interaction: discord.Interaction[S3Bot]) -> None:
        language = interaction_language(interaction)
        if self.bot.web is None:
            raise UserFacingError(
                _(
                    "Calendar feeds are off here: an admin can turn on the web "
                    "server in the settings."
                )
            )
        token = await self.service.feed_token(interaction.guild_id or 0)
        url = f"{self.bot.settings.web.public_base_url}/calendar/{token}.ics"
        await reply(interaction, display.feed_text(language, url))

    # -- autocomplete -------------------------------------------------------------------------

    @edit.autocomplete("event")
    @cancel.autocomplete("event")
    @info.autocomplete("event")
    @attendees.autocomplete("event")
    @ics.autocomplete("event")
    async def _event_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[int]]:
        needle = current.lower().lstrip("#")
        choices = []
        asking = asker(interaction)
        for record in await self.queries.in_guild(interaction.guild_id or 0):
            if not self.queries.visible(record, asking):
                continue
            label = f"#{record.id} {record.title}"
            if needle in label.lower():
                choices.append(app_commands.Choice(name=label[:100], value=record.id))
        return choices[-25:]

    @create.autocomplete("group")
    @list_events.autocomplete("group")
    async def _group_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        found = await self.groups.choices(
            interaction.guild_id, interaction_language(interaction), current
        )
        return [app_commands.Choice(name=name, value=value) for name, value in found]

    @edit.autocomplete("occurrence")
    @cancel.autocomplete("occurrence")
    @attendees.autocomplete("occurrence")
    async def _occurrence_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        event_id = getattr(interaction.namespace, "event", None)
        if not isinstance(event_id, int):
            return []
        record = await self.queries.find(event_id, interaction.guild_id or 0)
        if record is None:
            return []
        language = interaction_language(interaction)
        choices = []
        for occurrence in await self.queries.next_dates(record, limit=25):
            label = display.occurrence_label(language, record, occurrence)
            if current.lower() in label.lower():
                choices.append(app_commands.Choice(name=label, value=occurrence.key))
        return choices

    @create.autocomplete("timezone")
    @edit.autocomplete("timezone")
    async def _create_zone_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    @create.autocomplete("reminders")
    @edit.autocomplete("reminders")
    async def _offset_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        presets = [self.bot.settings.events.reminders, "1d, 1h", "2d, 1h", "1h", "15m", "1w, 1d"]
        if current:
            with contextlib.suppress(UserFacingError):
                presets.insert(0, ", ".join(format_offset(o) for o in parse_offsets(current)))
        unique = list(dict.fromkeys(presets))
        return [app_commands.Choice(name=p, value=p) for p in unique[:25]]
