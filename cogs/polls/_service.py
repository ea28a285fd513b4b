"""What polls do, apart from the slash commands that ask for it.

Fixing the electorate, storing and posting a poll with its planned close and reminder, the ballot
(opening, ranking step by step, casting with every rule checked again), keeping the poll message
in step, closing exactly once (scheduled or by hand) with the final results and chart, and
reminding members who have not voted. Commands (``_cog.py``) and components (``_views.py``) both
call this one service. Nothing here logs who cast which ballot.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar, cast

import discord

from bot.answering import defer, reply, update
from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.members import Who
from bot.regions import RegionRef
from bot.scheduler import RunContext
from bot.tree import interaction_language
from cogs.groups.directory import GroupDirectory, GroupRecord
from cogs.polls._count import Mode, Result, count
from cogs.polls._display import (
    CHART_NAME,
    Electorate,
    ballot_rules,
    chart_png,
    electorate_of,
    ordinal,
    poll_embed,
    results_text,
    rule_line,
    turnout_line,
)
from cogs.polls._rules import check_ballot, check_electorate, empty_electorate
from cogs.polls._views import choice_view, poll_view, quick_view, ranked_view
from db.polls import (
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
    voter,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

CLOSE = "poll.close"
REMIND = "poll.remind"


def key_prefix(poll_id: int) -> str:
    """Every scheduled action of one poll has a key starting with this."""
    return f"poll:{poll_id}:"


def unknown_poll(poll_id: int) -> UserFacingError:
    return UserFacingError(
        _("I can't find poll #{id}. Pick one from the list as you type."), id=poll_id
    )


def asker(interaction: discord.Interaction[Any]) -> discord.Member | int:
    """Who is asking, as :meth:`bot.members.Members.sees` takes them (the id outside a guild,
    where nobody sees a guild's channels)."""
    user = interaction.user
    return user if isinstance(user, discord.Member) else user.id


class NotInElectorateError(Exception):
    """The member is not in the poll's electorate (turned into a message naming it)."""

    def __init__(self, poll: PollRecord) -> None:
        super().__init__(poll.id)
        self.poll = poll


ENDING = _("end this poll")
LISTING_VOTERS = _("see who voted in this poll")


def closed_error() -> UserFacingError:
    return UserFacingError(_("This poll has closed: votes are no longer taken."))


class PollService:
    """The polls feature's behaviour, shared by its commands, components and scheduled actions."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self.polls = Polls(bot.db)
        self.groups = GroupDirectory(bot)
        self.members = bot.members
        self._refreshing: dict[int, asyncio.Task[None]] = {}
        # Open polls' electorates and the units that have voted, read once (see _open_ballots).
        self._open: dict[int, asyncio.Future[OpenBallots | None]] = {}
        self._voted: dict[int, set[str]] = {}
        # seconds: a burst of votes becomes one edit of the poll message
        self.refresh_delay = bot.settings.polls.message_refresh_seconds

    def register(self) -> None:
        # A close never expires: after any outage the poll still closes, late, and says so once.
        self.bot.scheduler.register(CLOSE, self._on_close, expires=False)
        self.bot.scheduler.register(REMIND, self._on_remind)

    async def close_service(self) -> None:
        """Finish poll message edits still waiting."""
        for task in list(self._refreshing.values()):
            await task

    def now(self) -> datetime:
        return self.bot.clock.now()

    def guild_language(self) -> str:
        return self.bot.default_language

    def accepting(self, poll: PollRecord) -> bool:
        """Open, and its close time (if any) not reached: a vote a second late is refused even if
        the scheduled close has not run yet."""
        return poll.is_open and (poll.closes_at is None or self.now() < poll.closes_at)

    async def named_group(self, guild_id: int | None, ref: str) -> GroupRecord:
        """The group ``group:`` names: the id its autocomplete sends, or a name typed in either
        language; an unknown or archived one is refused."""
        found = await self.groups.named(guild_id, ref)
        if found is None or found.archived:
            raise UserFacingError(
                _("I don't know the group “{group}”: pick one from the list as you type."),
                group=ref,
            )
        return found

    async def group_choices(
        self, guild_id: int | None, language: str, typed: str
    ) -> list[tuple[str, str]]:
        """Autocomplete of ``group:``: (name in the member's language, id) of the groups whose
        name in either language holds what was typed."""
        return await self.groups.choices(guild_id, language, typed)

    async def poll_choices(
        self, guild_id: int | None, typed: str, who: discord.Member | int
    ) -> list[tuple[str, int]]:
        """Autocomplete of ``poll:``: the polls ``who`` can see, open first, then closed ones,
        as ``#id question``."""
        needle = typed.lower().lstrip("#")
        found = []
        for status in ("open", "closed"):
            for record in await self.polls.in_guild(guild_id or 0, status=status):
                label = f"#{record.id} {record.question}"
                if needle in label.lower() and self.visible(record, who):
                    found.append((label[:100], record.id))
        return found[:25]

    async def creators(self, group: GroupRecord | None) -> list[Who]:
        """Who may open a poll besides organisers: for a group's poll, the group's leads."""
        if group is None:
            return []
        group_id = group.id

        async def leads(member: discord.Member) -> bool:
            return await self.groups.is_lead(group_id, member.id)

        return [Who(_("the leads of {group}"), leads, {"group": group.name})]

    async def _commit(self, work: Callable[[sqlite3.Connection], T], *, batched: bool = False) -> T:
        """The one way polls' changes are stored: ``work`` in one transaction, then the
        scheduler re-armed if the plan changed. ``batched``: a ballot of a burst, its
        transaction shared with the others arriving meanwhile (``Database.batched``)."""
        store = self.bot.db.batched if batched else self.bot.db.write
        result = await store(work)
        await self.bot.scheduler.rearm_if_changed()
        return result

    async def load(self, guild_id: int | None, poll_id: int) -> PollRecord:
        poll = await self.polls.get(poll_id)
        if poll is None or poll.guild_id != guild_id:
            raise unknown_poll(poll_id)
        return poll

    def visible(self, poll: PollRecord, who: discord.Member | int | None) -> bool:
        """Whether ``who`` can see the channel the poll is posted in. To anyone else the poll
        does not exist, as an event in a channel they cannot see: not listed, not offered as
        they type, its results answered as for an unknown id."""
        return self.members.sees(poll.guild_id, poll.channel_id, who)

    async def load_seen(self, interaction: discord.Interaction[Any], poll_id: int) -> PollRecord:
        """A poll the member can see, or the same refusal as for an unknown id."""
        poll = await self.load(interaction.guild_id, poll_id)
        if not self.visible(poll, asker(interaction)):
            raise unknown_poll(poll_id)
        return poll

    # -- the electorate -----------------------------------------------------------------------

    async def electorate(
        self,
        guild: discord.Guild,
        kind: str,
        *,
        channel: discord.abc.GuildChannel | None,
        role: discord.Role | None,
        group_id: int | None,
    ) -> list[Elector]:
        """Who may vote, fixed now: members who can see the channel, hold the role, belong to the
        group, or (one vote per region) the group's members under their profile's region. An
        empty electorate is refused, saying what would fill it."""
        if kind == "channel":
            assert channel is not None
            people = [
                m.id for m in guild.members if not m.bot and channel.permissions_for(m).view_channel
            ]
            if not people:
                raise empty_electorate(kind, channel=f"<#{channel.id}>")
            return [Elector(u, str(u)) for u in people]
        if kind == "role":
            if role is None:
                raise UserFacingError(_("Pick the role whose members vote."))
            electors = [Elector(m.id, str(m.id)) for m in role.members if not m.bot]
            if not electors:
                raise empty_electorate(kind, role=f"<@&{role.id}>")
            return electors
        if group_id is None:
            raise UserFacingError(_("Pick the group whose members vote."))
        members = await self.groups.member_ids(group_id)
        if kind == "group":
            electors = [Elector(u, str(u)) for u in members]
        else:
            profiles = await self.groups.profiles(guild.id, members)
            electors = [
                Elector(u, key)
                for u in members
                if (profile := profiles.get(u)) is not None and (key := profile.region_key)
            ]
        if not electors:
            raise empty_electorate(kind, group=await self.groups.get(group_id))
        return electors

    async def describe_electorate(self, poll: PollRecord, language: str) -> Electorate:
        name = None
        if poll.electorate_kind in ("group", "region"):
            group = await self.groups.get(poll.electorate_ref)
            name = group.display_name(language) if group else None
        return electorate_of(poll, name)

    def unit_name(self, poll: PollRecord, unit: str, language: str) -> str:
        if poll.electorate_kind == "region":
            return RegionRef.from_key(unit).display(language)
        return self.members.display_name(poll.guild_id, int(unit))

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
        embed, view, _files = await self.render(poll)
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

    async def results_answer(self, record: PollRecord, language: str) -> tuple[str, discord.File]:
        """What /poll results shows: turnout, the counts or rounds with the winners, and the
        chart."""
        result = await self.result(record)
        turnout = await self.polls.turnout(record.id)
        text = results_text(language, record, result, turnout)
        return text, await self.chart(language, record, result)

    async def export_file(self, record: PollRecord, language: str) -> discord.File:
        """Secret polls: anonymous ballots shuffled; public polls: each ballot with its voter."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        ranked = record.mode == "ranked"
        width = record.max_choices
        columns = [ordinal(language, n) for n in range(1, width + 1)] if ranked else []
        header = ["ballot"] if record.secret else ["voter"]
        writer.writerow(header + (columns if ranked else list(record.options)))
        if record.secret:
            rows: list[tuple[str, tuple[int, ...]]] = [
                ("", b) for b in await self.polls.ballots(record.id)
            ]
            secrets.SystemRandom().shuffle(rows)
            rows = [(str(n), b) for n, (_unused, b) in enumerate(rows, start=1)]
        else:
            rows = [
                (self.unit_name(record, unit, language), b)
                for unit, b in await self.polls.public_ballots(record.id)
            ]
        for first, ballot in rows:
            if ranked:
                cells = [record.options[c] for c in ballot] + [""] * (width - len(ballot))
            else:
                cells = ["1" if i in ballot else "0" for i in range(len(record.options))]
            writer.writerow([first, *cells])
        data = buffer.getvalue().encode("utf-8-sig")
        return discord.File(io.BytesIO(data), filename=f"poll-{record.id}-ballots.csv")

    async def open_polls_text(
        self, guild_id: int | None, language: str, who: discord.Member | int
    ) -> str | None:
        """/poll list: the open polls under their group's name (or the whole community), each
        with its turnout and close; None when none is open."""
        open_polls = [r for r in await self.polls.in_guild(guild_id or 0) if self.visible(r, who)]
        if not open_polls:
            return None
        sections: dict[str, list[str]] = {}
        for record in open_polls:
            heading = translate(language, _("Whole community"))
            if record.group_id is not None:
                group = await self.groups.get(record.group_id)
                heading = group.display_name(language) if group else heading
            turnout = await self.polls.turnout(record.id)
            closes = f" · <t:{int(record.closes_at.timestamp())}:R>" if record.closes_at else ""
            link = (
                f"https://discord.com/channels/{record.guild_id}/{record.channel_id}/"
                f"{record.message_id}"
            )
            sections.setdefault(heading, []).append(
                f"#{record.id} [{record.question[:80]}]({link}) · "
                f"{turnout_line(language, record, turnout)}{closes}"
            )
        return "\n\n".join(f"**{h}**\n" + "\n".join(lines) for h, lines in sections.items())

    async def result(self, poll: PollRecord) -> Result:
        return count(
            cast(Mode, poll.mode),
            len(poll.options),
            await self.polls.ballots(poll.id),
            seats=poll.winners,
            electorate=poll.electorate_size,
            quorum_percent=poll.quorum_percent,
        )

    async def render(
        self, poll: PollRecord, language: str | None = None
    ) -> tuple[discord.Embed, discord.ui.View | None, list[discord.File]]:
        """The poll message: live results while open if the poll shows them, final after close
        (with the chart)."""
        language = language or self.guild_language()
        turnout = await self.polls.turnout(poll.id)
        shown = await self.result(poll) if poll.live_results or not poll.is_open else None
        electorate = await self.describe_electorate(poll, language)
        embed = poll_embed(language, poll, turnout, electorate, shown)
        if poll.is_open:
            return embed, poll_view(language, poll.id), []
        assert shown is not None
        return embed, None, [await self.chart(language, poll, shown)]

    async def chart(self, language: str, poll: PollRecord, result: Result) -> discord.File:
        """The chart, drawn in a worker thread (matplotlib is slow to import and draw)."""
        loop = asyncio.get_running_loop()
        png = await loop.run_in_executor(None, chart_png, language, poll, result)
        return discord.File(io.BytesIO(png), filename=CHART_NAME)

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
        poll = await self.polls.get(poll_id)
        if poll is not None and poll.is_open:
            await self.refresh(poll)

    async def refresh(self, poll: PollRecord) -> None:
        """Bring the poll message in line with the database."""
        if poll.message_id is None:
            return
        channel = self.bot.get_channel(poll.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return
        embed, view, files = await self.render(poll)
        try:
            await channel.get_partial_message(poll.message_id).edit(
                embed=embed, view=view, attachments=files
            )
        except discord.HTTPException as exc:
            log.warning("could not update the message of poll %s: %s", poll.id, exc)

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
                raise await self.outsider(interaction, known.poll)
            if unit not in self._voted.get(poll_id, ()):
                return known.poll, unit, None
        found = await self._commit(
            partial(voter, poll_id=poll_id, user_id=interaction.user.id), batched=True
        )
        try:
            poll, unit = self._admit(interaction.guild_id, poll_id, found)
        except NotInElectorateError as outside:
            raise await self.outsider(interaction, outside.poll) from None
        return poll, unit, found.current

    async def outsider(
        self, interaction: discord.Interaction[Any], poll: PollRecord
    ) -> UserFacingError:
        language = interaction_language(interaction)
        electorate = await self.describe_electorate(poll, language)
        return UserFacingError(
            _("You are not in this poll's electorate: it was fixed when the poll opened ({who})."),
            who=translate(language, electorate.text, ref=electorate.ref),
        )

    def ballot_header(
        self, language: str, poll: PollRecord, unit: str, current: tuple[int, ...] | None
    ) -> str:
        lines = [f"**{poll.question}**", rule_line(language, poll)]
        if poll.electorate_kind == "region":
            lines.append(
                translate(
                    language,
                    _(
                        "You vote for {region}: any member from it can cast or change its one "
                        "ballot, and the last change stands."
                    ),
                    region=self.unit_name(poll, unit, language),
                )
            )
        if current:
            lines.append(
                translate(
                    language, _("Current vote: {choices}"), choices=self.choices_text(poll, current)
                )
            )
        else:
            lines.append(translate(language, _("No vote recorded yet.")))
        return "\n".join(lines)

    def choices_text(self, poll: PollRecord, choices: tuple[int, ...]) -> str:
        if poll.mode == "ranked":
            return ", ".join(f"{n}. {poll.options[c]}" for n, c in enumerate(choices, start=1))
        return ", ".join(poll.options[c] for c in choices)

    async def open_ballot(self, interaction: discord.Interaction[Any], poll_id: int) -> None:
        """The member's ballot, ephemeral, with their current vote."""
        language = interaction_language(interaction)
        poll, unit, current = await self._voter(interaction, poll_id)
        header = self.ballot_header(language, poll, unit, current)
        if poll.mode == "ranked":
            view = ranked_view(language, poll, ())
            header += "\n" + translate(
                language,
                _("Pick your {choice}, one at a time; then press Done."),
                choice=ordinal(language, 1),
            )
        else:
            view = choice_view(language, poll, current)
        await reply(interaction, header, view=view)

    async def rank_step(
        self, interaction: discord.Interaction[Any], poll_id: int, picks: tuple[int, ...]
    ) -> None:
        """One more pick (or a cleared ranking): show the ranking so far and the next choice."""
        language = interaction_language(interaction)
        poll, unit, current = await self._voter(interaction, poll_id)
        if (
            len(set(picks)) != len(picks)
            or any(not 0 <= p < len(poll.options) for p in picks)
            or len(picks) > poll.max_choices
        ):
            raise UserFacingError(_("That option is not in this poll."))
        lines = [self.ballot_header(language, poll, unit, current)]
        if picks:
            lines.append(
                translate(
                    language,
                    _("Your ranking so far: {ranking}"),
                    ranking=self.choices_text(poll, picks),
                )
            )
        if len(picks) < min(poll.max_choices, len(poll.options)):
            lines.append(
                translate(
                    language,
                    _("Pick your {choice}, or press Done."),
                    choice=ordinal(language, len(picks) + 1),
                )
            )
        await update(interaction, content="\n".join(lines), view=ranked_view(language, poll, picks))

    async def cast(
        self, interaction: discord.Interaction[Any], poll_id: int, choices: list[int]
    ) -> None:
        """Check the ballot against every rule, store it (replacing the unit's earlier one), and
        give the member a receipt. A refused ballot records nothing."""
        language = interaction_language(interaction)
        guild_id = interaction.guild_id

        def decide(found: Voter) -> tuple[int, ...]:
            poll, _unit = self._admit(guild_id, poll_id, found)
            return check_ballot(ballot_rules(poll, open=True), choices)

        try:
            done = await self._commit(
                partial(cast_ballot, poll_id=poll_id, user_id=interaction.user.id, decide=decide),
                batched=True,
            )
        except NotInElectorateError as outside:
            raise await self.outsider(interaction, outside.poll) from None
        except PollClosedError:
            raise closed_error() from None
        poll, unit, ballot, replaced = done.poll, done.unit, done.ballot, done.replaced
        if poll.id in self._voted:
            self._voted[poll.id].add(unit)
        lines = [
            translate(
                language,
                _("Recorded for **{question}**: {choices}"),
                question=poll.question,
                choices=self.choices_text(poll, ballot),
            )
        ]
        if poll.electorate_kind == "region":
            lines.append(
                translate(
                    language,
                    _("This is the ballot of {region}."),
                    region=self.unit_name(poll, unit, language),
                )
            )
        if poll.secret:
            lines.append(
                translate(language, _("Your ballot is secret: it is stored without your name."))
            )
        until = (
            translate(
                language,
                _("You can change it until <t:{when}:F>."),
                when=int(poll.closes_at.timestamp()),
            )
            if poll.closes_at
            else translate(language, _("You can change it until the poll closes."))
        )
        lines.append(until)
        # The receipt replaces the ballot; Vote opens it again to change the vote.
        await update(interaction, content="\n".join(lines), view=None)
        self.request_refresh(poll.id)
        if poll.electorate_kind == "region":
            await self.tell_region(poll, unit, interaction.user.id, ballot, replaced)

    async def tell_region(
        self, poll: PollRecord, unit: str, by: int, ballot: tuple[int, ...], replaced: bool
    ) -> None:
        """The region's other members hear who cast or changed its ballot, and what it is now."""
        others = [u for u in await self.polls.members_of_unit(poll.id, unit) if u != by]
        name = self.members.display_name(poll.guild_id, by)

        def compose(language: str) -> str:
            return translate(
                language,
                _("{name} changed {region}'s ballot in “{question}”: {choices}")
                if replaced
                else _("{name} cast {region}'s ballot in “{question}”: {choices}"),
                name=name,
                region=self.unit_name(poll, unit, language),
                question=poll.question,
                choices=self.choices_text(poll, ballot),
            )

        await self.members.dm_each(poll.guild_id, others, compose)

    # -- closing ------------------------------------------------------------------------------

    async def finish(self, poll_id: int) -> PollRecord | None:
        """Close the poll (once, whoever asks first), cancel what was planned, and show the
        final results. Safe to call again: the message edit is the same each time."""
        self._forget(poll_id)
        now = self.now()

        def work(conn: sqlite3.Connection) -> bool:
            closed = close(conn, poll_id, now)
            if closed:
                self.bot.scheduler.cancel(conn, key_prefix(poll_id))
            return closed

        if await self._commit(work):
            await self.polls.truncate_log(poll_id)
            log.info("poll %s closed", poll_id)
        poll = await self.polls.get(poll_id)
        if poll is not None:
            await self.refresh(poll)
            await self.tell_closed(poll)
        return poll

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
            self.guild_language(),
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

    async def _on_close(self, ctx: RunContext) -> None:
        await self.finish(int(ctx.action.payload["poll"]))

    async def _dm(self, user_id: int, text: str, nonce: str) -> None:
        await self.members.dm(user_id, nonce=nonce, content=text)

    async def _on_remind(self, ctx: RunContext) -> None:
        """DM each member who has not voted yet (once each, even if the bot restarts mid-way)."""
        poll = await self.polls.get(int(ctx.action.payload["poll"]))
        if poll is None or not self.accepting(poll):
            return
        missing = await self.polls.non_voters(poll.id)
        languages = await self.members.languages(poll.guild_id, missing)
        link = f"https://discord.com/channels/{poll.guild_id}/{poll.channel_id}/{poll.message_id}"
        for user_id, language in languages.items():
            text = translate(
                language,
                _(
                    "Reminder: you have not voted yet in “{question}”. It closes <t:{when}:R>: "
                    "{link}"
                ),
                question=poll.question,
                when=int(poll.closes_at.timestamp()) if poll.closes_at else 0,
                link=link,
            )
            await ctx.once(f"dm:{user_id}", partial(self._dm, user_id, text))

    # -- quick polls (Discord's own) ----------------------------------------------------------

    async def _quick_poll(
        self, interaction: discord.Interaction[Any], creator_id: int, action: str
    ) -> discord.Poll:
        """The quick poll a button sits on, if the member posted it or organises."""

        async def is_creator(member: discord.Member) -> bool:
            return member.id == creator_id

        await self.members.require(
            interaction,
            Who(_("the poll's creator"), is_creator),
            self.members.organisers,
            action=action,
        )
        poll = interaction.message.poll if interaction.message else None
        if poll is None:
            raise UserFacingError(_("This message has no poll."))
        return poll

    async def end_quick(self, interaction: discord.Interaction[Any], creator_id: int) -> None:
        """End a quick poll now: Discord makes its results final and posts them under it."""
        poll = await self._quick_poll(interaction, creator_id, ENDING)
        ended = quick_view(self.guild_language(), creator_id, ended=True)
        if poll.is_finalised():
            await update(interaction, view=ended)
            raise UserFacingError(_("This poll has already ended."))
        try:
            await poll.end()
        except discord.HTTPException as exc:
            log.warning("could not end a quick poll: %s", exc)
            raise UserFacingError(_("Discord did not end the poll; try again.")) from None
        await update(interaction, view=ended)

    async def quick_voters(self, interaction: discord.Interaction[Any], creator_id: int) -> None:
        """Who chose each answer, as a CSV file (Discord shows voters to everyone; the file is
        for the organiser's records). Read 100 voters at a time from Discord."""
        poll = await self._quick_poll(interaction, creator_id, LISTING_VOTERS)
        language = interaction_language(interaction)
        await defer(interaction)
        guild_id = interaction.guild_id or 0
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([translate(language, _("answer")), translate(language, _("voter")), "id"])
        voters = 0
        for answer in poll.answers:
            found = [user async for user in answer.voters()]
            for user in sorted(found, key=lambda u: u.id):
                name = self.members.display_name(guild_id, user.id)
                writer.writerow([answer.text, name, str(user.id)])
            voters += len(found)
        data = buffer.getvalue().encode("utf-8-sig")
        await reply(
            interaction,
            translate(
                language,
                _("Who chose each answer of “{question}” ({votes} votes)."),
                question=poll.question,
                votes=voters,
            ),
            file=discord.File(io.BytesIO(data), filename="poll-voters.csv"),
        )
