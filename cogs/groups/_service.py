"""What the groups feature does, between the commands and buttons on one side and the database
and Discord on the other.

Membership is written to the database first and marked pending until Discord's role agrees
(:mod:`db.groups`); the role is then given or taken. So a crash in between is finished by the
start-up reconcile, and the gateway's member updates (the bot's own, or an admin's by hand) are
read back without ever echoing into a second write.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

import discord

from bot import regions as region_names
from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.scheduler import RunContext
from cogs.groups._display import (
    Decided,
    application_embed,
    card_embed,
    decision_notice,
    decision_text,
)
from cogs.groups._provision import Provisioner
from cogs.groups._queries import GroupQueries
from cogs.groups._rules import (
    channel_name,
    check_access,
    check_description,
    check_names,
    clean_name,
    name_key,
    name_taken,
    unknown_group,
)
from db import groups as stored
from db.groups import (
    AlreadyPending,
    Application,
    GroupRecord,
    Groups,
    LastLead,
    NameTaken,
    NewGroup,
    Profile,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

# What the refusal names when someone who is no organiser asks.
CREATING = _("create, rename, edit or archive groups")
LEADING = _("manage this group's members, leads, regions and announcements")
MAX_MOTIVATION = 1000
REFRESH_DELAY = 0.5  # seconds a card waits for more changes before it is edited
# What the bot logs for its operator after each server's reconcile (its counts) and when every
# server is done; the tests watch for these too, instead of reading the service's attributes.
RECONCILED = "groups reconciled in %s: %s"
SETTLED = "groups reconciled and declared groups checked in every server"
MAX_REASON = 500
# The scheduled action that takes a new application to its leads (planned in the write that
# stores the application, so a crash after that write still reaches them).
TELL_LEADS = "groups.application"


def last_lead(group: GroupRecord) -> UserFacingError:
    """Said alike by /group lead remove, /group member remove and /group leave."""
    return UserFacingError(
        _("{group} needs at least one lead: add another lead first."), group=group
    )


def already_pending(group: GroupRecord) -> UserFacingError:
    return UserFacingError(
        _(
            "You already have a pending application to {group}: wait for the leads, or "
            "withdraw it first."
        ),
        group=group,
    )


@dataclass(frozen=True)
class Decision:
    """A decided application, with the notice that tells the applicant (its key)."""

    group: GroupRecord
    application: Application
    notice: str | None


@dataclass(frozen=True)
class Reconciled:
    """What one server's reconcile wrote (given, taken, read back, missing) and how long it
    took."""

    counts: dict[str, int]
    seconds: float


class GroupService:
    """Groups' flows: create, join, apply and decide, leads' tools, reconcile with Discord."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self._groups = Groups(bot.db)
        self.queries = GroupQueries(bot)
        self.provision = Provisioner(bot)
        self._roles: dict[int, dict[int, int]] = {}  # guild -> role id -> group id
        self._last = Reconciled({}, 0.0)
        self._settled = asyncio.Event()  # set once every guild was reconciled at start
        self._refreshing: dict[int, asyncio.Task[None]] = {}
        self.refresh_delay = REFRESH_DELAY
        bot.scheduler.register(TELL_LEADS, self._on_application, expires=False)

    def now(self) -> datetime:
        return self.bot.clock.now()

    @property
    def language(self) -> str:
        """Cards and admin notes are read by many: they speak the community's language."""
        return self.bot.default_language

    # -- lookups ------------------------------------------------------------------------------

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

    async def _commit(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """The one way groups' changes are stored: ``fn`` (a write of :mod:`db.groups`) in one
        transaction, then the scheduler re-armed if it planned anything, as in every feature."""
        result = await self.bot.db.write(fn, *args, **kwargs)
        await self.bot.scheduler.rearm_if_changed()
        return result

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

    # -- profiles and regions -----------------------------------------------------------------

    async def set_profile(self, profile: Profile) -> None:
        await self._commit(stored.set_profile, profile, self.now())

    async def clear_profile(self, guild_id: int, user_id: int) -> None:
        if not await self._commit(stored.clear_profile, guild_id, user_id):
            raise UserFacingError(_("You have no profile to delete."))

    async def change_region(
        self, group: GroupRecord, ref: region_names.RegionRef, lead_id: int, *, add: bool
    ) -> None:
        """A lead adds a taking-part region, or removes one a lead added."""
        if add:
            done = await self._commit(
                stored.add_region, group, ref.key, ref.code, ref.text, lead_id, self.now()
            )
            refusal = _("{region} is already one of {group}'s regions.")
        else:
            done = await self._commit(stored.remove_region, group.id, ref.key)
            refusal = _("{region} was not added to {group} by a lead.")
        if not done:
            raise UserFacingError(refusal, region=ref, group=group)
        self.request_refresh(group.id)

    # -- organisers' changes ------------------------------------------------------------------

    async def rename(
        self, guild: discord.Guild, group: GroupRecord, name: str, name_fi: str | None
    ) -> GroupRecord:
        """New names in the database, then on the role and channel; if Discord refuses, the
        group and its role keep their old names. A new English name keeps the Finnish one
        unless a new one is given."""
        name = name.strip()
        keys = await self.check_rename(guild.id, group, name, name_fi)
        if name_fi is None:
            name_fi = group.name_fi
        try:
            await self._commit(stored.rename, group.id, name, name_fi, keys)
        except NameTaken:
            raise name_taken(name) from None
        role = guild.get_role(group.role_id or 0)
        channel = guild.get_channel(group.channel_id or 0)
        renamed: list[discord.Role] = []
        try:
            if role is not None:
                await role.edit(name=name)
                renamed.append(role)
            if isinstance(channel, discord.TextChannel):
                await channel.edit(name=channel_name(name))
        except discord.HTTPException as exc:
            old_keys = [name_key(group.name)] + ([name_key(group.name_fi)] if group.name_fi else [])
            await self._commit(stored.rename, group.id, group.name, group.name_fi, old_keys)
            for done in renamed:  # the role too keeps the old name, as the group does
                try:
                    await done.edit(name=group.name)
                except discord.HTTPException:
                    log.warning("group %s: could not give its role the old name back", group.id)
            raise UserFacingError(
                _("Discord refused the new name ({reason}); the group keeps its old name."),
                reason=exc.text or str(exc.status),
            ) from exc
        self.request_refresh(group.id)
        return await self.load(guild.id, group.id)

    async def edit(
        self,
        guild: discord.Guild,
        group: GroupRecord,
        *,
        description: str | None,
        joining: str | None,
        visibility: str | None,
    ) -> None:
        """Discord's channel first (topic, who may read it); only if it agrees, the database."""
        new_description = (
            check_description(description) if description is not None else group.description
        )
        new_visibility = visibility or group.visibility
        new_joining = joining or group.joining
        check_access(new_joining, new_visibility)
        channel = guild.get_channel(group.channel_id or 0)
        role = guild.get_role(group.role_id or 0)
        if isinstance(channel, discord.TextChannel) and role is not None:
            try:
                await channel.edit(
                    topic=new_description[:1024],
                    overwrites=self.provision.overwrites(
                        guild, role, new_visibility, archived=group.archived
                    ),
                )
            except discord.HTTPException as exc:
                raise UserFacingError(
                    _("Discord refused the change ({reason}); nothing was changed."),
                    reason=exc.text or str(exc.status),
                ) from exc
        await self._commit(
            stored.edit,
            group.id,
            description=new_description,
            joining=new_joining,
            visibility=new_visibility,
        )
        self.request_refresh(group.id)

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

    async def set_archived(self, guild: discord.Guild, group: GroupRecord, archived: bool) -> None:
        """The database first (so the role's deletion is not reported as lost), then Discord;
        if Discord refuses, the database goes back."""
        if group.archived == archived:
            message = (
                _("{group} is already archived.") if archived else _("{group} is not archived.")
            )
            raise UserFacingError(message, group=group)
        drops_role = archived and self.bot.settings.groups.alumni_role == "remove"

        def archive(conn: sqlite3.Connection) -> None:
            stored.set_archived(conn, group.id, archived)
            if drops_role:
                stored.set_discord(conn, group.id, role_id=None, channel_id=group.channel_id)

        await self._commit(archive)
        self.forget_roles(guild.id)
        try:
            role = await self.provision.archive(guild, group, archived=archived)
        except BaseException:

            def undo(conn: sqlite3.Connection) -> None:
                stored.set_archived(conn, group.id, group.archived)
                stored.set_discord(
                    conn, group.id, role_id=group.role_id, channel_id=group.channel_id
                )

            await self._commit(undo)
            raise
        await self._commit(
            stored.set_discord,
            group.id,
            role_id=role.id if role else None,
            channel_id=group.channel_id,
        )
        self.forget_roles(guild.id)
        if not archived and role is not None:
            holders = {m.id for m in role.members}
            members = await self._groups.members(group.id)
            refreshed = await self.load(guild.id, group.id)
            await self.sync_roles(
                refreshed, [m.user_id for m in members if m.user_id not in holders], give=True
            )
        self.request_refresh(group.id)

    # -- creating ------------------------------------------------------------------------------

    async def create(
        self,
        guild: discord.Guild,
        creator: discord.Member,
        lead: discord.Member,
        *,
        name: str,
        name_fi: str | None,
        kind: str,
        description: str,
        joining: str,
        visibility: str,
    ) -> tuple[GroupRecord, list[tuple[str, int, int]]]:
        """The record first (it claims the names), then Discord; if Discord fails the record
        goes too, so nothing half-made remains."""
        if kind not in self.bot.settings.groups.kinds:
            raise UserFacingError(_("“{kind}” is not a kind of group here."), kind=kind)
        if lead.bot:
            raise UserFacingError(_("A bot cannot lead a group: choose a member."))
        check_access(joining, visibility)
        name = clean_name(name)
        name_fi = clean_name(name_fi) if name_fi else None
        keys = check_names(name, name_fi, await self._groups.taken_keys(guild.id))
        await self.check_channel_name(guild.id, name)
        new = NewGroup(
            guild.id,
            name,
            name_fi,
            kind,
            check_description(description),
            joining,
            visibility,
            creator.id,
        )
        try:
            group = await self._commit(stored.create, new, keys, lead.id, self.now())
        except NameTaken:
            raise name_taken(name) from None
        try:
            space = await self.provision.create(guild, group, lead)
        except BaseException:
            await self._commit(stored.delete, group.id)
            raise
        await self._commit(
            stored.set_discord, group.id, role_id=space.role.id, channel_id=space.channel.id
        )
        await self._commit(stored.confirm, group.id, [lead.id], has_role=True)
        self.forget_roles(guild.id)
        group = await self.load(guild.id, group.id)
        await self.post_card(guild, group)
        return group, space.warnings

    # -- the card -----------------------------------------------------------------------------

    async def render_card(self, group: GroupRecord) -> tuple[discord.Embed, discord.ui.View]:
        from cogs.groups._views import card_view

        members = await self._groups.members(group.id)
        pending = await self._groups.pending_count(group.id)
        regions = await self._groups.regions(group.id) if group.kind == "partnership" else []
        embed = card_embed(self.language, group, members, pending, regions)
        return embed, card_view(self.language, group)

    async def post_card(self, guild: discord.Guild, group: GroupRecord) -> None:
        """The card goes to the directory channel; without one, the admins hear once."""
        channel = self.bot.find_channel(guild, self.bot.settings.groups.directory)
        if channel is None:
            await self.bot.admin_log_once(
                guild,
                "groups-directory",
                translate(
                    self.language,
                    _("Group cards need the channel {channel} (groups.directory in the settings)."),
                    channel=str(self.bot.settings.groups.directory),
                ),
            )
            return
        embed, view = await self.render_card(group)
        try:
            message = await channel.send(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("could not post the card of group %s: %s", group.id, exc)
            return
        await self._commit(stored.set_card, group.id, message.id)

    def request_refresh(self, group_id: int) -> None:
        """Update the card a moment from now: a burst of joins costs one edit, not one each
        (Discord allows about five edits per channel in five seconds)."""
        if group_id not in self._refreshing:
            self._refreshing[group_id] = asyncio.create_task(
                self._refresh_later(group_id), name=f"s3cop-refresh-group-{group_id}"
            )

    async def _refresh_later(self, group_id: int) -> None:
        await asyncio.sleep(self.refresh_delay)
        self._refreshing.pop(group_id, None)
        try:
            await self.refresh_card(group_id)
        except Exception:
            log.exception("could not refresh the card of group %s", group_id)

    async def close(self) -> None:
        """Card updates still waiting are made before the database closes."""
        while self._refreshing:
            await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    async def refresh_card(self, group_id: int) -> None:
        group = await self._groups.get(group_id)
        if group is None or group.card_message_id is None:
            return
        guild = self.bot.get_guild(group.guild_id)
        channel = (
            self.bot.find_channel(guild, self.bot.settings.groups.directory) if guild else None
        )
        if channel is None:
            return
        embed, view = await self.render_card(group)
        try:
            await channel.get_partial_message(group.card_message_id).edit(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("could not update the card of group %s: %s", group.id, exc)

    # -- roles follow the database ------------------------------------------------------------

    async def sync_roles(self, group: GroupRecord, user_ids: Iterable[int], *, give: bool) -> int:
        """Give or take the group's role, then confirm in the database; returns the writes
        made. A failure leaves the membership pending for the next reconcile."""
        guild = self.bot.get_guild(group.guild_id)
        role = guild.get_role(group.role_id or 0) if guild else None
        if guild is None or role is None:
            return 0
        done: list[int] = []
        gone: list[int] = []
        for user_id in user_ids:
            member = guild.get_member(user_id)
            if member is None:
                gone.append(user_id)
                continue
            try:
                if give:
                    await member.add_roles(role, reason="s3cop: group membership")
                else:
                    await member.remove_roles(role, reason="s3cop: left the group")
            except discord.Forbidden:
                # The role was moved above the bot's, or Manage Roles was taken: the membership
                # stays pending (the next reconcile finishes it) and the admins hear once.
                await self.bot.admin_log_once(
                    guild,
                    f"groups-role-forbidden:{group.id}:{role.position}",
                    translate(
                        self.language,
                        _(
                            "I cannot give or take the role of {group}: give my role Manage Roles "
                            "and move it above the group's role in the server settings (Roles)."
                        ),
                        group=group,
                    ),
                )
                break
            except discord.HTTPException as exc:
                log.warning("role %s for %s in group %s: %s", give, user_id, group.id, exc)
                continue
            done.append(user_id)
        await self._commit(stored.confirm, group.id, done, has_role=give)
        if gone:
            await self._commit(
                stored.read_back, group.guild_id, [], [(group.id, u) for u in gone], self.now()
            )
        return len(done)

    # -- joining ------------------------------------------------------------------------------

    async def join(self, group: GroupRecord, member: discord.Member) -> bool:
        if group.archived:
            raise UserFacingError(_("{group} is archived: nobody can join it now."), group=group)
        if group.joining != "open":
            raise UserFacingError(
                _("{group} takes members by application: use Apply (or /group apply)."),
                group=group,
            )
        return await self._commit(stored.add_member, group, member.id, self.now())

    async def leave(self, group: GroupRecord, member_id: int) -> bool:
        try:
            return await self._commit(stored.remove_member, group.id, member_id)
        except LastLead:
            raise last_lead(group) from None

    async def after_change(self, group: GroupRecord, user_id: int, *, give: bool) -> None:
        """Discord's half of a membership change, after the member has their answer."""
        await self.sync_roles(group, [user_id], give=give)
        self.request_refresh(group.id)

    async def manage(self, group: GroupRecord, member: discord.Member, action: str) -> str:
        """A lead's change: add or remove a member, make a member a lead or not. Returns the
        answer (a catalog string with {member} and {group}); refuses what cannot be done."""
        who = {"member": member.display_name, "group": group}
        if action == "member_add":
            if group.archived:
                raise UserFacingError(_("{group} is archived: nobody can join it now."), **who)
            if member.bot:
                raise UserFacingError(_("A bot cannot be a member of a group."))
            if not await self._commit(stored.add_member, group, member.id, self.now()):
                raise UserFacingError(_("{member} is already a member of {group}."), **who)
            return _("{member} is now a member of {group}.")
        if action == "member_remove":
            if not await self.leave(group, member.id):
                raise UserFacingError(_("{member} is not a member of {group}."), **who)
            return _("{member} is no longer a member of {group}.")
        current = await self._groups.membership(group.id, member.id)
        if action == "lead_add":
            if current is None:
                raise UserFacingError(
                    _("{member} is not a member of {group}: add them as a member first."), **who
                )
            if current.lead:
                raise UserFacingError(_("{member} already leads {group}."), **who)
            await self._commit(stored.set_lead, group.id, member.id, True)
            return _("{member} now leads {group}.")
        if current is None or not current.lead:
            raise UserFacingError(_("{member} does not lead {group}."), **who)
        try:
            await self._commit(stored.set_lead, group.id, member.id, False)
        except LastLead:
            raise last_lead(group) from None
        return _("{member} no longer leads {group}.")

    # -- applications -------------------------------------------------------------------------

    async def apply(
        self,
        group: GroupRecord,
        member: discord.Member,
        motivation: str,
        organisation: str,
        region: str,
    ) -> Application:
        if group.archived:
            raise UserFacingError(_("{group} is archived: nobody can join it now."), group=group)
        if group.joining != "application":
            raise UserFacingError(
                _("{group} is open: join it directly with Join (or /group join)."),
                group=group,
            )
        if await self._groups.membership(group.id, member.id):
            raise UserFacingError(_("You are already a member of {group}."), group=group)
        motivation = motivation.strip()
        if not motivation:
            raise UserFacingError(_("Tell the leads why you want to join."))

        def apply_and_tell(conn: sqlite3.Connection) -> Application:
            """The application, and its way to the leads, in one write."""
            application = stored.apply(
                conn,
                group,
                member.id,
                motivation[:MAX_MOTIVATION],
                organisation.strip()[:100],
                region.strip()[:100],
                self.now(),
            )
            self.bot.scheduler.plan(
                conn,
                guild_id=group.guild_id,
                kind=TELL_LEADS,
                key=f"groups:application:{application.id}",
                due_at=self.now(),
                payload={"application": application.id},
            )
            return application

        try:
            application = await self._commit(apply_and_tell)
        except AlreadyPending:
            raise already_pending(group) from None
        self.request_refresh(group.id)
        return application

    async def check_can_apply(self, group: GroupRecord, member: discord.Member) -> Profile | None:
        """Refuse, before the form opens, an application that could not be sent; else the
        member's profile, which fills in the form."""
        if group.joining != "application" or group.archived:
            await self.apply(group, member, "", "", "")  # raises the right refusal
        if await self._groups.membership(group.id, member.id):
            raise UserFacingError(_("You are already a member of {group}."), group=group)
        if await self._groups.pending(group.id, member.id):
            raise already_pending(group)
        return await self._groups.profile(group.guild_id, member.id)

    async def leads(self, group: GroupRecord) -> list[int]:
        return [m.user_id for m in await self._groups.members(group.id) if m.lead]

    async def _on_application(self, ctx: RunContext) -> None:
        """The scheduled handler that takes a new application to its leads: each lead gets the
        copy with Approve / Decline in a DM, in their language, once (the DM carries the nonce
        of its once-key, so a restart after a crash does not send it twice). Leads whose DMs
        are closed are named in a private thread of the group's channel that holds the same
        copy: nobody else in the group sees it, and no application waits unseen.

        A decision (or withdrawal) made while the copies were going out missed the later
        ones: they are brought up to date at the end, so none keeps live buttons."""
        application = await self._groups.application(int(ctx.action.payload["application"]))
        group = await self._groups.get(application.group_id) if application else None
        if application is None or group is None:
            return
        if application.status == "pending":
            await self._send_copies(ctx, group, application)
        current = await self._groups.application(application.id)
        if current is not None and current.status != "pending":
            await self.update_copies(group, current)
        self.request_refresh(group.id)

    async def _send_copies(
        self, ctx: RunContext, group: GroupRecord, application: Application
    ) -> None:
        leads = await self.leads(group)
        if not leads:
            why = _(
                "{group} has no lead: organisers, please decide this application, or make "
                "a member its lead (/group lead add)."
            )
            await ctx.once("admins", partial(self.tell_admins, group, application, why))
            return
        languages = await self.bot.members.languages(group.guild_id, leads)
        unreached: dict[int, str] = {}

        async def copy_to(lead: int, language: str, nonce: str) -> None:
            from cogs.groups._views import decision_view

            sent = await self.bot.members.dm(
                lead,
                nonce=nonce,
                embed=application_embed(language, group, application),
                view=decision_view(language, application.id),
            )
            if sent is None:
                unreached[lead] = language
            else:
                await self._commit(
                    stored.add_copy, application.id, sent.channel.id, sent.id, language
                )

        for lead, language in languages.items():
            await ctx.once(f"dm:{lead}", partial(copy_to, lead, language))
        if unreached:
            await ctx.once("thread", partial(self._reach_unreached, group, application, unreached))

    async def _reach_unreached(
        self, group: GroupRecord, application: Application, leads: dict[int, str], nonce: str
    ) -> None:
        """Leads the bot cannot DM: a private thread, else the admin log."""
        if not await self.tell_leads_in_thread(group, application, leads, nonce):
            why = _(
                "The leads of {group} cannot be reached (direct messages closed, no thread "
                "in its channel): organisers, please decide this application or tell the "
                "leads."
            )
            await self.tell_admins(group, application, why, nonce)

    async def tell_leads_in_thread(
        self, group: GroupRecord, application: Application, leads: dict[int, str], nonce: str
    ) -> bool:
        """The copy for leads the bot cannot DM, in a private thread (not invitable) of the
        group's channel with only those leads added: in their language when they share one."""
        from cogs.groups._views import decision_view

        spoken = set(leads.values())
        language = spoken.pop() if len(spoken) == 1 else self.language
        guild = self.bot.get_guild(group.guild_id)
        channel = guild.get_channel(group.channel_id) if guild and group.channel_id else None
        if not isinstance(channel, discord.TextChannel):
            log.warning(
                "application %s: no channel to reach group %s's leads", application.id, group.id
            )
            return False
        applicant = self.bot.members.display_name(group.guild_id, application.user_id)
        title = translate(language, _("Application from {member}"), member=applicant)
        text = translate(
            language,
            _(
                "{leads}: the bot cannot send you direct messages, so this application to "
                "{group} is here. Only you and the server's moderators see this thread."
            ),
            leads=" ".join(f"<@{lead}>" for lead in leads),
            group=group.display_name(language),
        )
        try:
            thread = await channel.create_thread(
                name=title[:100], type=discord.ChannelType.private_thread, invitable=False
            )
            for lead in leads:
                await thread.add_user(discord.Object(lead))
            posted = await thread.send(
                text[:2000],
                embed=application_embed(language, group, application),
                view=decision_view(language, application.id),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False, users=[discord.Object(lead) for lead in leads]
                ),
                nonce=nonce,
            )
        except discord.HTTPException as exc:
            log.warning(
                "application %s: could not reach the leads in a thread: %s", application.id, exc
            )
            return False
        await self._commit(stored.add_copy, application.id, thread.id, posted.id, language)
        return True

    async def tell_admins(
        self, group: GroupRecord, application: Application, why: str, nonce: str
    ) -> None:
        """The last resort when the group has no lead, or its leads could be reached neither by
        DM nor in the group's channel: the admin log gets the copy (``why`` says which, a
        catalog string with {group}), and organisers may decide too."""
        from cogs.groups._views import decision_view

        guild = self.bot.get_guild(group.guild_id)
        channel = (
            self.bot.find_channel(guild, self.bot.settings.channels.admin_log) if guild else None
        )
        if channel is None:
            return
        text = translate(self.language, why, group=group)
        try:
            posted = await channel.send(
                text,
                embed=application_embed(self.language, group, application),
                view=decision_view(self.language, application.id),
                nonce=nonce,
            )
        except discord.HTTPException as exc:
            log.warning(
                "application %s: could not post it in the admin log: %s", application.id, exc
            )
            return
        await self._commit(stored.add_copy, application.id, channel.id, posted.id, self.language)

    async def update_copies(
        self, group: GroupRecord, application: Application, skip: int | None = None
    ) -> None:
        """Once an application is decided or withdrawn, every copy with Approve / Decline shows
        the outcome instead (each in its own language), so no lead presses a stale button.
        ``skip`` is the copy already updated by the press that decided it."""
        for channel_id, message_id, language in await self._groups.copies(application.id):
            if message_id == skip:
                continue
            state = decision_text(language, application)
            message = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
            try:
                await message.edit(
                    embed=application_embed(language, group, application, state), view=None
                )
            except discord.HTTPException as exc:
                log.info("application %s: copy %s not updated: %s", application.id, message_id, exc)

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

    async def decide(
        self, application_id: int, lead: discord.abc.User, approve: bool, reason: str | None
    ) -> Decision:
        """One decision per application: a second lead pressing at the same moment hears who
        was first. The approval makes the membership in the same write."""
        group, application = await self.check_decidable(application_id, lead)
        if not approve and not (reason or "").strip():
            raise UserFacingError(_("A decline needs a reason: the applicant reads it."))
        decided = await self._commit(
            self._decide,
            group,
            application.id,
            "approved" if approve else "declined",
            lead.id,
            (reason or "").strip()[:MAX_REASON] or None,
        )
        if decided is None:
            current = await self._groups.application(application.id)
            assert current is not None
            raise UserFacingError(
                _("This application was already decided: {state}."),
                state=Decided(current),
            )
        return Decision(group, *decided)

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

    def _decide(
        self,
        conn: sqlite3.Connection,
        group: GroupRecord,
        application_id: int,
        status: str,
        lead_id: int,
        reason: str | None,
    ) -> tuple[Application, str | None] | None:
        """In SQLite's thread: the decision, and the applicant's notice of it (its key), in one
        write (:mod:`bot.notices`): either both are stored or neither."""
        decided = stored.decide(conn, application_id, status, lead_id, self.now(), reason=reason)
        if decided is None:
            return None
        notice = self.bot.notices.tell(
            conn,
            guild_id=group.guild_id,
            about=f"group:{group.id}:application:{decided.id}",
            members=[decided.user_id],
            compose=partial(decision_notice, group, decided),
        )
        return decided, notice

    async def after_decision(
        self, group: GroupRecord, application: Application, skip: int | None = None
    ) -> None:
        """Discord's half of a decision, after the lead has their answer: an approval gives the
        role; the other copies show the decision (``skip``: the one pressed). The applicant's
        DM was stored with the decision and is on its way (:mod:`bot.notices`)."""
        await self.update_copies(group, application, skip)
        if application.status == "approved":
            await self.sync_roles(group, [application.user_id], give=True)
        self.request_refresh(group.id)

    async def withdraw(self, group: GroupRecord, member_id: int) -> Application:
        pending = await self._groups.pending(group.id, member_id)
        if pending is None:
            raise UserFacingError(_("You have no pending application to {group}."), group=group)
        withdrawn = await self._commit(
            stored.decide, pending.id, "withdrawn", member_id, self.now()
        )
        if withdrawn is None:
            raise UserFacingError(
                _("The leads decided your application a moment ago; you will get a message."),
            )
        self.request_refresh(group.id)
        return withdrawn

    # -- Discord tells us ---------------------------------------------------------------------

    async def roles_changed(self, before: discord.Member, after: discord.Member) -> None:
        """A role given or taken in Discord (by the bot or by hand) is read back."""
        mapping = await self.role_map(after.guild.id)
        old = {r.id for r in before.roles}
        new = {r.id for r in after.roles}
        given = [(mapping[r], after.id) for r in new - old if r in mapping]
        taken = [(mapping[r], after.id) for r in old - new if r in mapping]
        if not given and not taken:
            return
        await self._commit(stored.read_back, after.guild.id, given, taken, self.now())
        for group_id in {g for g, _user in given + taken}:
            self.request_refresh(group_id)

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """Someone left the server: their memberships end (Discord took their roles)."""
        mine = await self._groups.groups_of(guild_id, user_id)
        if mine:
            taken = [(group.id, user_id) for group, _lead in mine]
            await self._commit(stored.read_back, guild_id, [], taken, self.now())
            for group, _lead in mine:
                self.request_refresh(group.id)

    async def lost(self, guild: discord.Guild, *, role_id: int = 0, channel_id: int = 0) -> None:
        """A group's role or channel deleted by hand: the admins hear once, with a button."""
        for group in await self._groups.in_guild(guild.id, archived=None):
            what = "role" if role_id and group.role_id == role_id else None
            if channel_id and group.channel_id == channel_id:
                what = "channel"
            if what is not None:
                await self.report_missing(guild, group, {what})

    async def report_missing(
        self, guild: discord.Guild, group: GroupRecord, missing: set[str]
    ) -> None:
        from cogs.groups._views import recreate_view

        new = missing - group.reported_missing
        if not new:
            return
        channel = self.bot.find_channel(guild, self.bot.settings.channels.admin_log)
        text = translate(
            self.language,
            _(
                "The {what} of the group {group} was deleted in Discord. Its members are kept; "
                "recreate it with the button."
            ),
            what=" + ".join(
                translate(self.language, w)
                for w in sorted(_("role") if m == "role" else _("channel") for m in missing)
            ),
            group=group,
        )
        if channel is not None:
            try:
                await channel.send(text, view=recreate_view(self.language, group.id))
            except discord.HTTPException as exc:
                log.warning("could not report a missing group space: %s", exc)
        await self._commit(stored.mark_reported, group.id, group.reported_missing | missing)

    async def recreate(self, guild: discord.Guild, group: GroupRecord) -> int:
        role, channel = await self.provision.recreate(guild, group)
        await self._commit(stored.set_discord, group.id, role_id=role.id, channel_id=channel.id)
        self.forget_roles(guild.id)
        group = await self.load(guild.id, group.id)
        members = [m.user_id for m in await self._groups.members(group.id)]
        holders = {m.id for m in role.members}
        return await self.sync_roles(group, [u for u in members if u not in holders], give=True)

    # -- reconcile ----------------------------------------------------------------------------

    async def reconcile(self, guild: discord.Guild) -> dict[str, int]:
        """Compare every group's members with its role's holders; write to Discord only where
        the bot's own change is unfinished, read back what an admin changed by hand meanwhile.

        ``pending`` tells the two apart: NULL and no role means the role was taken by hand
        (the membership ends), 'add' and no role means the bot never gave it (give it now);
        a role with no membership row was given by hand (a new member)."""
        started = time.perf_counter()
        state = await self._groups.sync_state(guild.id)
        counts = {"given": 0, "taken": 0, "read_back": 0, "missing": 0}
        holders_of: dict[int, set[int]] = {}
        for group in await self._groups.in_guild(guild.id, archived=None):
            role = guild.get_role(group.role_id or 0)
            channel = guild.get_channel(group.channel_id or 0)
            missing = set()
            if role is None and not (group.archived and group.role_id is None):
                missing.add("role")
            if channel is None:
                missing.add("channel")
            if missing:
                counts["missing"] += 1
                await self.report_missing(guild, group, missing)
            if role is not None:
                holders_of[group.id] = {m.id for m in role.members}
        given: list[tuple[int, int]] = []
        taken: list[tuple[int, int]] = []
        to_give: dict[int, list[int]] = {}
        to_take: dict[int, list[int]] = {}
        for group_id, holders in holders_of.items():
            rows = state.get(group_id, {})
            for user_id, pending in rows.items():
                has = user_id in holders
                if pending is None and not has:
                    taken.append((group_id, user_id))
                elif pending == "add":
                    if has:
                        given.append((group_id, user_id))
                    else:
                        to_give.setdefault(group_id, []).append(user_id)
                elif pending == "remove":
                    if has:
                        to_take.setdefault(group_id, []).append(user_id)
                    else:
                        taken.append((group_id, user_id))
            given.extend((group_id, u) for u in holders - rows.keys())
        if given or taken:
            await self._commit(stored.read_back, guild.id, given, taken, self.now())
        counts["read_back"] = len(given) + len(taken)
        for group_id, users in to_give.items():
            group = await self.load(guild.id, group_id)
            counts["given"] += await self.sync_roles(group, users, give=True)
        for group_id, users in to_take.items():
            group = await self.load(guild.id, group_id)
            counts["taken"] += await self.sync_roles(group, users, give=False)
        changed = {g for g, _u in given + taken} | to_give.keys() | to_take.keys()
        for group_id in changed:
            self.request_refresh(group_id)
        self._last = Reconciled(counts, time.perf_counter() - started)
        log.info(RECONCILED, guild.id, counts)
        return counts

    async def settled(self) -> Reconciled:
        """The last server's reconcile, once every server's is done (when :data:`SETTLED` is
        logged): what a benchmark or a tool outside the bot's process measures."""
        await self._settled.wait()
        return self._last

    async def reconcile_all(self) -> None:
        """Reconcile every server and make its declared groups, then log :data:`SETTLED`."""
        for guild in self.bot.guilds:
            try:
                await self.reconcile(guild)
                await self.ensure_declared(guild)
            except Exception:
                log.exception("reconciling groups in %s failed", guild.id)
        self._settled.set()
        log.info(SETTLED)

    async def ensure_declared(self, guild: discord.Guild) -> list[str]:
        """Groups declared in the settings: made when missing, differences reported once in
        the admin log; the bot never changes or deletes a group on its own."""
        made = []
        for declared in self.bot.settings.groups.declared:
            key = name_key(declared.name)
            found = await self._groups.named(guild.id, declared.name)
            if found is not None:
                differs = [
                    field
                    for field, ours, theirs in (
                        ("name_fi", declared.name_fi, found.name_fi),
                        ("kind", declared.kind, found.kind),
                        ("description", declared.description, found.description),
                        ("joining", declared.joining, found.joining),
                        ("visibility", declared.visibility, found.visibility),
                    )
                    if ours != theirs
                ]
                if differs:
                    await self.bot.admin_log_once(
                        guild,
                        f"groups-declared:{found.id}:{','.join(differs)}",
                        translate(
                            self.language,
                            _(
                                "The group {group} differs from its declaration in the settings "
                                "({fields}); I change nothing by myself."
                            ),
                            group=found.name,
                            fields=", ".join(differs),
                        ),
                    )
                continue
            lead = guild.get_member(declared.lead)
            try:
                if lead is None:
                    raise UserFacingError(
                        _("its lead (groups.declared.lead) is not a member of the server")
                    )
                await self.create(
                    guild,
                    guild.me,
                    lead,
                    name=declared.name,
                    name_fi=declared.name_fi,
                    kind=declared.kind,
                    description=declared.description,
                    joining=declared.joining,
                    visibility=declared.visibility,
                )
            except UserFacingError as exc:
                await self.bot.admin_log_once(
                    guild,
                    f"groups-declared-failed:{key}",
                    translate(
                        self.language,
                        _("The declared group {group} was not created: {reason}"),
                        group=declared.name,
                        reason=translate(self.language, exc.message, **exc.params),
                    ),
                )
                continue
            made.append(declared.name)
        return made

    # -- leads' tools -------------------------------------------------------------------------

    async def announce(self, group: GroupRecord, text: str, *, ping: bool) -> discord.Message:
        guild = self.bot.get_guild(group.guild_id)
        channel = guild.get_channel(group.channel_id or 0) if guild else None
        if not isinstance(channel, discord.TextChannel):
            raise UserFacingError(_("The group's channel is missing: ask an admin to recreate it."))
        role = guild.get_role(group.role_id or 0) if guild else None
        content = f"{role.mention}\n{text}" if ping and role else text
        mentions = discord.AllowedMentions(
            everyone=False, users=False, roles=[role] if ping and role else False
        )
        return await channel.send(content[:2000], allowed_mentions=mentions)
