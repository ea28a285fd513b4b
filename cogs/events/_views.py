"""Buttons and modals for events. RSVP buttons are DynamicItems: they work after a restart."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import _, translate
from bot.tree import reports_errors
from cogs.events._display import ANSWER_LABELS, ANSWER_STYLES, ANSWERS

if TYPE_CHECKING:
    from cogs.events._cog import EventsCog


def _events_cog(interaction: discord.Interaction[Any]) -> EventsCog:
    from cogs.events._cog import EventsCog  # the cog imports this module

    cog = interaction.client.get_cog("Events")
    assert isinstance(cog, EventsCog), "the events extension is not loaded"
    return cog


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ev:(?P<event>\d+):(?P<occ>\d+):(?P<answer>going|maybe|declined)",
):
    """Going / Maybe / Can't go for one occurrence of one event."""

    def __init__(self, event_id: int, occurrence: str, answer: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=ANSWER_STYLES[answer],
                custom_id=f"ev:{event_id}:{occurrence}:{answer}",
            )
        )
        self.event_id = event_id
        self.occurrence = occurrence
        self.answer = answer

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> RsvpButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["event"]), match["occ"], match["answer"], label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _events_cog(interaction).service.rsvp(
            interaction, self.event_id, self.occurrence, self.answer
        )


def rsvp_view(language: str, event_id: int, occurrence: str | None) -> discord.ui.View:
    """The three answer buttons for an occurrence (none when there is nothing to answer)."""
    view = discord.ui.View(timeout=None)
    if occurrence is not None:
        for answer in ANSWERS:
            view.add_item(
                RsvpButton(event_id, occurrence, answer, translate(language, ANSWER_LABELS[answer]))
            )
    return view


class DescriptionModal(discord.ui.Modal):
    """The long description, asked after the command's options were checked."""

    def __init__(
        self,
        language: str,
        on_submit: Callable[[discord.Interaction[Any], str], Awaitable[None]],
        *,
        title: str,
    ) -> None:
        super().__init__(title=title[:45], timeout=15 * 60)
        self._on_submit = on_submit
        self.description: discord.ui.TextInput[DescriptionModal] = discord.ui.TextInput(
            custom_id="description",
            label=translate(language, _("Description"))[:45],
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
            placeholder=translate(language, _("Agenda, speakers, who should come…"))[:100],
        )
        self.add_item(self.description)

    @reports_errors
    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self._on_submit(interaction, self.description.value)


class ListPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"evlist:(?P<page>\d+)"
):
    """Paging through /event list."""

    def __init__(self, page: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                custom_id=f"evlist:{page}",
                disabled=disabled,
                style=discord.ButtonStyle.secondary,
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ListPageButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["page"]), label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _events_cog(interaction).show_list(interaction, self.page, edit=True)


def pager_view(language: str, page: int, pages: int) -> discord.ui.View | None:
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(
        ListPageButton(max(page - 1, 0), translate(language, _("◀ Earlier")), disabled=page == 0)
    )
    view.add_item(
        ListPageButton(
            min(page + 1, pages - 1), translate(language, _("Later ▶")), disabled=page >= pages - 1
        )
    )
    return view
