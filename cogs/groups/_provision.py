"""A group's space in Discord: its role, its channel under the kind's category, the overwrites.

Everything here is all or nothing: a step that fails undoes the steps before it, and the
organiser is told what to fix (a permission, a Discord limit), never left with half a group.
Overwrites are set on roles only (the group's, @everyone, the secretariat's, the bot's own),
never per member, so membership is only ever the role.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from cogs.groups._rules import Capacity, category_for, channel_name, overflow_names
from db.groups import GroupRecord

log = logging.getLogger(__name__)
Overwrites = dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]


def _what_to_fix(exc: discord.HTTPException, step: str) -> UserFacingError:
    """Discord's refusal as the change that makes the next attempt work."""
    if exc.code == 30005:
        return UserFacingError(
            _("The server has 250 roles, Discord's maximum: delete unused roles, then try again.")
        )
    if exc.code == 30013:
        return UserFacingError(
            _(
                "The server has 500 channels, Discord's maximum: delete unused channels, then "
                "try again."
            )
        )
    if isinstance(exc, discord.Forbidden):
        if step == "role":
            return UserFacingError(
                _(
                    "I could not create the group's role: give my role the Manage Roles "
                    "permission, then try again. Nothing was created."
                )
            )
        if step == "grant":
            return UserFacingError(
                _(
                    "I could not give the group's role to its lead: move my role above the "
                    "group roles in the server settings (Roles), then try again. Nothing was "
                    "created."
                )
            )
        return UserFacingError(
            _(
                "I could not create the group's channel: give my role the Manage Channels and "
                "Manage Roles permissions, then try again. Nothing was created."
            )
        )
    return UserFacingError(
        _("Discord refused to create the group ({reason}). Nothing was created; try again later."),
        reason=exc.text or str(exc.status),
    )


@dataclass
class Space:
    role: discord.Role
    channel: discord.TextChannel
    warnings: list[tuple[str, int, int]] = field(default_factory=list)


class Provisioner:
    """Creates, moves and removes groups' roles and channels."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self.settings = bot.settings.groups

    def secretariat(self, guild: discord.Guild) -> discord.Role | None:
        return self.bot.find_role(guild, self.bot.settings.roles.secretariat)

    def overwrites(
        self, guild: discord.Guild, role: discord.Role, visibility: str, *, archived: bool = False
    ) -> Overwrites:
        """Private: only the role, the secretariat and the bot see it. Public: everyone reads,
        members write. Archived: nobody writes, history stays readable to whoever could read."""
        write = not archived
        result: Overwrites = {
            guild.default_role: discord.PermissionOverwrite(
                view_channel=visibility == "public", send_messages=False
            ),
            role: discord.PermissionOverwrite(view_channel=True, send_messages=write),
        }
        secretariat = self.secretariat(guild)
        if secretariat is not None:
            result[secretariat] = discord.PermissionOverwrite(
                view_channel=True, send_messages=write
            )
        own = guild.self_role
        if own is not None:
            result[own] = discord.PermissionOverwrite(view_channel=True, send_messages=True)
        return result

    def categories(self, guild: discord.Guild, base: str) -> list[discord.CategoryChannel]:
        """The base category and its overflow ones, in order."""
        pattern = overflow_names(base)
        found = [c for c in guild.categories if pattern.match(c.name)]
        return sorted(found, key=lambda c: int(pattern.match(c.name)["n"] or 1))  # type: ignore[index]

    def capacity(self, guild: discord.Guild) -> Capacity:
        return Capacity(roles=len(guild.roles), channels=len(guild.channels))

    async def category(
        self, guild: discord.Guild, base: str, created: list[discord.abc.Snowflake]
    ) -> discord.CategoryChannel:
        """The first of the base's categories with room, a new overflow one when all are full."""
        existing = self.categories(guild, base)
        name, new = category_for(base, [(c.name, len(c.channels)) for c in existing])
        if not new:
            return next(c for c in existing if c.name == name)
        category = await guild.create_category(name, reason="s3cop: group category")
        created.append(category)
        return category

    async def create(self, guild: discord.Guild, group: GroupRecord, lead: discord.Member) -> Space:
        """The role, the channel (under the kind's category) and the lead's role; all or none."""
        capacity = self.capacity(guild)
        base = self.settings.kinds[group.kind]
        needs_category = not self._has_room(guild, base)
        refusal = capacity.refusal(1 + needs_category)
        if refusal:
            raise UserFacingError(refusal, limit=250 if "roles" in refusal else 500)
        created: list[discord.abc.Snowflake] = []
        step = "role"
        try:
            role = await guild.create_role(name=group.name, reason="s3cop: group role")
            created.append(role)
            step = "channel"
            category = await self.category(guild, base, created)
            channel = await guild.create_text_channel(
                channel_name(group.name),
                category=category,
                overwrites=self.overwrites(guild, role, group.visibility),
                topic=group.description[:1024],
                reason="s3cop: group channel",
            )
            created.append(channel)
            step = "grant"
            await lead.add_roles(role, reason="s3cop: group lead")
        except discord.HTTPException as exc:
            log.warning("creating group %s failed at %s: %s", group.name, step, exc)
            await self.remove(created)
            raise _what_to_fix(exc, step) from exc
        return Space(role, channel, capacity.warnings(1 + needs_category))

    def _has_room(self, guild: discord.Guild, base: str) -> bool:
        existing = self.categories(guild, base)
        return not category_for(base, [(c.name, len(c.channels)) for c in existing])[1]

    async def remove(self, created: list[discord.abc.Snowflake]) -> None:
        """Undo a failed creation, newest first; what cannot be removed is logged."""
        for thing in reversed(created):
            try:
                await thing.delete(reason="s3cop: undoing a failed group creation")  # type: ignore[attr-defined]
            except discord.HTTPException:
                log.exception("could not undo %r", thing)

    async def recreate(
        self, guild: discord.Guild, group: GroupRecord
    ) -> tuple[discord.Role, discord.TextChannel]:
        """A role or channel deleted by hand, made again (the other is kept)."""
        role = guild.get_role(group.role_id or 0)
        created: list[discord.abc.Snowflake] = []
        try:
            if role is None:
                role = await guild.create_role(name=group.name, reason="s3cop: recreate group role")
                created.append(role)
            channel = guild.get_channel(group.channel_id or 0)
            if isinstance(channel, discord.TextChannel):
                await channel.edit(
                    overwrites=self.overwrites(
                        guild, role, group.visibility, archived=group.archived
                    )
                )
            else:
                base = (
                    self.settings.archive_category
                    if group.archived
                    else self.settings.kinds[group.kind]
                )
                category = await self.category(guild, base, created)
                channel = await guild.create_text_channel(
                    channel_name(group.name),
                    category=category,
                    overwrites=self.overwrites(
                        guild, role, group.visibility, archived=group.archived
                    ),
                    topic=group.description[:1024],
                    reason="s3cop: recreate group channel",
                )
        except discord.HTTPException as exc:
            await self.remove(created)
            raise _what_to_fix(exc, "channel") from exc
        return role, channel

    async def archive(
        self, guild: discord.Guild, group: GroupRecord, *, archived: bool
    ) -> discord.Role | None:
        """Move the channel to the archive category read-only (or back), and keep or remove the
        role per the settings; returns the role the group now has."""
        role = guild.get_role(group.role_id or 0)
        channel = guild.get_channel(group.channel_id or 0)
        created: list[discord.abc.Snowflake] = []
        try:
            if role is None and not archived:
                role = await guild.create_role(name=group.name, reason="s3cop: unarchive group")
                created.append(role)
            base = self.settings.archive_category if archived else self.settings.kinds[group.kind]
            if isinstance(channel, discord.TextChannel) and role is not None:
                category = await self.category(guild, base, created)
                await channel.edit(
                    category=category,
                    overwrites=self.overwrites(guild, role, group.visibility, archived=archived),
                    reason="s3cop: archive group" if archived else "s3cop: unarchive group",
                )
            if archived and role is not None and self.settings.alumni_role == "remove":
                await role.delete(reason="s3cop: archived group, alumni role not kept")
                return None
        except discord.HTTPException as exc:
            await self.remove(created)
            if isinstance(exc, discord.Forbidden):
                raise UserFacingError(
                    _(
                        "I could not move the group's channel or change its role: give my role "
                        "Manage Channels and Manage Roles, and put it above the group's role."
                    )
                ) from exc
            raise _what_to_fix(exc, "channel") from exc
        return role
