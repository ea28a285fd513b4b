"""Slash commands and listeners for support requests: thin, they check input with the rules,
read through the queries and change through the service.

Who may do what: any member asks (unless the settings exclude their role or they have too many
open requests) and sees their own requests; the secretariat claims, hands over, resolves,
lists, exports, reads transcripts and sets the limits; the requester may reopen for a while.
"""

from __future__ import annotations

import io
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import defer, reply
from bot.client import S3Bot
from bot.i18n import C_, SUPPORTED_LANGUAGES, _, translate
from bot.regions import region
from bot.tree import interaction_language
from cogs.groups.directory import GroupDirectory
from cogs.support._display import (
    STATUS_LABELS,
    list_line,
    requests_csv,
    summary_csv,
    transcript_text,
)
from cogs.support._rules import OPEN_STATUSES, Status, check_draft
from cogs.support._views import SupportFeature, request_modal

LIST_LIMIT = 20
FILES_PER_MESSAGE = 10
LISTING = _("list and export support requests")
HANDLING = _("hand over support requests, read transcripts and set limits")

OPTION_NAMES = (
    C_("command", "request"),
    C_("command", "status"),
    C_("command", "mine"),
    C_("command", "language"),
    C_("command", "to"),
    C_("command", "max_open"),
    C_("command", "exclude_role"),
    C_("command", "include_role"),
)


class SupportCog(commands.Cog, name="Support"):
    """Support requests: a form, a private thread, a card in the triage channel, nudges."""

    # i18n: the feature heading /help shows for support commands
    feature = _("Support requests")

    support = app_commands.Group(
        name=C_("command", "support"), description=_("Ask the secretariat for support")
    )

    def __init__(self, bot: S3Bot, parts: SupportFeature) -> None:
        self.bot = bot
        self.service = parts.service
        self.queries = parts.queries
        self.groups = GroupDirectory(bot)

    # -- asking -------------------------------------------------------------------------------

    @support.command(name=C_("command", "request"), description=_("Ask the secretariat for help"))
    @app_commands.describe(language=_("The language you want to be answered in"))
    @app_commands.choices(
        language=[
            app_commands.Choice(name="English", value="en"),
            app_commands.Choice(name="suomi", value="fi"),
        ]
    )
    async def request(
        self, interaction: discord.Interaction[S3Bot], language: str | None = None
    ) -> None:
        member = interaction.user
        assert isinstance(member, discord.Member)
        await self.queries.check_may_ask(member)
        asked = interaction_language(interaction)
        chosen = language if language in SUPPORTED_LANGUAGES else asked
        region = await self._profile_region(member, asked)

        async def submit(modal_interaction: discord.Interaction[Any], values: dict[str, str]):
            draft = check_draft(
                values["topic"],
                values["need"],
                values["region"],
                values.get("group"),
                chosen,
                SUPPORTED_LANGUAGES,
            )
            await defer(modal_interaction)
            record, posted = await self.service.create(member, draft)
            if posted and record.thread_id:
                text = translate(
                    asked,
                    _("Request #{id} is open: {thread}. The secretariat has been told."),
                    id=record.id,
                    thread=f"<#{record.thread_id}>",
                )
            else:
                text = translate(
                    asked,
                    _(
                        "Request #{id} is saved, but I could not open its private thread yet. "
                        "The admins have been told; I will keep trying and add you to the "
                        "thread as soon as it exists. Nothing is lost."
                    ),
                    id=record.id,
                )
            await reply(modal_interaction, text)

        await interaction.response.send_modal(
            request_modal(interaction_language(interaction), region, None, submit)
        )

    async def _profile_region(self, member: discord.Member, language: str) -> str:
        """The region from the member's profile, changeable in the form."""
        profile = await self.groups.profile(member.guild.id, member.id)
        if profile is None:
            return ""
        found = region(profile.region_code) if profile.region_code else None
        return found.display(language) if found is not None else profile.region_text or ""

    # -- overview -----------------------------------------------------------------------------

    @support.command(name=C_("command", "status"), description=_("Your own support requests"))
    async def status(self, interaction: discord.Interaction[S3Bot]) -> None:
        assert interaction.guild is not None
        language = interaction_language(interaction)
        mine = await self.queries.requests(interaction.guild.id, requester_id=interaction.user.id)
        if not mine:
            text = translate(
                language, _("You have no support requests. Ask with /support request.")
            )
        else:
            text = "\n".join(list_line(language, r) for r in mine[-LIST_LIMIT:])
        await reply(interaction, text, ephemeral=True)

    @support.command(name=C_("command", "list"), description=_("Support requests (secretariat)"))
    @app_commands.describe(
        status=_("Only requests with this status (default: open ones)"),
        mine=_("Only the requests you handle"),
    )
    async def list_requests(
        self,
        interaction: discord.Interaction[S3Bot],
        status: Literal["new", "claimed", "resolved", "reopened", "all"] | None = None,
        mine: bool = False,
    ) -> None:
        assert interaction.guild is not None
        await self.bot.members.require(interaction, self.bot.members.secretariat, action=LISTING)
        language = interaction_language(interaction)
        statuses: tuple[str, ...] | None
        if status == "all":
            statuses = None
        elif status is not None:
            statuses = (status,)
        else:
            statuses = tuple(s.value for s in OPEN_STATUSES)
        found = await self.queries.requests(
            interaction.guild.id,
            statuses=statuses,
            claimed_by=interaction.user.id if mine else None,
        )
        if not found:
            text = translate(language, _("No support requests match."))
        else:
            lines = [list_line(language, r) for r in found[:LIST_LIMIT]]
            if len(found) > LIST_LIMIT:
                lines.append(translate(language, _("…and {n} more."), n=len(found) - LIST_LIMIT))
            text = "\n".join(lines)
        await reply(interaction, text, ephemeral=True)

    @support.command(
        name=C_("command", "export"),
        description=_("CSV of requests with business hours to claim and resolve (secretariat)"),
    )
    async def export(self, interaction: discord.Interaction[S3Bot]) -> None:
        assert interaction.guild is not None
        await self.bot.members.require(interaction, self.bot.members.secretariat, action=LISTING)
        guild_id = interaction.guild.id
        found = await self.queries.requests(guild_id)
        calendar = self.service.calendar
        per_request = requests_csv(
            found, calendar, lambda uid: self.bot.members.display_name(guild_id, uid)
        )
        summary = summary_csv(found, calendar)
        await reply(
            interaction,
            translate(
                interaction_language(interaction),
                _("Requests exported: {n}. Times are business hours in {zone}."),
                n=len(found),
                zone=str(self.bot.default_timezone),
            ),
            files=[
                discord.File(io.BytesIO(per_request.encode()), "support-requests.csv"),
                discord.File(io.BytesIO(summary.encode()), "support-summary.csv"),
            ],
            ephemeral=True,
        )

    # -- the secretariat ----------------------------------------------------------------------

    @support.command(
        name=C_("command", "transcript"),
        description=_("The kept transcript of a request, with its files (secretariat)"),
    )
    @app_commands.describe(request=_("The request's number"))
    async def transcript(self, interaction: discord.Interaction[S3Bot], request: int) -> None:
        assert interaction.guild is not None
        await self.bot.members.require(interaction, self.bot.members.secretariat, action=HANDLING)
        record = await self.queries.load(request, interaction.guild.id)
        language = interaction_language(interaction)
        messages, kept = await self.queries.transcript(record.id)
        if not messages:
            await reply(
                interaction,
                translate(
                    language,
                    _("Request #{id} has no transcript yet: it is kept when it is resolved."),
                    id=record.id,
                ),
                ephemeral=True,
            )
            return
        text = transcript_text(record, messages, kept)
        files = [discord.File(io.BytesIO(text.encode()), f"request-{record.id}.txt")]
        files += [discord.File(io.BytesIO(f.data), f.filename) for f in kept]
        await reply(
            interaction,
            translate(
                language,
                _("Transcript of request #{id} (messages: {n}, files: {files})."),
                id=record.id,
                n=len(messages),
                files=len(kept),
            ),
            files=files[:FILES_PER_MESSAGE],
            ephemeral=True,
        )
        for start in range(FILES_PER_MESSAGE, len(files), FILES_PER_MESSAGE):
            await reply(interaction, files=files[start : start + FILES_PER_MESSAGE])

    @support.command(
        name=C_("command", "handover"),
        description=_("Hand a request to another secretariat member"),
    )
    @app_commands.describe(request=_("The request's number"), to=_("Who takes it over"))
    async def handover(
        self, interaction: discord.Interaction[S3Bot], request: int, to: discord.Member
    ) -> None:
        assert interaction.guild is not None
        actor = self.queries.actor(interaction.user)
        record = await self.service.hand_over(
            interaction.guild.id, request, actor, self.queries.actor(to)
        )
        await reply(
            interaction,
            translate(
                interaction_language(interaction),
                _("Request #{id} is now handled by {who}."),
                id=request,
                who=to.mention,
            ),
            ephemeral=True,
        )
        await self.service.after_change(interaction.guild, record, "hand_over", actor.id)

    @support.command(
        name=C_("command", "settings"),
        description=_("Limits for support requests (secretariat)"),
    )
    @app_commands.describe(
        max_open=_("Open requests one member may have at once"),
        exclude_role=_("Members with this role may not ask"),
        include_role=_("Members with this role may ask again"),
    )
    async def settings(
        self,
        interaction: discord.Interaction[S3Bot],
        max_open: app_commands.Range[int, 1, 100] | None = None,
        exclude_role: discord.Role | None = None,
        include_role: discord.Role | None = None,
    ) -> None:
        assert interaction.guild is not None
        await self.bot.members.require(interaction, self.bot.members.secretariat, action=HANDLING)
        limits = await self.service.set_limits(
            interaction.guild,
            interaction.user.id,
            max_open=max_open,
            exclude=exclude_role,
            include=include_role,
        )
        excluded = ", ".join(f"<@&{r}>" for r in sorted(limits.excluded_role_ids)) or "–"
        await reply(
            interaction,
            translate(
                interaction_language(interaction),
                _("At most {n} open requests per member. Roles that may not ask: {roles}."),
                n=limits.max_open,
                roles=excluded,
            ),
            ephemeral=True,
        )

    @transcript.autocomplete("request")
    @handover.autocomplete("request")
    async def _request_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        found = await self.queries.requests(interaction.guild.id)
        language = interaction_language(interaction)
        choices = []
        for record in reversed(found):
            status = translate(language, STATUS_LABELS[Status(record.status)])
            label = f"#{record.id} {record.topic} · {status}"
            if current.strip().lstrip("#") in label:
                choices.append(app_commands.Choice(name=label[:100], value=record.id))
        return choices[:25]

    # -- listeners ----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Messages in a request's thread move its waiting clock."""
        if message.author.bot or not isinstance(message.channel, discord.Thread):
            return
        parent = self.bot.settings.support.channel
        guild = message.guild
        support = self.bot.find_channel(guild, parent) if guild else None
        if support is None or message.channel.parent_id != support.id:
            return
        await self.service.note_message(message)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A request's thread deleted by hand is opened again (and the admins told)."""
        record = await self.queries.by_thread(payload.thread_id)
        if record is None or record.status == Status.RESOLVED:
            return
        await self.service.ensure_posted(record.id)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A card deleted by hand is posted again (and the admins told)."""
        guild = self.bot.get_guild(payload.guild_id or 0)
        if guild is not None:
            await self.service.card_deleted(guild, payload.message_id)
