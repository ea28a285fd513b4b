"""Support's buttons and forms. Claim / Resolve / Reopen are DynamicItems under the feature's
custom_id prefix "sup" carrying the request id (``sup:12:claim``), so they work after a restart.
Each answers the member itself from what the service returns, then has the change told."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import discord

from bot import components
from bot.answering import defer, reply
from bot.i18n import _, translate
from bot.tree import interaction_language
from cogs.support._rules import FIELD_MAX, NEED_MAX, OUTCOME_MAX, TOPIC_MAX, Status
from db.support import SupportRequest

if TYPE_CHECKING:
    from cogs.support._queries import SupportQueries
    from cogs.support._service import SupportService

ACTIONS = {
    "claim": (_("Claim"), discord.ButtonStyle.primary),
    "resolve": (_("Resolve"), discord.ButtonStyle.success),
    "reopen": (_("Reopen"), discord.ButtonStyle.secondary),
}


FEATURE = "support"


@dataclass(frozen=True)
class SupportFeature:
    """The feature's parts, as setup() registers them on the bot for its buttons: the service
    for changes, the queries for reads."""

    service: SupportService
    queries: SupportQueries


class SupportItem(components.Button, feature=FEATURE, prefix="sup"):
    """The support feature's persistent buttons."""

    @classmethod
    def parts(cls, interaction: discord.Interaction[Any]) -> SupportFeature:
        found = cls.state(interaction)
        assert isinstance(found, SupportFeature), "the support extension is not loaded"
        return found


class SupportButton(SupportItem, template=r"(?P<request_id>\d+):(?P<action>claim|resolve|reopen)"):
    """One of Claim / Resolve / Reopen for one request (``sup:12:claim``)."""

    def __init__(self, request_id: int, action: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=ACTIONS[action][1],
                custom_id=self.custom_id_for(request_id, action),
            )
        )
        self.request_id = request_id
        self.action = action

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        parts = self.parts(interaction)
        service = parts.service
        guild = interaction.guild
        assert guild is not None
        language = interaction_language(interaction)
        actor = parts.queries.actor(interaction.user)
        if self.action == "resolve":
            await parts.queries.check_resolve(guild.id, self.request_id, actor)
            await interaction.response.send_modal(
                outcome_modal(language, self.request_id, partial(resolve, parts, self.request_id))
            )
            return
        if self.action == "claim":
            record = await service.claim(guild.id, self.request_id, actor)
            text = _("You are handling request #{id} now; you were added to its thread.")
        else:
            record = await service.reopen(guild.id, self.request_id, actor)
            text = _("Request #{id} is open again.")
        await reply(interaction, translate(language, text, id=self.request_id), ephemeral=True)
        await service.after_change(guild, record, self.action, actor.id)


async def resolve(
    parts: SupportFeature,
    request_id: int,
    interaction: discord.Interaction[Any],
    values: dict[str, str],
) -> None:
    """The outcome form's submit: resolve, tell everyone, keep the thread's transcript (its
    closing message included), then say what was kept."""
    guild = interaction.guild
    assert guild is not None
    service = parts.service
    actor = parts.queries.actor(interaction.user)
    record = await service.resolve(guild.id, request_id, actor, values["outcome"])
    await defer(interaction)
    await service.after_change(guild, record, "resolve", actor.id)
    messages, files = await service.keep_transcript(guild, record)
    await reply(
        interaction,
        translate(
            interaction_language(interaction),
            _(
                "Request #{id} is resolved. Its transcript is kept (messages: {n}, files: "
                "{files}); see /support transcript."
            ),
            id=request_id,
            n=messages,
            files=files,
        ),
        ephemeral=True,
    )


def _buttons(language: str, request_id: int, actions: tuple[str, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(SupportButton(request_id, action, translate(language, ACTIONS[action][0])))
    return view


def card_view(language: str, request: SupportRequest) -> discord.ui.View:
    """The card's buttons for the request's status."""
    status = Status(request.status)
    if status == Status.RESOLVED:
        return _buttons(language, request.id, ("reopen",))
    if status == Status.CLAIMED:
        return _buttons(language, request.id, ("resolve",))
    return _buttons(language, request.id, ("claim", "resolve"))


def reopen_view(language: str, request: SupportRequest) -> discord.ui.View:
    """The Reopen button posted in the requester's thread at resolve."""
    return _buttons(language, request.id, ("reopen",))


Submit = Callable[[discord.Interaction[Any], dict[str, str]], Awaitable[None]]


class FormModal(components.Modal):
    """A form whose fields are handed to ``on_submit`` by custom_id."""

    def __init__(self, title: str, fields: list[discord.ui.TextInput[Any]], on_submit: Submit):
        super().__init__(title=title[:45], timeout=30 * 60)
        self._fields = fields
        self._on_submit = on_submit
        for field in fields:
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        values = {str(f.custom_id): f.value for f in self._fields}
        await self._on_submit(interaction, values)


def request_modal(language: str, region: str, group: str | None, on_submit: Submit) -> FormModal:
    """/support request's form: topic, need, region (from the profile), group."""

    def t(text: str) -> str:
        return translate(language, text)[:45]

    fields: list[discord.ui.TextInput[Any]] = [
        discord.ui.TextInput(custom_id="topic", label=t(_("Topic")), max_length=TOPIC_MAX),
        discord.ui.TextInput(
            custom_id="need",
            label=t(_("What do you need?")),
            style=discord.TextStyle.paragraph,
            max_length=NEED_MAX,
            placeholder=translate(language, _("The question, the context, any deadline…"))[:100],
        ),
        discord.ui.TextInput(
            custom_id="region",
            label=t(_("Region")),
            max_length=FIELD_MAX,
            default=region[:FIELD_MAX] or None,
        ),
        discord.ui.TextInput(
            custom_id="group",
            label=t(_("Partnership or group (optional)")),
            max_length=FIELD_MAX,
            required=False,
            default=(group or "")[:FIELD_MAX] or None,
        ),
    ]
    return FormModal(translate(language, _("Ask the secretariat")), fields, on_submit)


def outcome_modal(language: str, request_id: int, on_submit: Submit) -> FormModal:
    """Resolve asks for a short outcome."""
    field: discord.ui.TextInput[Any] = discord.ui.TextInput(
        custom_id="outcome",
        label=translate(language, _("Outcome"))[:45],
        style=discord.TextStyle.paragraph,
        max_length=OUTCOME_MAX,
        placeholder=translate(language, _("What was done, who helped…"))[:100],
    )
    return FormModal(
        translate(language, _("Resolve request #{id}"), id=request_id), [field], on_submit
    )
