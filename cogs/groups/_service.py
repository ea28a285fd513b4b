"""What the groups feature does, between the commands and buttons on one side and the database
and Discord on the other.

Membership is written to the database first and marked pending until Discord's role agrees
(:mod:`db.groups`); the role is then given or taken. So a crash in between is finished by the
start-up reconcile, and the gateway's member updates (the bot's own, or an admin's by hand) are
read back without ever echoing into a second write.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Concatenate, ParamSpec, TypeVar

import discord

from bot import regions as region_names
from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from bot.scheduler import RunContext
from cogs.groups._announce import Announcer
from cogs.groups._display import Decided, decision_notice
from cogs.groups._provision import Provisioner
from cogs.groups._queries import GroupQueries, Reader
from cogs.groups._rules import (
    already_pending,
    channel_name,
    check_access,
    check_description,
    check_joinable,
    check_motivation,
    check_names,
    check_reason,
    check_takes_applications,
    clean_name,
    last_lead,
    name_key,
    name_taken,
)
from db import groups as stored
from db.groups import (
    AlreadyPending,
    Application,
    GroupRecord,
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
# The scheduled action that takes a new application to its leads (planned in the write that
# stores the application, so a crash after that write still reaches them).
TELL_LEADS = "groups.application"


@dataclass(frozen=True)
class Decision:
    """A decided application, with the notice that tells the applicant (its key)."""

    group: GroupRecord
    application: Application
    notice: str | None


class GroupService:
    """Groups' changes: create, join, apply and decide, leads' and organisers' changes, what
    Discord tells us; and the scheduled handler that takes an application to its leads."""

    def __init__(self, bot: S3Bot, queries: GroupQueries, announce: Announcer) -> None:
        self.bot = bot
        self.queries = queries
        self.announce = announce
        self.provision = Provisioner(bot)
        bot.scheduler.register(TELL_LEADS, self._on_application, expires=False)

    def now(self) -> datetime:
        return self.bot.clock.now()

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
        self.announce.request_refresh(group.id)

    # -- organisers' changes ------------------------------------------------------------------

    async def rename(
        self, guild: discord.Guild, group: GroupRecord, name: str, name_fi: str | None
    ) -> GroupRecord:
        """New names in the database, then on the role and channel; if Discord refuses, the
        group and its role keep their old names. A new English name keeps the Finnish one
        unless a new one is given."""
        name = name.strip()
        keys = await self.queries.check_rename(guild.id, group, name, name_fi)
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
        self.announce.request_refresh(group.id)
        return await self.queries.load(guild.id, group.id)

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
        self.announce.request_refresh(group.id)

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
        self.queries.forget_roles(guild.id)
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
        self.queries.forget_roles(guild.id)
        if not archived and role is not None:
            holders = {m.id for m in role.members}
            members = await self.queries.members(group.id)
            refreshed = await self.queries.load(guild.id, group.id)
            await self.sync_roles(
                refreshed, [m.user_id for m in members if m.user_id not in holders], give=True
            )
        self.announce.request_refresh(group.id)

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
        keys = check_names(name, name_fi, await self.queries.taken_keys(guild.id))
        await self.queries.check_channel_name(guild.id, name)
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
        self.queries.forget_roles(guild.id)
        group = await self.queries.load(guild.id, group.id)
        card = await self.announce.post_card(guild, group)
        if card is not None:
            await self._commit(stored.set_card, group.id, card)
        return group, space.warnings

    # -- roles follow the database ------------------------------------------------------------

    async def sync_roles(self, group: GroupRecord, user_ids: Iterable[int], *, give: bool) -> int:
        """Give or take the group's role, then confirm in the database; returns the writes
        made. A failure leaves the membership pending for the next reconcile."""
        changed = await self.announce.give_roles(group, user_ids, give=give)
        if changed is None:
            return 0
        done, gone = changed
        await self._commit(stored.confirm, group.id, done, has_role=give)
        if gone:
            await self._commit(
                stored.read_back, group.guild_id, [], [(group.id, u) for u in gone], self.now()
            )
        return len(done)

    # -- joining ------------------------------------------------------------------------------

    async def join(self, group: GroupRecord, member: discord.Member) -> bool:
        check_joinable(group.archived, group.joining, group)
        return await self._commit(stored.add_member, group, member.id, self.now())

    async def leave(self, group: GroupRecord, member_id: int) -> bool:
        try:
            return await self._commit(stored.remove_member, group.id, member_id)
        except LastLead:
            raise last_lead(group) from None

    async def after_change(self, group: GroupRecord, user_id: int, *, give: bool) -> None:
        """Discord's half of a membership change, after the member has their answer."""
        await self.sync_roles(group, [user_id], give=give)
        self.announce.request_refresh(group.id)

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
        current = await self.queries.membership(group.id, member.id)
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
        check_takes_applications(group.archived, group.joining, group)
        if await self.queries.membership(group.id, member.id):
            raise UserFacingError(_("You are already a member of {group}."), group=group)
        motivation = check_motivation(motivation)

        def apply_and_tell(conn: sqlite3.Connection) -> Application:
            """The application, and its way to the leads, in one write."""
            application = stored.apply(
                conn,
                group,
                member.id,
                motivation,
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
        self.announce.request_refresh(group.id)
        return application

    async def _on_application(self, ctx: RunContext) -> None:
        """The scheduled handler that takes a new application to its leads: each lead gets the
        copy with Approve / Decline in a DM, in their language, once (the DM carries the nonce
        of its once-key, so a restart after a crash does not send it twice). Leads whose DMs
        are closed are named in a private thread of the group's channel that holds the same
        copy: nobody else in the group sees it, and no application waits unseen.

        A decision (or withdrawal) made while the copies were going out missed the later
        ones: they are brought up to date at the end, so none keeps live buttons."""
        application = await self.queries.application(int(ctx.action.payload["application"]))
        group = await self.queries.get(application.group_id) if application else None
        if application is None or group is None:
            return
        if application.status == "pending":
            await self._send_copies(ctx, group, application)
        current = await self.queries.application(application.id)
        if current is not None and current.status != "pending":
            await self.announce.update_copies(group, current)
        self.announce.request_refresh(group.id)

    async def _send_copies(
        self, ctx: RunContext, group: GroupRecord, application: Application
    ) -> None:
        leads = await self.queries.leads(group)
        if not leads:
            why = _(
                "{group} has no lead: organisers, please decide this application, or make "
                "a member its lead (/group lead add)."
            )
            await ctx.once("admins", partial(self._copy_to_admins, group, application, why))
            return
        readers = await self.queries.readers(group.guild_id, leads)
        unreached: dict[int, str] = {}

        async def copy_to(lead: int, reader: Reader, nonce: str) -> None:
            sent = await self.announce.copy_to_lead(lead, reader, group, application, nonce)
            if sent is None:
                unreached[lead] = reader.language
            else:
                await self._commit(
                    stored.add_copy, application.id, sent.channel.id, sent.id, reader.language
                )

        for lead, reader in readers.items():
            await ctx.once(f"dm:{lead}", partial(copy_to, lead, reader))
        if unreached:
            await ctx.once("thread", partial(self._reach_unreached, group, application, unreached))

    async def _reach_unreached(
        self, group: GroupRecord, application: Application, leads: dict[int, str], nonce: str
    ) -> None:
        """Leads the bot cannot DM: a private thread of the group's channel, else the admin
        log."""
        posted = await self.announce.copy_in_thread(group, application, leads, nonce)
        if posted is not None:
            message, language = posted
            await self._commit(
                stored.add_copy, application.id, message.channel.id, message.id, language
            )
            return
        why = _(
            "The leads of {group} cannot be reached (direct messages closed, no thread "
            "in its channel): organisers, please decide this application or tell the "
            "leads."
        )
        await self._copy_to_admins(group, application, why, nonce)

    async def _copy_to_admins(
        self, group: GroupRecord, application: Application, why: str, nonce: str
    ) -> None:
        posted = await self.announce.copy_to_admins(group, application, why, nonce)
        if posted is not None:
            language = self.announce.language
            await self._commit(
                stored.add_copy, application.id, posted.channel.id, posted.id, language
            )

    async def decide(
        self, application_id: int, lead: discord.abc.User, approve: bool, reason: str | None
    ) -> Decision:
        """One decision per application: a second lead pressing at the same moment hears who
        was first. The approval makes the membership in the same write."""
        group, application = await self.queries.check_decidable(application_id, lead)
        stated = check_reason(approve, reason)
        decided = await self._commit(
            self._decide,
            group,
            application.id,
            "approved" if approve else "declined",
            lead.id,
            stated,
        )
        if decided is None:
            current = await self.queries.application(application.id)
            assert current is not None
            raise UserFacingError(
                _("This application was already decided: {state}."),
                state=Decided(current),
            )
        return Decision(group, *decided)

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
        await self.announce.update_copies(group, application, skip)
        if application.status == "approved":
            await self.sync_roles(group, [application.user_id], give=True)
        self.announce.request_refresh(group.id)

    async def withdraw(self, group: GroupRecord, member_id: int) -> Application:
        pending = await self.queries.pending(group.id, member_id)
        if pending is None:
            raise UserFacingError(_("You have no pending application to {group}."), group=group)
        withdrawn = await self._commit(
            stored.decide, pending.id, "withdrawn", member_id, self.now()
        )
        if withdrawn is None:
            raise UserFacingError(
                _("The leads decided your application a moment ago; you will get a message."),
            )
        self.announce.request_refresh(group.id)
        return withdrawn

    # -- Discord tells us ---------------------------------------------------------------------

    async def roles_changed(self, before: discord.Member, after: discord.Member) -> None:
        """A role given or taken in Discord (by the bot or by hand) is read back."""
        mapping = await self.queries.role_map(after.guild.id)
        old = {r.id for r in before.roles}
        new = {r.id for r in after.roles}
        given = [(mapping[r], after.id) for r in new - old if r in mapping]
        taken = [(mapping[r], after.id) for r in old - new if r in mapping]
        if given or taken:
            await self.read_back(after.guild.id, given, taken)

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """Someone left the server: their memberships end (Discord took their roles)."""
        mine = await self.queries.groups_of(guild_id, user_id)
        if mine:
            await self.read_back(guild_id, [], [(group.id, user_id) for group, _lead in mine])

    async def report_missing(
        self, guild: discord.Guild, group: GroupRecord, missing: set[str]
    ) -> None:
        """A group's role or channel deleted by hand: the admins hear once (with Recreate),
        and the group remembers it was reported."""
        if not missing - group.reported_missing:
            return
        await self.announce.report_missing(guild, group, missing)
        await self._commit(stored.mark_reported, group.id, group.reported_missing | missing)

    async def read_back(
        self, guild_id: int, given: list[tuple[int, int]], taken: list[tuple[int, int]]
    ) -> None:
        """Roles given or taken in Discord, (group, member) each, become memberships begun or
        ended."""
        await self._commit(stored.read_back, guild_id, given, taken, self.now())
        for group_id in {g for g, _user in given + taken}:
            self.announce.request_refresh(group_id)

    async def recreate(self, guild: discord.Guild, group: GroupRecord) -> int:
        role, channel = await self.provision.recreate(guild, group)
        await self._commit(stored.set_discord, group.id, role_id=role.id, channel_id=channel.id)
        self.queries.forget_roles(guild.id)
        group = await self.queries.load(guild.id, group.id)
        members = [m.user_id for m in await self.queries.members(group.id)]
        holders = {m.id for m in role.members}
        return await self.sync_roles(group, [u for u in members if u not in holders], give=True)
