"""The ack-only bot's poll items, for the voting burst: the floor discord.py sets for a Vote press
and a ballot. ``bench/_ackbot.py _ackpoll:AckVote _ackpoll:AckPick`` runs them in the ack-only
bot's own process; this module imports discord.py only.
"""

from __future__ import annotations

import re
from typing import Any

import discord

OPTIONS = [f"Support action {i}" for i in range(1, 9)]


class AckVote(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"ackpoll:vote"):
    """Answers Vote with an ephemeral 3-of-8 select, and nothing else."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Vote", custom_id="ackpoll:vote"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AckVote:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        view = discord.ui.View(timeout=None)
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="ackpoll:pick",
            min_values=3,
            max_values=3,
            options=[discord.SelectOption(label=o, value=str(i)) for i, o in enumerate(OPTIONS)],
        )
        view.add_item(AckPick(select))
        view.stop()  # its item is persistent: no view to keep (as s3cop's reply does)
        await interaction.response.send_message("Your ballot", view=view, ephemeral=True)


class AckPick(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"ackpoll:pick"):
    """Answers a ballot by editing it, and nothing else."""

    def __init__(self, select: discord.ui.Select[Any] | None = None) -> None:
        super().__init__(select or discord.ui.Select(custom_id="ackpoll:pick"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AckPick:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.edit_message(content="Noted.", view=None)


def vote_view() -> discord.ui.View:
    """The poll message's one button, as the ack-only bot posts it."""
    view = discord.ui.View(timeout=None)
    view.add_item(AckVote())
    return view
