"""What polls' commands, components, announcer and service read: a poll the member may see,
the electorate, autocomplete, the list, results, the ballots' export and the poll message's
content. Nothing here writes (the service does)."""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
from datetime import datetime
from typing import Any, cast

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.members import Who, asker
from bot.regions import RegionRef
from bot.tree import interaction_language
from cogs.groups.directory import GroupDirectory, GroupRecord
from cogs.polls._count import Mode, Result, count
from cogs.polls._display import (
    CHART_NAME,
    Electorate,
    chart_png,
    electorate_of,
    ordinal,
    poll_embed,
    results_text,
    turnout_line,
)
from cogs.polls._rules import empty_electorate
from cogs.polls._views import poll_view
from db.polls import Elector, PollRecord, Polls


def unknown_poll(poll_id: int) -> UserFacingError:
    return UserFacingError(
        _("I can't find poll #{id}. Pick one from the list as you type."), id=poll_id
    )


class PollQueries:
    """Reads for the polls feature, each a trip or a few."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self._polls = Polls(bot.db)
        self._groups = GroupDirectory(bot)
        self.members = bot.members

    async def get(self, poll_id: int) -> PollRecord | None:
        return await self._polls.get(poll_id)

    async def non_voters(self, poll_id: int) -> list[int]:
        """Members whose unit has not voted yet (while the poll is open)."""
        return await self._polls.non_voters(poll_id)

    def now(self) -> datetime:
        return self.bot.clock.now()

    def guild_language(self) -> str:
        return self.bot.default_language

    async def named_group(self, guild_id: int | None, ref: str) -> GroupRecord:
        """The group ``group:`` names: the id its autocomplete sends, or a name typed in either
        language; an unknown or archived one is refused."""
        found = await self._groups.named(guild_id, ref)
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
        return await self._groups.choices(guild_id, language, typed)

    async def poll_choices(
        self, guild_id: int | None, typed: str, who: discord.Member | int
    ) -> list[tuple[str, int]]:
        """Autocomplete of ``poll:``: the polls ``who`` can see, open first, then closed ones,
        as ``#id question``."""
        needle = typed.lower().lstrip("#")
        found = []
        for status in ("open", "closed"):
            for record in await self._polls.in_guild(guild_id or 0, status=status):
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
            return await self._groups.is_lead(group_id, member.id)

        return [Who(_("the leads of {group}"), leads, {"group": group.name})]

    async def load(self, guild_id: int | None, poll_id: int) -> PollRecord:
        poll = await self._polls.get(poll_id)
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
        members = await self._groups.member_ids(group_id)
        if kind == "group":
            electors = [Elector(u, str(u)) for u in members]
        else:
            profiles = await self._groups.profiles(guild.id, members)
            electors = [
                Elector(u, key)
                for u in members
                if (profile := profiles.get(u)) is not None and (key := profile.region_key)
            ]
        if not electors:
            raise empty_electorate(kind, group=await self._groups.get(group_id))
        return electors

    async def describe_electorate(self, poll: PollRecord, language: str) -> Electorate:
        name = None
        if poll.electorate_kind in ("group", "region"):
            group = await self._groups.get(poll.electorate_ref)
            name = group.display_name(language) if group else None
        return electorate_of(poll, name)

    def unit_name(self, poll: PollRecord, unit: str, language: str) -> str:
        if poll.electorate_kind == "region":
            return RegionRef.from_key(unit).display(language)
        return self.members.display_name(poll.guild_id, int(unit))

    async def outsider(
        self, interaction: discord.Interaction[Any], poll: PollRecord
    ) -> UserFacingError:
        language = interaction_language(interaction)
        electorate = await self.describe_electorate(poll, language)
        return UserFacingError(
            _("You are not in this poll's electorate: it was fixed when the poll opened ({who})."),
            who=translate(language, electorate.text, ref=electorate.ref),
        )

    async def results_answer(self, record: PollRecord, language: str) -> tuple[str, discord.File]:
        """What /poll results shows: turnout, the counts or rounds with the winners, and the
        chart."""
        result = await self.result(record)
        turnout = await self._polls.turnout(record.id)
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
                ("", b) for b in await self._polls.ballots(record.id)
            ]
            secrets.SystemRandom().shuffle(rows)
            rows = [(str(n), b) for n, (_unused, b) in enumerate(rows, start=1)]
        else:
            rows = [
                (self.unit_name(record, unit, language), b)
                for unit, b in await self._polls.public_ballots(record.id)
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
        open_polls = [r for r in await self._polls.in_guild(guild_id or 0) if self.visible(r, who)]
        if not open_polls:
            return None
        sections: dict[str, list[str]] = {}
        for record in open_polls:
            heading = translate(language, _("Whole community"))
            if record.group_id is not None:
                group = await self._groups.get(record.group_id)
                heading = group.display_name(language) if group else heading
            turnout = await self._polls.turnout(record.id)
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
            await self._polls.ballots(poll.id),
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
        turnout = await self._polls.turnout(poll.id)
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
