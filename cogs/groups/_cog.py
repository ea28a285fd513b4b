"""Slash commands and listeners for groups, profiles and regions: thin, they check input with
the rules and call the service.

Who may do what: organisers create, rename, edit, archive groups; a group's leads (and
organisers) add and remove its members, its leads, its regions, and announce; everyone browses,
joins open groups and applies to the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import regions
from bot.answering import defer
from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import C_, _, translate
from bot.tree import interaction_language, reply
from cogs.groups._display import (
    STAKEHOLDER_LABELS,
    groups_embed,
    info_embed,
    kind_label,
    profile_embed,
    region_text,
)
from cogs.groups._rules import STAKEHOLDERS
from cogs.groups._service import CREATING, LEADING
from cogs.groups._views import (
    GroupsFeature,
    announce_preview,
    applications_list,
    card_action,
    members_page,
)
from db.groups import GroupRecord, Profile

log = logging.getLogger(__name__)


OPTION_NAMES = (
    C_("command", "group"),
    C_("command", "name"),
    C_("command", "name_fi"),
    C_("command", "kind"),
    C_("command", "description"),
    C_("command", "joining"),
    C_("command", "visibility"),
    C_("command", "lead"),
    C_("command", "member"),
    C_("command", "page"),
    C_("command", "text"),
    C_("command", "country"),
    C_("command", "region"),
    C_("command", "organisation"),
    C_("command", "stakeholder"),
    C_("command", "languages"),
)
JOINING_CHOICES = [
    app_commands.Choice(name=_("open: anyone can join"), value="open"),
    app_commands.Choice(name=_("by application"), value="application"),
]
VISIBILITY_CHOICES = [
    app_commands.Choice(name=_("public: everyone reads, members write"), value="public"),
    app_commands.Choice(name=_("private: members only"), value="private"),
]
STAKEHOLDER_CHOICES = [
    app_commands.Choice(name=STAKEHOLDER_LABELS[s], value=s) for s in STAKEHOLDERS
]


def _say(interaction: discord.Interaction[Any], message: str, **params: object) -> str:
    return translate(interaction_language(interaction), message, **params)


class GroupsCog(commands.Cog, name="Groups"):
    """Working groups, partnerships, profiles and regions."""

    # i18n: the feature heading /help shows for group, profile and region commands
    feature = _("Groups and regions")

    group = app_commands.Group(
        name=C_("command", "group"), description=_("Working groups and thematic partnerships")
    )
    profile = app_commands.Group(
        name=C_("command", "profile"),
        description=_("Your profile: region, organisation, languages"),
    )
    region = app_commands.Group(
        name=C_("command", "region"), description=_("Regions and who takes part")
    )

    def __init__(self, bot: S3Bot, parts: GroupsFeature) -> None:
        self.bot = bot
        self.service = parts.service
        self.queries = parts.service.queries
        self.reconciler = parts.reconcile
        self._reconciling: asyncio.Task[Any] | None = None

    # -- listeners ----------------------------------------------------------------------------

    async def cog_unload(self) -> None:
        """A reconcile and card updates under way finish before the database closes."""
        if self._reconciling is not None:
            await asyncio.wait({self._reconciling}, timeout=10)
        await self.service.announce.close()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Reconcile after the member cache is complete: at start, and again after a new
        gateway session (member updates sent while the bot was disconnected are not replayed);
        one at a time."""
        if self._reconciling is None or self._reconciling.done():
            self._reconciling = asyncio.current_task()
            await self.reconciler.reconcile_all()

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member who leaves the server leaves its groups."""
        await self.service.member_left(payload.guild_id, payload.user.id)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if before.roles != after.roles:
            await self.service.roles_changed(before, after)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        await self.reconciler.lost(role.guild, role_id=role.id)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.reconciler.lost(channel.guild, channel_id=channel.id)

    # -- helpers ------------------------------------------------------------------------------

    async def resolve(self, interaction: discord.Interaction[Any], ref: str) -> GroupRecord:
        """A group by the id autocomplete sends, or by a name typed in either language."""
        return await self.queries.resolve(interaction.guild_id, ref)

    def _guild(self, interaction: discord.Interaction[Any]) -> discord.Guild:
        if interaction.guild is None:
            raise UserFacingError(_("Use this command in the community's server."))
        return interaction.guild

    # -- create and manage --------------------------------------------------------------------

    @group.command(
        name=C_("command", "create"), description=_("Create a group with its role and channel")
    )
    @app_commands.describe(
        name=_("The group's name (in English)"),
        kind=_("What kind of group it is"),
        description=_("What the group does"),
        joining=_("Open to all, or by application"),
        visibility=_("Public channel, or members only"),
        lead=_("The first lead (default: you)"),
        name_fi=_("The group's name in Finnish, if it differs"),
    )
    @app_commands.choices(joining=JOINING_CHOICES, visibility=VISIBILITY_CHOICES)
    async def create(
        self,
        interaction: discord.Interaction[S3Bot],
        name: str,
        kind: app_commands.Range[str, 1, 100],
        description: str,
        joining: app_commands.Choice[str],
        visibility: app_commands.Choice[str],
        lead: discord.Member | None = None,
        name_fi: str | None = None,
    ) -> None:
        guild = self._guild(interaction)
        creator = await self.bot.members.require(
            interaction, self.bot.members.organisers, action=CREATING
        )
        await self.service.queries.check_create(
            guild.id, name, name_fi, description, joining.value, visibility.value
        )
        await defer(interaction)
        group, warnings = await self.service.create(
            guild,
            creator,
            lead or creator,
            name=name,
            name_fi=name_fi,
            kind=kind,
            description=description,
            joining=joining.value,
            visibility=visibility.value,
        )
        lines = [
            _say(
                interaction,
                _("Created {group}: <@&{role}> and <#{channel}>."),
                group=group.name,
                role=group.role_id,
                channel=group.channel_id,
            )
        ]
        for what, used, limit in warnings:
            label = _("roles") if what == "roles" else _("channels")
            lines.append(
                _say(
                    interaction,
                    _("Warning: the server now has {used} of Discord's {limit} {what}."),
                    used=used,
                    limit=limit,
                    what=_say(interaction, label),
                )
            )
        await reply(interaction, "\n".join(lines))

    @create.autocomplete("kind")
    async def _kind_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        language = interaction_language(interaction)
        choices = [
            app_commands.Choice(name=kind_label(language, kind)[:100], value=kind)
            for kind in self.bot.settings.groups.kinds
        ]
        needle = current.casefold()
        return [c for c in choices if needle in c.name.casefold() or needle in c.value][:25]

    @group.command(
        name=C_("command", "rename"), description=_("Rename a group, its role and channel")
    )
    @app_commands.describe(
        group=_("The group"),
        name=_("The new name"),
        name_fi=_("The new Finnish name (default: the Finnish name stays)"),
    )
    async def rename(
        self,
        interaction: discord.Interaction[S3Bot],
        group: str,
        name: str,
        name_fi: str | None = None,
    ) -> None:
        guild = self._guild(interaction)
        await self.bot.members.require(interaction, self.bot.members.organisers, action=CREATING)
        record = await self.resolve(interaction, group)
        await self.service.queries.check_rename(guild.id, record, name, name_fi)
        await defer(interaction)
        renamed = await self.service.rename(guild, record, name, name_fi)
        await reply(
            interaction,
            _say(interaction, _("Renamed {old} to {new}."), old=record.name, new=renamed.name),
        )

    @group.command(
        name=C_("command", "edit"), description=_("Change a group's description or how to join")
    )
    @app_commands.describe(
        group=_("The group"),
        description=_("What the group does"),
        joining=_("Open to all, or by application"),
        visibility=_("Public channel, or members only"),
    )
    @app_commands.choices(joining=JOINING_CHOICES, visibility=VISIBILITY_CHOICES)
    async def edit(
        self,
        interaction: discord.Interaction[S3Bot],
        group: str,
        description: str | None = None,
        joining: app_commands.Choice[str] | None = None,
        visibility: app_commands.Choice[str] | None = None,
    ) -> None:
        guild = self._guild(interaction)
        record = await self.resolve(interaction, group)
        await self.service.queries.require_lead(interaction, record, LEADING)
        await defer(interaction)
        await self.service.edit(
            guild,
            record,
            description=description,
            joining=joining.value if joining else None,
            visibility=visibility.value if visibility else None,
        )
        await reply(interaction, _say(interaction, _("{group} is updated."), group=record))

    @group.command(
        name=C_("command", "archive"),
        description=_("Archive a group: its channel becomes read-only"),
    )
    @app_commands.describe(group=_("The group"))
    async def archive(self, interaction: discord.Interaction[S3Bot], group: str) -> None:
        await self._archive(interaction, group, archived=True)

    @group.command(name=C_("command", "unarchive"), description=_("Bring an archived group back"))
    @app_commands.describe(group=_("The group"))
    async def unarchive(self, interaction: discord.Interaction[S3Bot], group: str) -> None:
        await self._archive(interaction, group, archived=False)

    async def _archive(
        self, interaction: discord.Interaction[S3Bot], ref: str, *, archived: bool
    ) -> None:
        guild = self._guild(interaction)
        await self.bot.members.require(interaction, self.bot.members.organisers, action=CREATING)
        record = await self.resolve(interaction, ref)
        await defer(interaction)
        await self.service.set_archived(guild, record, archived)
        if archived:
            text = _say(
                interaction,
                _("{group} is archived: its channel is read-only under {category}."),
                group=record,
                category=self.bot.settings.groups.archive_category,
            )
        else:
            text = _say(interaction, _("{group} is active again."), group=record)
        await reply(interaction, text)

    # -- browse -------------------------------------------------------------------------------

    @group.command(name=C_("command", "list"), description=_("List the groups"))
    @app_commands.describe(kind=_("Only this kind of group"))
    async def list_groups(
        self, interaction: discord.Interaction[S3Bot], kind: str | None = None
    ) -> None:
        records = await self.queries.listed(interaction.guild_id, kind)
        if not records:
            await reply(interaction, _say(interaction, _("There are no groups yet.")))
            return
        await reply(interaction, embed=groups_embed(interaction_language(interaction), records))

    list_groups.autocomplete("kind")(_kind_choices)

    @group.command(
        name=C_("command", "info"),
        description=_("A group's description, leads, members and regions"),
    )
    @app_commands.describe(group=_("The group"))
    async def info(self, interaction: discord.Interaction[S3Bot], group: str) -> None:
        record = await self.resolve(interaction, group)
        overview = await self.queries.overview(record, interaction.user)
        embed = info_embed(interaction_language(interaction), record, overview, self.service.now())
        await reply(interaction, embed=embed)

    @group.command(
        name=C_("command", "members"), description=_("Who is in a group, with their regions")
    )
    @app_commands.describe(group=_("The group"), page=_("Which page"))
    async def members(
        self,
        interaction: discord.Interaction[S3Bot],
        group: str,
        page: app_commands.Range[int, 1, 500] = 1,
    ) -> None:
        record = await self.resolve(interaction, group)
        embed, view = await members_page(self.service, interaction, record, page)
        await reply(interaction, embed=embed, view=view or discord.utils.MISSING)

    # -- membership ---------------------------------------------------------------------------

    @group.command(name=C_("command", "join"), description=_("Join an open group"))
    @app_commands.describe(group=_("The group"))
    async def join(self, interaction: discord.Interaction[S3Bot], group: str) -> None:
        record = await self.resolve(interaction, group)
        await card_action(self.service, interaction, record.id, "join")

    @group.command(name=C_("command", "leave"), description=_("Leave a group"))
    @app_commands.describe(group=_("The group"))
    async def leave(self, interaction: discord.Interaction[S3Bot], group: str) -> None:
        record = await self.resolve(interaction, group)
        await card_action(self.service, interaction, record.id, "leave")

    @group.command(
        name=C_("command", "apply"),
        description=_("Apply to a group that takes members by application"),
    )
    @app_commands.describe(group=_("The group"))
    async def apply(self, interaction: discord.Interaction[S3Bot], group: str) -> None:
        record = await self.resolve(interaction, group)
        await card_action(self.service, interaction, record.id, "apply")

    @group.command(
        name=C_("command", "withdraw"), description=_("Withdraw your pending application")
    )
    @app_commands.describe(group=_("The group"))
    async def withdraw(self, interaction: discord.Interaction[S3Bot], group: str) -> None:
        record = await self.resolve(interaction, group)
        await card_action(self.service, interaction, record.id, "withdraw")

    @group.command(
        name=C_("command", "applications"),
        description=_("Pending applications to a group, to decide (leads and organisers)"),
    )
    @app_commands.describe(group=_("The group"))
    async def applications(self, interaction: discord.Interaction[S3Bot], group: str) -> None:
        record = await self.resolve(interaction, group)
        await self.service.queries.require_lead(interaction, record, LEADING)
        content, view = await applications_list(
            self.service, interaction_language(interaction), record
        )
        await reply(interaction, content, view=view or discord.utils.MISSING)

    # -- leads' tools -------------------------------------------------------------------------

    # Declared here, after the commands everyone uses, so /help lists those first.
    lead = app_commands.Group(
        name=C_("command", "lead"), description=_("A group's leads"), parent=group
    )
    member = app_commands.Group(
        name=C_("command", "member"), description=_("A group's members"), parent=group
    )
    region_group = app_commands.Group(
        name=C_("command", "region"), description=_("A partnership's regions"), parent=group
    )

    async def _manage(
        self, interaction: discord.Interaction[Any], group: str, member: discord.Member, action: str
    ) -> None:
        """A lead's (or organiser's) change to who is in the group or leads it."""
        record = await self.resolve(interaction, group)
        await self.service.queries.require_lead(interaction, record, LEADING)
        done = await self.service.manage(record, member, action)
        await reply(
            interaction,
            _say(interaction, done, member=member.display_name, group=record),
        )
        if action in ("member_add", "member_remove"):
            await self.service.after_change(record, member.id, give=action == "member_add")
        else:
            self.service.announce.request_refresh(record.id)

    @member.command(name=C_("command", "add"), description=_("Add a member to a group"))
    @app_commands.describe(group=_("The group"), member=_("Who"))
    async def member_add(
        self, interaction: discord.Interaction[S3Bot], group: str, member: discord.Member
    ) -> None:
        await self._manage(interaction, group, member, "member_add")

    @member.command(name=C_("command", "remove"), description=_("Remove a member from a group"))
    @app_commands.describe(group=_("The group"), member=_("Who"))
    async def member_remove(
        self, interaction: discord.Interaction[S3Bot], group: str, member: discord.Member
    ) -> None:
        await self._manage(interaction, group, member, "member_remove")

    @lead.command(name=C_("command", "add"), description=_("Make a member a lead of a group"))
    @app_commands.describe(group=_("The group"), member=_("Who"))
    async def lead_add(
        self, interaction: discord.Interaction[S3Bot], group: str, member: discord.Member
    ) -> None:
        await self._manage(interaction, group, member, "lead_add")

    @lead.command(name=C_("command", "remove"), description=_("A lead steps back (stays a member)"))
    @app_commands.describe(group=_("The group"), member=_("Who"))
    async def lead_remove(
        self, interaction: discord.Interaction[S3Bot], group: str, member: discord.Member
    ) -> None:
        await self._manage(interaction, group, member, "lead_remove")

    async def _region_change(
        self, interaction: discord.Interaction[Any], group: str, region: str, *, add: bool
    ) -> None:
        """A lead adds a taking-part region, or removes one a lead added."""
        record = await self.resolve(interaction, group)
        lead = await self.service.queries.require_lead(interaction, record, LEADING)
        ref = regions.parse_region(region)
        await self.service.change_region(record, ref, lead.id, add=add)
        done = (
            _("{region} takes part in {group}.") if add else _("{region} is removed from {group}.")
        )
        await reply(interaction, _say(interaction, done, region=ref, group=record))

    @region_group.command(
        name=C_("command", "add"), description=_("Add a taking-part region not yet in the server")
    )
    @app_commands.describe(
        group=_("The group"), region=_("The region: its name or ISO code (FI-10)")
    )
    async def region_add(
        self, interaction: discord.Interaction[S3Bot], group: str, region: str
    ) -> None:
        await self._region_change(interaction, group, region, add=True)

    @region_group.command(
        name=C_("command", "remove"), description=_("Remove a region a lead added")
    )
    @app_commands.describe(group=_("The group"), region=_("The region"))
    async def region_remove(
        self, interaction: discord.Interaction[S3Bot], group: str, region: str
    ) -> None:
        await self._region_change(interaction, group, region, add=False)

    @group.command(
        name=C_("command", "announce"), description=_("Post an announcement in the group's channel")
    )
    @app_commands.describe(group=_("The group"), text=_("What to announce"))
    async def announce(
        self,
        interaction: discord.Interaction[S3Bot],
        group: str,
        text: app_commands.Range[str, 1, 1900],
    ) -> None:
        record = await self.resolve(interaction, group)
        await self.service.queries.require_lead(interaction, record, LEADING)
        content, view = announce_preview(interaction_language(interaction), record, text)
        await reply(interaction, content, view=view)

    # -- autocomplete -------------------------------------------------------------------------

    @rename.autocomplete("group")
    @edit.autocomplete("group")
    @archive.autocomplete("group")
    @unarchive.autocomplete("group")
    @info.autocomplete("group")
    @members.autocomplete("group")
    @join.autocomplete("group")
    @leave.autocomplete("group")
    @apply.autocomplete("group")
    @withdraw.autocomplete("group")
    @applications.autocomplete("group")
    @member_add.autocomplete("group")
    @member_remove.autocomplete("group")
    @lead_add.autocomplete("group")
    @lead_remove.autocomplete("group")
    @region_add.autocomplete("group")
    @region_remove.autocomplete("group")
    @announce.autocomplete("group")
    async def _group_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        found = await self.queries.directory.choices(
            interaction.guild_id, interaction_language(interaction), current, archived=None
        )
        return [app_commands.Choice(name=name, value=value) for name, value in found]

    async def region_choices(
        self, interaction: discord.Interaction[S3Bot], current: str, country: str | None
    ) -> list[app_commands.Choice[str]]:
        """Regions matching what was typed (within ``country`` when known); with nothing
        typed, the member's own and the server's regions first."""
        familiar: list[str] = []
        if not current.strip():
            familiar = await self.queries.familiar_regions(
                interaction.guild_id or 0, interaction.user.id
            )
        return _region_choices(interaction_language(interaction), current, country, familiar)

    @region_add.autocomplete("region")
    @region_remove.autocomplete("region")
    async def _any_region_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.region_choices(interaction, current, None)

    # -- profiles -----------------------------------------------------------------------------

    @profile.command(
        name=C_("command", "set"), description=_("Set your region, organisation and languages")
    )
    @app_commands.describe(
        country=_("Your country"),
        region=_("Your region (pick from the list, or type one it lacks)"),
        organisation=_("Your organisation"),
        stakeholder=_("What kind of organisation it is"),
        languages=_("Languages you speak, e.g. fi, en, sv"),
    )
    @app_commands.choices(stakeholder=STAKEHOLDER_CHOICES)
    async def profile_set(
        self,
        interaction: discord.Interaction[S3Bot],
        country: app_commands.Range[str, 1, 100],
        region: str | None = None,
        organisation: app_commands.Range[str, 1, 100] | None = None,
        stakeholder: app_commands.Choice[str] | None = None,
        languages: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        found = regions.country(country)
        if found is None:
            raise UserFacingError(
                _("“{country}” is not a country I know: pick one from the list."), country=country
            )
        ref = regions.parse_region(region, found.code) if region else regions.RegionRef()
        spoken = _parse_languages(languages or "")
        profile = Profile(
            interaction.guild_id or 0,
            interaction.user.id,
            found.code,
            ref.code,
            ref.text,
            organisation.strip() if organisation else None,
            stakeholder.value if stakeholder else None,
            spoken,
        )
        await self.service.set_profile(profile)
        language = interaction_language(interaction)
        lines = [
            _say(interaction, _("Your profile is saved. Remove it any time with /profile clear."))
        ]
        if ref.text:
            lines.append(
                _say(
                    interaction,
                    _(
                        "“{region}” is not one of {country}'s regions in the ISO 3166-2 list: it "
                        "is kept as you typed it and counts as a region of its own (in region "
                        "polls too). To be counted with a listed region, pick it from the list."
                    ),
                    region=ref.text,
                    country=found,
                )
            )
        await reply(
            interaction,
            "\n".join(lines),
            embed=profile_embed(language, interaction.user.display_name, profile),
        )

    @profile_set.autocomplete("country")
    async def _country_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        language = interaction_language(interaction)
        return [
            app_commands.Choice(name=c.display(language)[:100], value=c.code)
            for c in regions.search_countries(current)
        ]

    @profile_set.autocomplete("region")
    async def _region_choices_in_country(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        found = regions.country(str(getattr(interaction.namespace, "country", "") or ""))
        return await self.region_choices(interaction, current, found.code if found else None)

    @profile.command(name=C_("command", "show"), description=_("Show a member's profile"))
    @app_commands.describe(member=_("Whose profile (default: yours)"))
    async def profile_show(
        self, interaction: discord.Interaction[S3Bot], member: discord.Member | None = None
    ) -> None:
        who = member or interaction.user
        profile, mine = await self.queries.profile(interaction.guild_id or 0, who.id)
        if profile is None:
            raise UserFacingError(
                _("{member} has no profile yet (/profile set)."), member=who.display_name
            )
        language = interaction_language(interaction)
        await reply(interaction, embed=profile_embed(language, who.display_name, profile, mine))

    @profile.command(name=C_("command", "clear"), description=_("Delete your profile"))
    async def profile_clear(self, interaction: discord.Interaction[S3Bot]) -> None:
        await self.service.clear_profile(interaction.guild_id or 0, interaction.user.id)
        await reply(interaction, _say(interaction, _("Your profile is deleted.")))

    # -- regions ------------------------------------------------------------------------------

    @region.command(
        name=C_("command", "show"),
        description=_("A region's members and the groups it takes part in"),
    )
    @app_commands.describe(name=_("The region: its name or ISO code (FI-10)"))
    async def region_show(self, interaction: discord.Interaction[S3Bot], name: str) -> None:
        ref = regions.parse_region(name)
        profiles, taking_part = await self.queries.region(interaction.guild_id or 0, ref)
        await reply(
            interaction, region_text(interaction_language(interaction), ref, taking_part, profiles)
        )

    @region_show.autocomplete("name")
    async def _region_show_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.region_choices(interaction, current, None)


def _region_choices(
    language: str, current: str, country: str | None, familiar: Sequence[str] = ()
) -> list[app_commands.Choice[str]]:
    first = [r for code in familiar if (r := regions.region(code))]
    first = [r for r in first if country is None or r.country == country]
    found = list(dict.fromkeys(first + regions.search(current, country)))[: regions.MAX_CHOICES]
    choices = [
        app_commands.Choice(name=f"{r.display(language)} · {r.code}"[:100], value=r.code)
        for r in found
    ]
    typed = " ".join(current.split())
    if (
        typed
        and not any(c.value.casefold() == typed.casefold() for c in choices)
        and len(choices) < 25
    ):
        choices.append(app_commands.Choice(name=typed[:100], value=typed[:100]))
    return choices[:25]


def _parse_languages(text: str) -> tuple[str, ...]:
    """ISO 639-1 codes (fi, en) or names; refused when unknown."""
    import pycountry

    codes = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        found = pycountry.languages.get(alpha_2=part.lower()) if len(part) == 2 else None
        if found is None:
            try:
                found = pycountry.languages.lookup(part)
            except LookupError:
                found = None
        code = getattr(found, "alpha_2", None)
        if code is None:
            raise UserFacingError(
                _("“{language}” is not a language I know: use codes like fi, en, sv."),
                language=part,
            )
        if code not in codes:
            codes.append(code)
    return tuple(codes[:10])
