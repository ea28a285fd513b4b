"""Buttons and forms of groups: the card's Join / Leave / Apply / Withdraw, the leads' Approve /
Decline (decline asks for a reason), the admin log's Recreate, and the announcement preview.

Persistent buttons are DynamicItems whose custom_id carries the record id (``grp:``,
``grpapp:``, ``grpfix:``), so they keep working after a restart.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.tree import interaction_language, reports_errors
from cogs.groups._display import application_embed, decision_text
from db.groups import GroupRecord

if TYPE_CHECKING:
    from cogs.groups._cog import GroupsCog

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


def _cog(interaction: discord.Interaction[Any]) -> GroupsCog:
    from cogs.groups._cog import GroupsCog  # the cog imports this module

    cog = interaction.client.get_cog("Groups")
    assert isinstance(cog, GroupsCog), "the groups extension is not loaded"
    return cog


class CardButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"grp:(?P<group>\d+):(?P<action>join|leave|apply|withdraw)",
):
    """A button on a group's card."""

    def __init__(self, group_id: int, action: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=CARD_STYLES[action], custom_id=f"grp:{group_id}:{action}"
            )
        )
        self.group_id = group_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CardButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["group"]), match["action"], label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).card_action(interaction, self.group_id, self.action)


def card_view(language: str, group: GroupRecord) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if group.archived:
        return view
    actions = ("join", "leave") if group.joining == "open" else ("apply", "withdraw", "leave")
    for action in actions:
        view.add_item(CardButton(group.id, action, translate(language, CARD_LABELS[action])))
    return view


class DecisionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"grpapp:(?P<app>\d+):(?P<action>approve|decline)",
):
    """Approve or Decline on the copy of an application each lead gets."""

    def __init__(self, application_id: int, action: str, label: str) -> None:
        style = discord.ButtonStyle.success if action == "approve" else discord.ButtonStyle.danger
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"grpapp:{application_id}:{action}"
            )
        )
        self.application_id = application_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DecisionButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["app"]), match["action"], label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = _cog(interaction)
        if self.action == "approve":
            await cog.decide(interaction, self.application_id, approve=True, reason=None)
            return
        # Checked before the form opens, so a second lead is not asked for a reason in vain.
        await cog.service.check_decidable(self.application_id, interaction.user)
        language = interaction_language(interaction)
        await interaction.response.send_modal(DeclineModal(language, self.application_id))


def decision_view(language: str, application_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(DecisionButton(application_id, "approve", translate(language, _("Approve"))))
    view.add_item(DecisionButton(application_id, "decline", translate(language, _("Decline"))))
    return view


def decided_message(language: str, group: GroupRecord, application: Any) -> dict[str, Any]:
    """A lead's copy after the decision: the state instead of the buttons."""
    state = decision_text(language, application)
    return {
        "embed": application_embed(language, group, application, state),
        "view": None,
    }


class DeclineModal(discord.ui.Modal):
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

    @reports_errors
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).decide(
            interaction, self.application_id, approve=False, reason=self.reason.value
        )


class ApplyModal(discord.ui.Modal):
    """The expression of interest: motivation, organisation, region."""

    def __init__(self, language: str, group: GroupRecord, organisation: str, region: str) -> None:
        super().__init__(
            title=translate(language, _("Apply to {group}"), group=group.display_name(language))[
                :45
            ]
        )
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

    @reports_errors
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).submit_application(
            interaction,
            self.group_id,
            self.motivation.value,
            self.organisation.value,
            self.region.value,
        )


class RecreateButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"grpfix:(?P<group>\d+)"
):
    """In the admin log: make a group's deleted role or channel again."""

    def __init__(self, group_id: int, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary, custom_id=f"grpfix:{group_id}"
            )
        )
        self.group_id = group_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RecreateButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["group"]), label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).recreate(interaction, self.group_id)


def recreate_view(language: str, group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RecreateButton(group_id, translate(language, _("Recreate"))))
    return view


class AnnouncePreview(discord.ui.View):
    """The lead's preview of an announcement: post it, post it pinging the role, or cancel."""

    def __init__(self, language: str, group: GroupRecord, text: str, author_id: int) -> None:
        super().__init__(timeout=15 * 60)
        self.group = group
        self.text = text
        self.author_id = author_id
        for action, label, style in (
            ("post", _("Post"), discord.ButtonStyle.primary),
            ("ping", _("Post and ping members"), discord.ButtonStyle.success),
            ("cancel", _("Cancel"), discord.ButtonStyle.secondary),
        ):
            button: discord.ui.Button[AnnouncePreview] = discord.ui.Button(
                label=translate(language, label), style=style, custom_id=f"grpann:{action}"
            )
            button.callback = self._handler(action)  # type: ignore[method-assign]
            self.add_item(button)

    def _handler(self, action: str) -> Any:
        async def handle(interaction: discord.Interaction[Any]) -> None:
            await self._act(interaction, action)

        return handle

    @reports_errors
    async def _act(self, interaction: discord.Interaction[Any], action: str) -> None:
        language = interaction_language(interaction)
        if interaction.user.id != self.author_id:
            raise UserFacingError(_("Only the lead who wrote it can post this announcement."))
        self.stop()
        if action == "cancel":
            await interaction.response.edit_message(
                content=translate(language, _("Announcement cancelled.")), view=None
            )
            return
        message = await _cog(interaction).service.announce(
            self.group, self.text, ping=action == "ping"
        )
        await interaction.response.edit_message(
            content=translate(language, _("Posted: {link}"), link=message.jump_url), view=None
        )
