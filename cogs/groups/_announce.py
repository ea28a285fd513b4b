"""Keeping Discord in step with the stored groups: each group's card in the directory channel
and its refresh, the copies of an application the leads decide on (a DM, a private thread, the
admin log) and their outcome, a lead's announcement, giving and taking a group's role, and the
admins' notes when something needs them.

Nothing here writes to the database: each method does Discord's half and returns what the
service stores (a message posted, the roles given), so every change still leaves through the
service's one exit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _, translate
from cogs.groups._display import application_embed, card_embed, decision_text
from cogs.groups._queries import GroupQueries, Reader
from db.groups import Application, GroupRecord

log = logging.getLogger(__name__)

REFRESH_DELAY = 0.5  # seconds a card waits for more changes before it is edited


class Announcer:
    """Cards, application copies, announcements and roles in Discord, for the stored groups."""

    def __init__(self, bot: S3Bot, queries: GroupQueries) -> None:
        self.bot = bot
        self.queries = queries
        self._refreshing: dict[int, asyncio.Task[None]] = {}
        self.refresh_delay = REFRESH_DELAY

    @property
    def language(self) -> str:
        """Cards and admin notes are read by many: they speak the community's language."""
        return self.bot.default_language

    # -- the card -----------------------------------------------------------------------------

    async def render_card(self, group: GroupRecord) -> tuple[discord.Embed, discord.ui.View]:
        from cogs.groups._views import card_view

        members, pending, regions = await self.queries.card(group)
        embed = card_embed(self.language, group, members, pending, regions)
        return embed, card_view(self.language, group)

    async def post_card(self, guild: discord.Guild, group: GroupRecord) -> int | None:
        """The card goes to the directory channel (its message id, for the service to store);
        without one, the admins hear once."""
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
            return None
        embed, view = await self.render_card(group)
        try:
            message = await channel.send(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.warning("could not post the card of group %s: %s", group.id, exc)
            return None
        return message.id

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
        group = await self.queries.get(group_id)
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

    # -- roles --------------------------------------------------------------------------------

    async def give_roles(
        self, group: GroupRecord, user_ids: Iterable[int], *, give: bool
    ) -> tuple[list[int], list[int]] | None:
        """Give or take the group's role: (whose role changed, who left the server), or None
        without a role to give. One refused for want of permission stops the rest: the admins
        hear once, and the memberships stay pending for the next reconcile."""
        guild = self.bot.get_guild(group.guild_id)
        role = guild.get_role(group.role_id or 0) if guild else None
        if guild is None or role is None:
            return None
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
                # The role was moved above the bot's, or Manage Roles was taken.
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
        return done, gone

    # -- applications -------------------------------------------------------------------------

    async def copy_to_lead(
        self,
        lead: int,
        reader: Reader,
        group: GroupRecord,
        application: Application,
        nonce: str,
    ) -> discord.Message | None:
        """A lead's copy of the application with Approve / Decline, by DM, in their language
        (in every language the bot speaks, the community's first, while theirs is unknown);
        None if their DMs are closed."""
        from cogs.groups._views import decision_view

        return await self.bot.members.dm(
            lead,
            nonce=nonce,
            embed=application_embed(
                reader.language, group, application, every_language=not reader.known
            ),
            view=decision_view(reader.language, application.id, every_language=not reader.known),
        )

    async def copy_in_thread(
        self, group: GroupRecord, application: Application, leads: dict[int, str], nonce: str
    ) -> tuple[discord.Message, str] | None:
        """The copy for leads the bot cannot DM, in a private thread (not invitable) of the
        group's channel with only those leads added: in their language when they share one.
        The message and its language, or None if there is no channel or Discord refused."""
        from cogs.groups._views import decision_view

        spoken = set(leads.values())
        language = spoken.pop() if len(spoken) == 1 else self.language
        guild = self.bot.get_guild(group.guild_id)
        channel = guild.get_channel(group.channel_id) if guild and group.channel_id else None
        if not isinstance(channel, discord.TextChannel):
            log.warning(
                "application %s: no channel to reach group %s's leads", application.id, group.id
            )
            return None
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
            return None
        return posted, language

    async def copy_to_admins(
        self, group: GroupRecord, application: Application, why: str, nonce: str
    ) -> discord.Message | None:
        """The last resort when the group has no lead, or its leads could be reached neither by
        DM nor in the group's channel: the admin log gets the copy (``why`` says which, a
        catalog string with {group}), and organisers may decide too."""
        from cogs.groups._views import decision_view

        guild = self.bot.get_guild(group.guild_id)
        channel = (
            self.bot.find_channel(guild, self.bot.settings.channels.admin_log) if guild else None
        )
        if channel is None:
            return None
        try:
            return await channel.send(
                translate(self.language, why, group=group),
                embed=application_embed(self.language, group, application),
                view=decision_view(self.language, application.id),
                nonce=nonce,
            )
        except discord.HTTPException as exc:
            log.warning(
                "application %s: could not post it in the admin log: %s", application.id, exc
            )
            return None

    async def update_copies(
        self, group: GroupRecord, application: Application, skip: int | None = None
    ) -> None:
        """Once an application is decided or withdrawn, every copy with Approve / Decline shows
        the outcome instead (each in its own language), so no lead presses a stale button.
        ``skip`` is the copy already updated by the press that decided it."""
        for channel_id, message_id, language in await self.queries.copies(application):
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

    # -- leads' announcements and the admins --------------------------------------------------

    async def post_announcement(
        self, group: GroupRecord, text: str, *, ping: bool
    ) -> discord.Message:
        """A lead's announcement in the group's channel, pinging its role if asked."""
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

    async def report_missing(
        self, guild: discord.Guild, group: GroupRecord, missing: set[str]
    ) -> None:
        """The admin log hears that a group's role or channel was deleted, with Recreate."""
        from cogs.groups._views import recreate_view

        channel = self.bot.find_channel(guild, self.bot.settings.channels.admin_log)
        if channel is None:
            return
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
        try:
            await channel.send(text, view=recreate_view(self.language, group.id))
        except discord.HTTPException as exc:
            log.warning("could not report a missing group space: %s", exc)
