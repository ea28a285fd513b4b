"""What groups' commands and buttons read: a group by what a member typed, the list, a
group's overview and members, profiles and regions; and the checks made before a change that
need a read (names and channels taken, who leads, whether an application can be sent or
decided), so a refusal comes before anything is deferred or written. Nothing here writes (the
service does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot import regions as region_names
from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from cogs.events.directory import EventDirectory, EventRecord
from cogs.groups._display import Decided
from cogs.groups._rules import (
    already_pending,
    channel_name,
    check_access,
    check_description,
    check_names,
    check_takes_applications,
    clean_name,
    unknown_group,
)
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
class Reader:
    """The language to write to a member in, and whether it is theirs (learnt when they used
    the bot) or only the community's."""

    language: str
    known: bool


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
        self._roles: dict[int, dict[int, int]] = {}  # guild -> role id -> group id

    async def load(self, guild_id: int | None, group_id: int) -> GroupRecord:
        group = await self._groups.get(group_id)
        if group is None or group.guild_id != guild_id:
            raise unknown_group()
        return group

    async def role_map(self, guild_id: int) -> dict[int, int]:
        if guild_id not in self._roles:
            groups = await self._groups.in_guild(guild_id, archived=None)
            self._roles[guild_id] = {g.role_id: g.id for g in groups if g.role_id}
        return self._roles[guild_id]

    def forget_roles(self, guild_id: int) -> None:
        self._roles.pop(guild_id, None)

    async def require_lead(
        self, interaction: discord.Interaction[Any], group: GroupRecord, action: str
    ) -> discord.Member:
        return await self.bot.members.require(
            interaction,
            self.bot.members.leads(group),
            self.bot.members.organisers,
            action=action,
        )

    async def check_create(
        self,
        guild_id: int,
        name: str,
        name_fi: str | None,
        description: str,
        joining: str,
        visibility: str,
    ) -> None:
        """Refuse a group that cannot be made before anything is deferred or created."""
        check_names(name, name_fi, await self._groups.taken_keys(guild_id))
        await self.check_channel_name(guild_id, name)
        check_description(description)
        check_access(joining, visibility)

    async def check_channel_name(
        self, guild_id: int, name: str, except_group: int | None = None
    ) -> None:
        """Two groups never share a channel name (“Digital” and “Digital!” both make
        #digital): members could not tell the channels apart."""
        wanted = channel_name(clean_name(name))
        guild = self.bot.get_guild(guild_id)
        for other in await self._groups.in_guild(guild_id, archived=None):
            channel = guild.get_channel(other.channel_id or 0) if guild else None
            used = channel.name if channel is not None else channel_name(other.name)
            if other.id != except_group and used == wanted:
                raise UserFacingError(
                    _(
                        "The channel #{channel} already belongs to {group}: choose a name that "
                        "differs in more than case or punctuation."
                    ),
                    channel=wanted,
                    group=other,
                )

    async def check_rename(
        self, guild_id: int, group: GroupRecord, name: str, name_fi: str | None
    ) -> list[str]:
        """Refuse a rename that cannot be made, before anything is deferred; the keys the new
        names claim."""
        keys = check_names(
            name,
            group.name_fi if name_fi is None else name_fi,
            await self._groups.taken_keys(guild_id, group.id),
        )
        await self.check_channel_name(guild_id, name, group.id)
        return keys

    async def check_can_apply(self, group: GroupRecord, member: discord.Member) -> Profile | None:
        """Refuse, before the form opens, an application that could not be sent; else the
        member's profile, which fills in the form."""
        check_takes_applications(group.archived, group.joining, group)
        if await self._groups.membership(group.id, member.id):
            raise UserFacingError(_("You are already a member of {group}."), group=group)
        if await self._groups.pending(group.id, member.id):
            raise already_pending(group)
        return await self._groups.profile(group.guild_id, member.id)

    async def readers(self, guild_id: int, user_ids: list[int]) -> dict[int, Reader]:
        """Each member's language, and whether the bot has learnt it (they used the bot) or
        falls back to the community's: a lead who never used the bot may not read it."""
        members = self.bot.members
        stored = await members.preferences(guild_id, user_ids)
        return {u: Reader(members.speaks(p), p.language is not None) for u, p in stored.items()}

    async def leads(self, group: GroupRecord) -> list[int]:
        return [m.user_id for m in await self._groups.members(group.id) if m.lead]

    async def check_decidable(
        self, application_id: int, user: discord.abc.User
    ) -> tuple[GroupRecord, Application]:
        """The pending application a lead (or organiser) may decide, or why not."""
        application = await self._groups.application(application_id)
        if application is None:
            raise UserFacingError(_("That application no longer exists."))
        group = await self.load(application.guild_id, application.group_id)
        await self.require_decider(group, user)
        if application.status != "pending":
            raise UserFacingError(
                _("This application was already decided: {state}."),
                state=Decided(application),
            )
        return group, application

    async def require_decider(self, group: GroupRecord, user: discord.abc.User) -> None:
        """Leads and organisers decide; buttons arrive in DMs, so the member is looked up."""
        guild = self.bot.get_guild(group.guild_id)
        member = guild.get_member(user.id) if guild else None
        found = await self._groups.membership(group.id, user.id)
        if found is not None and found.lead:
            return
        if member is not None and self.bot.members.is_organiser(member):
            return
        raise UserFacingError(
            _("Only the leads of {group} or organisers decide its applications."),
            group=group,
        )

    # -- what changes and Discord's upkeep read ----------------------------------------------

    async def get(self, group_id: int) -> GroupRecord | None:
        return await self._groups.get(group_id)

    async def named(self, guild_id: int, name: str) -> GroupRecord | None:
        return await self._groups.named(guild_id, name)

    async def in_guild(self, guild_id: int) -> list[GroupRecord]:
        """Every group of the server, archived ones too."""
        return await self._groups.in_guild(guild_id, archived=None)

    async def taken_keys(self, guild_id: int) -> set[str]:
        return await self._groups.taken_keys(guild_id)

    async def members(self, group_id: int) -> list[Membership]:
        return await self._groups.members(group_id)

    async def membership(self, group_id: int, user_id: int) -> Membership | None:
        return await self._groups.membership(group_id, user_id)

    async def groups_of(self, guild_id: int, user_id: int) -> list[tuple[GroupRecord, bool]]:
        return await self._groups.groups_of(guild_id, user_id)

    async def pending(self, group_id: int, user_id: int) -> Application | None:
        return await self._groups.pending(group_id, user_id)

    async def copies(self, application: Application) -> list[tuple[int, int, str]]:
        """(channel, message, language) of each copy of an application with its buttons."""
        return await self._groups.copies(application.id)

    async def card(self, group: GroupRecord) -> tuple[list[Membership], int, list[GroupRegion]]:
        """What a group's card shows: its members, pending applications, regions."""
        return (
            await self._groups.members(group.id),
            await self._groups.pending_count(group.id),
            await self._groups.regions(group.id) if group.kind == "partnership" else [],
        )

    async def sync_state(self, guild_id: int) -> dict[int, dict[int, str | None]]:
        """Per group, each member's pending role change (see :meth:`Groups.sync_state`)."""
        return await self._groups.sync_state(guild_id)

    # -- what members browse ---------------------------------------------------------------

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
