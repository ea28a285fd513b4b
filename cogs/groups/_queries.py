"""What groups' commands and buttons read: a group by what a member typed, the list, a
group's overview and members, profiles and regions. Nothing here writes (the service does)."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot import regions as region_names
from bot.client import S3Bot
from cogs.events.directory import EventDirectory, EventRecord
from cogs.groups._rules import unknown_group
from cogs.groups.directory import GroupDirectory
from db.groups import Application, GroupRecord, GroupRegion, Groups, Membership, Profile


@dataclass(frozen=True)
class Overview:
    """What /group info shows besides the group itself."""

    members: list[Membership]
    pending: int
    regions: list[GroupRegion]
    events: list[EventRecord]  # upcoming, only for those who read the group's channel
    decided: Application | None  # the asker's latest application, if the leads decided it


@dataclass(frozen=True)
class MembersPage:
    """One page of /group members: who, each with their profile if they set one."""

    page: int
    pages: int
    rows: list[tuple[Membership, Profile | None]]


PAGE_SIZE = 20
UNREACHED_WAIT = 5.0  # seconds a lead's answer waits to learn whether the applicant was told


class GroupQueries:
    """Reads for commands and buttons, each a trip or a few."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self._groups = Groups(bot.db)
        self._events = EventDirectory(bot)
        self.directory = GroupDirectory(bot)

    async def resolve(self, guild_id: int | None, ref: str) -> GroupRecord:
        """A group by the id autocomplete sends, or by a name typed in either language."""
        found = await self._groups.named(guild_id or 0, ref)
        if found is None:
            raise unknown_group()
        return found

    async def listed(self, guild_id: int | None, kind: str | None) -> list[GroupRecord]:
        return await self._groups.in_guild(guild_id or 0, kind=kind)

    async def overview(self, group: GroupRecord, asker: discord.abc.User) -> Overview:
        """A private group's events are its members' business: listed only to those who can
        read the group's channel, where they are announced (one rule with /event list)."""
        events: list[EventRecord] = []
        if (
            group.channel_id
            and isinstance(asker, discord.Member)
            and self.bot.members.sees(group.guild_id, group.channel_id, asker)
        ):
            events = await self._events.in_channel(group.guild_id, group.channel_id)
        return Overview(
            await self._groups.members(group.id),
            await self._groups.pending_count(group.id),
            await self._groups.regions(group.id),
            events,
            await self._groups.last_decided(group.id, asker.id),
        )

    async def unreached(self, notice: str | None, user_id: int) -> bool:
        """Whether the notice ``notice`` could not DM ``user_id`` (their DMs are closed),
        waiting a few seconds for it to be sent: the lead who decided an application is then
        told where the applicant reads the decision."""
        if notice is None:
            return False
        missed = await self.bot.notices.unreached(notice, UNREACHED_WAIT)
        return bool(missed and user_id in missed)

    async def last_decided(self, group: GroupRecord, user_id: int) -> Application | None:
        """A member's latest application to the group, if the leads decided it."""
        return await self._groups.last_decided(group.id, user_id)

    async def members_page(self, group: GroupRecord, page: int) -> MembersPage:
        """Page ``page`` (from 1) of the members; a page past the end is the last."""
        members = await self._groups.members(group.id)
        pages = max(1, -(-len(members) // PAGE_SIZE))
        page = max(1, min(page, pages))
        shown = members[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        profiles = await self._groups.profiles(group.guild_id, [m.user_id for m in shown])
        return MembersPage(page, pages, [(m, profiles.get(m.user_id)) for m in shown])

    async def pending_applications(self, group: GroupRecord) -> list[Application]:
        """What /group applications lists, the oldest first."""
        return await self._groups.pending_applications(group.id)

    async def application(self, application_id: int) -> Application | None:
        return await self._groups.application(application_id)

    async def profile(
        self, guild_id: int, user_id: int
    ) -> tuple[Profile | None, list[tuple[GroupRecord, bool]]]:
        """A member's profile and their groups (with whether they lead each)."""
        return (
            await self._groups.profile(guild_id, user_id),
            await self._groups.groups_of(guild_id, user_id),
        )

    async def region(
        self, guild_id: int, ref: region_names.RegionRef
    ) -> tuple[list[Profile], list[GroupRecord]]:
        """Who has a region in their profile, and the groups it takes part in."""
        return (
            await self._groups.members_in_region(guild_id, ref.key),
            await self._groups.groups_in_region(guild_id, ref.key),
        )

    async def familiar_regions(self, guild_id: int, user_id: int) -> list[str]:
        """The regions a member most likely means, offered first when they have typed
        nothing: their own, those of the server's profiles, then their country's (a community
        of EU regions should not open on Andorra and Afghanistan)."""
        mine = await self._groups.profile(guild_id, user_id)
        codes = [mine.region_code] if mine and mine.region_code else []
        codes += await self._groups.regions_in_use(guild_id)
        if mine and mine.country:
            codes += [r.code for r in region_names.subdivisions(mine.country)]
        return list(dict.fromkeys(codes))
