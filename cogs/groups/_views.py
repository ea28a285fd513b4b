"""Buttons and forms of groups, and the answers they give the member: the card's Join / Leave /
Apply / Withdraw, the leads' Approve / Decline (decline asks for a reason), the admin log's
Recreate, and the announcement preview.

Persistent buttons derive from :mod:`bot.components` under the prefix ``grp``, so their custom_id
carries the record id (``grp:12:join``, ``grp:app:5:approve``, ``grp:fix:12``) and they keep
working after a restart. The slash commands for joining and applying call the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot import components
from bot import regions as region_names
from bot.answering import defer, update
from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.tree import interaction_language, reply
from cogs.groups._display import (
    application_embed,
    decision_text,
    in_languages,
    members_embed,
    your_decision,
)
from cogs.groups._reconcile import Reconciler
from cogs.groups._service import CREATING, LEADING, GroupService
from db.groups import Application, GroupRecord

FEATURE = "groups"
PREFIX = "grp"

CARD_LABELS = {
    "join": _("Join"),
    "leave": _("Leave"),
    "apply": _("Apply"),
    "withdraw": _("Withdraw application"),
}
CARD_STYLES = {
    "join": discord.ButtonStyle.success,
    "leave": discord.ButtonStyle.secondary,
    "apply": discord.ButtonStyle.primary,
    "withdraw": discord.ButtonStyle.secondary,
}


def _say(interaction: discord.Interaction[Any], message: str, **params: object) -> str:
    return translate(interaction_language(interaction), message, **params)


@dataclass(frozen=True)
class GroupsFeature:
    """The feature's parts, as setup() registers them on the bot for its buttons: the service
    for changes (with its queries and announcer), the reconciler for keeping Discord in step."""

    service: GroupService
    reconcile: Reconciler


class GroupButton(components.Button, feature=FEATURE, prefix=PREFIX):
    """The groups feature's buttons."""

    @classmethod
    def service(cls, interaction: discord.Interaction[Any]) -> GroupService:
        found = cls.state(interaction)
        assert isinstance(found, GroupsFeature), "the groups extension is not loaded"
        return found.service


# -- joining, leaving, applying: from the card or from the commands ---------------------------


async def card_action(
    service: GroupService, interaction: discord.Interaction[Any], group_id: int, action: str
) -> None:
    """Join, leave, apply or withdraw; the member hears first, Discord's role follows."""
    record = await service.queries.load(interaction.guild_id, group_id)
    member = interaction.user
    if not isinstance(member, discord.Member):
        raise UserFacingError(_("Use this command in the community's server."))
    name = record.display_name(interaction_language(interaction))
    try:
        await _card_action(service, interaction, record, member, action, name)
    except UserFacingError as refusal:
        if action in ("join", "withdraw"):
            # Where a member whose DMs are closed learns the leads' decision.
            decided = await service.queries.last_decided(record, member.id)
            if decided is not None:
                message, params = your_decision(decided)
                refusal.add_note(message, group=name, **params)
        raise


async def _card_action(
    service: GroupService,
    interaction: discord.Interaction[Any],
    record: GroupRecord,
    member: discord.Member,
    action: str,
    name: str,
) -> None:
    if action == "join":
        if not await service.join(record, member):
            raise UserFacingError(_("You are already a member of {group}."), group=name)
        await reply(
            interaction,
            _say(
                interaction,
                _("You joined {group}. Its channel: <#{channel}>"),
                group=name,
                channel=record.channel_id,
            ),
        )
        await service.after_change(record, member.id, give=True)
    elif action == "leave":
        if not await service.leave(record, member.id):
            raise UserFacingError(_("You are not a member of {group}."), group=name)
        await reply(interaction, _say(interaction, _("You left {group}."), group=name))
        await service.after_change(record, member.id, give=False)
    elif action == "apply":
        await open_application(service, interaction, record, member)
    else:
        withdrawn = await service.withdraw(record, member.id)
        await reply(
            interaction,
            _say(interaction, _("Your application to {group} is withdrawn."), group=name),
        )
        await service.announce.update_copies(record, withdrawn)


async def open_application(
    service: GroupService,
    interaction: discord.Interaction[Any],
    record: GroupRecord,
    member: discord.Member,
) -> None:
    """The expression-of-interest form, refused up front when it could not be sent."""
    profile = await service.queries.check_can_apply(record, member)
    language = interaction_language(interaction)
    organisation = (profile.organisation or "") if profile else ""
    where = (
        region_names.RegionRef(profile.region_code, profile.region_text).display(language)
        if profile
        else ""
    )
    await interaction.response.send_modal(ApplyModal(language, record, organisation, where))


class CardButton(GroupButton, template=r"(?P<group_id>\d+):(?P<action>join|leave|apply|withdraw)"):
    """A button on a group's card."""

    def __init__(self, group_id: int, action: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=CARD_STYLES[action],
                custom_id=self.custom_id_for(group_id, action),
            )
        )
        self.group_id = group_id
        self.action = action

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await card_action(self.service(interaction), interaction, self.group_id, self.action)


def card_view(language: str, group: GroupRecord) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if group.archived:
        return view
    actions = ("join", "leave") if group.joining == "open" else ("apply", "withdraw", "leave")
    for action in actions:
        view.add_item(CardButton(group.id, action, translate(language, CARD_LABELS[action])))
    return view


class ApplyModal(components.Modal):
    """The expression of interest: motivation, organisation, region."""

    def __init__(self, language: str, group: GroupRecord, organisation: str, region: str) -> None:
        title = translate(language, _("Apply to {group}"), group=group.display_name(language))
        super().__init__(title=title[:45])
        self.group_id = group.id
        self.motivation: discord.ui.TextInput[ApplyModal] = discord.ui.TextInput(
            custom_id="motivation",
            label=translate(language, _("Why do you want to join?"))[:45],
            style=discord.TextStyle.paragraph,
            required=True,
            max_length=1000,
        )
        self.organisation: discord.ui.TextInput[ApplyModal] = discord.ui.TextInput(
            custom_id="organisation",
            label=translate(language, _("Organisation"))[:45],
            required=False,
            max_length=100,
            default=organisation[:100] or None,
        )
        self.region: discord.ui.TextInput[ApplyModal] = discord.ui.TextInput(
            custom_id="region",
            label=translate(language, _("Region"))[:45],
            required=False,
            max_length=100,
            default=region[:100] or None,
        )
        for item in (self.motivation, self.organisation, self.region):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        service = GroupButton.service(interaction)
        record = await service.queries.load(interaction.guild_id, self.group_id)
        member = interaction.user
        assert isinstance(member, discord.Member)
        await service.apply(
            record, member, self.motivation.value, self.organisation.value, self.region.value
        )
        sent = (
            _(
                "Your application to {group} is sent to its leads. You will get a message "
                "when they decide."
            )
            if await service.queries.leads(record)
            else _(
                "{group} has no lead at the moment: your application is sent to the organisers. "
                "You will get a message when they decide."
            )
        )
        await reply(interaction, _say(interaction, sent, group=record))


# -- browsing ----------------------------------------------------------------------------------


async def members_page(
    service: GroupService, interaction: discord.Interaction[Any], group: GroupRecord, page: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    """One page (from 1) of a group's members with their regions, and Previous / Next when
    there is more than one; a page past the end shows the last."""
    language = interaction_language(interaction)
    shown = await service.queries.members_page(group, page)
    embed = members_embed(language, group, shown)
    page, pages = shown.page, shown.pages
    if pages == 1:
        return embed, None
    view = discord.ui.View(timeout=None)
    for target, label, disabled in (
        (max(page - 1, 1), _("◀ Previous"), page == 1),
        (min(page + 1, pages), _("Next ▶"), page == pages),
    ):
        view.add_item(MembersPageButton(group.id, target, translate(language, label), disabled))
    return embed, view


class MembersPageButton(GroupButton, template=r"members:(?P<group_id>\d+):(?P<page>\d+)"):
    """Previous / Next under /group members: the page is in the custom_id, so paging works
    after a restart too."""

    def __init__(self, group_id: int, page: int, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=self.custom_id_for("members", group_id, page),
                disabled=disabled,
            )
        )
        self.group_id = group_id
        self.page = page

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        service = self.service(interaction)
        record = await service.queries.load(interaction.guild_id, self.group_id)
        embed, view = await members_page(service, interaction, record, self.page)
        await update(interaction, embed=embed, view=view)


# -- the leads decide ---------------------------------------------------------------------------


def decided_message(language: str, group: GroupRecord, application: Application) -> dict[str, Any]:
    """A lead's copy after the decision: the state instead of the buttons."""
    state = decision_text(language, application)
    return {"embed": application_embed(language, group, application, state), "view": None}


async def decide(
    service: GroupService,
    interaction: discord.Interaction[Any],
    application_id: int,
    *,
    approve: bool,
    reason: str | None,
) -> None:
    """A lead's Approve, or Decline with its reason: their copy shows the decision. A lead who
    was second sees the first decision on their copy, then why nothing changed. An applicant
    whose DMs are closed cannot be told: the lead hears so, and where the applicant reads it."""
    language = interaction_language(interaction)
    try:
        decision = await service.decide(application_id, interaction.user, approve, reason)
    except UserFacingError:
        current = await service.queries.application(application_id)
        if (
            current is not None
            and current.status != "pending"
            and interaction.message is not None
            and not interaction.response.is_done()
        ):
            group = await service.queries.load(current.guild_id, current.group_id)
            await update(interaction, **decided_message(language, group, current))
        raise
    group, decided = decision.group, decision.application
    if interaction.message is not None and interaction.message.flags.ephemeral:
        # Pressed in /group applications: the list again, with what still waits.
        content, view = await applications_list(service, language, group)
        await update(interaction, content=content, view=view)
    elif interaction.message is not None:
        await update(interaction, **decided_message(language, group, decided))
    else:
        await reply(interaction, decision_text(language, decided))
    await service.after_decision(
        group, decided, interaction.message.id if interaction.message else None
    )
    if await service.queries.unreached(decision.notice, decided.user_id):
        await reply(
            interaction,
            translate(
                language,
                _(
                    "{member} could not be told by direct message (their DMs are closed): they "
                    "see the decision with /group info {group}, or when they try to join again."
                ),
                member=f"<@{decided.user_id}>",
                group=group.display_name(language),
            ),
        )


class DecisionButton(
    GroupButton, template=r"app:(?P<application_id>\d+):(?P<action>approve|decline)"
):
    """Approve or Decline on the copy of an application each lead gets."""

    def __init__(self, application_id: int, action: str, label: str) -> None:
        style = discord.ButtonStyle.success if action == "approve" else discord.ButtonStyle.danger
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                custom_id=self.custom_id_for("app", application_id, action),
            )
        )
        self.application_id = application_id
        self.action = action

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        service = self.service(interaction)
        if self.action == "approve":
            await decide(service, interaction, self.application_id, approve=True, reason=None)
            return
        # Checked before the form opens, so a second lead is not asked for a reason in vain.
        await service.queries.check_decidable(self.application_id, interaction.user)
        language = interaction_language(interaction)
        await interaction.response.send_modal(DeclineModal(language, self.application_id))


SHOWN_APPLICATIONS = 5  # Discord: a message holds five rows of buttons


async def applications_list(
    service: GroupService, language: str, group: GroupRecord
) -> tuple[str, discord.ui.View | None]:
    """/group applications: who waits, since when and why, oldest first, with Approve /
    Decline for the first five (the buttons the leads' copies carry)."""
    pending = await service.queries.pending_applications(group)
    if not pending:
        return translate(language, _("No applications to {group} are waiting."), group=group), None
    lines = [
        translate(
            language,
            _("Applications to {group} waiting for a decision: {count}"),
            group=group,
            count=len(pending),
        )
    ]
    view = discord.ui.View(timeout=None)
    for number, application in enumerate(pending, 1):
        motivation = " ".join(application.motivation.split())
        if len(motivation) > 120:
            motivation = motivation[:119] + "…"
        lines.append(f"{number}. <@{application.user_id}> — {motivation}")
        if number <= SHOWN_APPLICATIONS:
            for action, label in (
                ("approve", _("Approve #{number}")),
                ("decline", _("Decline #{number}")),
            ):
                view.add_item(
                    DecisionButton(
                        application.id, action, translate(language, label, number=number)
                    )
                )
    if len(pending) > SHOWN_APPLICATIONS:
        lines.append(
            translate(
                language,
                _("Buttons for the first {count}; decide them and ask again for the rest."),
                count=SHOWN_APPLICATIONS,
            )
        )
    return "\n".join(lines), view


def decision_view(
    language: str, application_id: int, *, every_language: bool = False
) -> discord.ui.View:
    """Approve / Decline; ``every_language`` labels them in each language the bot speaks."""
    view = discord.ui.View(timeout=None)
    for action, label in (("approve", _("Approve")), ("decline", _("Decline"))):
        text = in_languages(language, every_language, label)
        view.add_item(DecisionButton(application_id, action, text[:80]))
    return view


class DeclineModal(components.Modal):
    """A decline needs a reason: the applicant reads it."""

    def __init__(self, language: str, application_id: int) -> None:
        super().__init__(title=translate(language, _("Decline the application"))[:45])
        self.application_id = application_id
        self.reason: discord.ui.TextInput[DeclineModal] = discord.ui.TextInput(
            custom_id="reason",
            label=translate(language, _("Reason (the applicant reads it)"))[:45],
            style=discord.TextStyle.paragraph,
            required=True,
            max_length=500,
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await decide(
            GroupButton.service(interaction),
            interaction,
            self.application_id,
            approve=False,
            reason=self.reason.value,
        )


# -- the admin log ------------------------------------------------------------------------------


class RecreateButton(GroupButton, template=r"fix:(?P<group_id>\d+)"):
    """In the admin log: make a group's deleted role or channel again (organisers)."""

    def __init__(self, group_id: int, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=self.custom_id_for("fix", group_id),
            )
        )
        self.group_id = group_id

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        service = self.service(interaction)
        guild = interaction.guild
        if guild is None:
            raise UserFacingError(_("Use this command in the community's server."))
        await service.bot.members.require(
            interaction, service.bot.members.organisers, action=CREATING
        )
        record = await service.queries.load(guild.id, self.group_id)
        await defer(interaction)
        given = await service.recreate(guild, record)
        await reply(
            interaction,
            _say(
                interaction,
                _("{group} has its role and channel again; {count} members got the role back."),
                group=record,
                count=given,
            ),
        )


def recreate_view(language: str, group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RecreateButton(group_id, translate(language, _("Recreate"))))
    return view


# -- announcements ------------------------------------------------------------------------------


ANNOUNCE_ACTIONS = (
    ("post", _("Post"), discord.ButtonStyle.primary),
    ("ping", _("Post and ping members"), discord.ButtonStyle.success),
    ("cancel", _("Cancel"), discord.ButtonStyle.secondary),
)
QUOTE = "\n>>> "  # between the preview's heading and the announcement's text


def announce_preview(language: str, group: GroupRecord, text: str) -> tuple[str, discord.ui.View]:
    """The lead's preview: the heading, then the text quoted; Post, Post and ping, Cancel."""
    heading = translate(
        language, _("Preview of your announcement in <#{channel}>:"), channel=group.channel_id
    )
    view = discord.ui.View(timeout=None)
    for action, label, style in ANNOUNCE_ACTIONS:
        view.add_item(AnnounceButton(group.id, action, translate(language, label), style))
    return f"{heading}{QUOTE}{text}", view


class AnnounceButton(GroupButton, template=r"ann:(?P<group_id>\d+):(?P<action>post|ping|cancel)"):
    """A button under the preview. The text is read back from the preview itself (only its
    author sees it), so the preview still works after a restart or an hour's pause; the lead
    is checked again when it is posted."""

    def __init__(
        self,
        group_id: int,
        action: str,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=self.custom_id_for("ann", group_id, action)
            )
        )
        self.group_id = group_id
        self.action = action

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        language = interaction_language(interaction)
        if self.action == "cancel":
            await update(
                interaction, content=translate(language, _("Announcement cancelled.")), view=None
            )
            return
        service = self.service(interaction)
        record = await service.queries.load(interaction.guild_id, self.group_id)
        await service.queries.require_lead(interaction, record, LEADING)
        content = interaction.message.content if interaction.message else ""
        if QUOTE not in content:
            raise UserFacingError(_("That preview is gone: use /group announce again."))
        text = content.split(QUOTE, 1)[1]
        message = await service.announce.post_announcement(record, text, ping=self.action == "ping")
        await update(
            interaction,
            content=translate(language, _("Posted: {link}"), link=message.jump_url),
            view=None,
        )
