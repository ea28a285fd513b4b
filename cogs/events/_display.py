"""How events look in Discord: the announcement embed, the RSVP buttons, notices and lines."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.i18n import _, translate
from cogs.events._rules import Occurrence
from db.events import EventRecord

COLOUR = discord.Colour.from_rgb(0, 51, 153)
CANCELLED_COLOUR = discord.Colour.dark_grey()
ANSWERS = ("going", "maybe", "declined")
ANSWER_LABELS = {
    "going": _("Going"),
    "maybe": _("Maybe"),
    "declined": _("Can't go"),
    "waitlist": _("On the waitlist"),
}
ANSWER_STYLES = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.secondary,
    "declined": discord.ButtonStyle.danger,
}


def when(start: datetime, end: datetime) -> str:
    """Discord timestamps: every reader sees their own local time, and how far away it is."""
    begins, ends = int(start.timestamp()), int(end.timestamp())
    return f"<t:{begins}:F> – <t:{ends}:t> (<t:{begins}:R>)"


def where(language: str, event: EventRecord) -> str:
    parts = []
    if event.venue:
        parts.append(translate(language, _("📍 {venue}"), venue=event.venue))
    if event.link:
        parts.append(translate(language, _("🔗 {link}"), link=event.link))
    return "\n".join(parts) or "—"


def announcement_embed(
    language: str,
    event: EventRecord,
    occurrence: Occurrence | None,
    counts: dict[str, int],
    repeat_text: str | None,
) -> discord.Embed:
    """The public announcement: title, when, where, organiser, capacity and counts."""
    cancelled = event.status == "cancelled" or occurrence is None
    title = event.title
    if event.status == "cancelled":
        title = translate(language, _("Cancelled: {title}"), title=event.title)
    embed = discord.Embed(
        title=title[:256],
        description=event.description or None,
        colour=CANCELLED_COLOUR if cancelled else COLOUR,
    )
    if occurrence is not None:
        embed.add_field(
            name=translate(language, _("When")),
            value=when(occurrence.start, occurrence.end),
            inline=False,
        )
    if repeat_text:
        embed.add_field(name=translate(language, _("Repeats")), value=repeat_text, inline=False)
    embed.add_field(
        name=translate(language, _("Where")), value=where(language, event), inline=False
    )
    embed.add_field(name=translate(language, _("Organiser")), value=f"<@{event.organiser_id}>")
    going = counts.get("going", 0)
    if event.capacity is not None:
        embed.add_field(
            name=translate(language, _("Places")),
            value=translate(
                language, _("{going} of {capacity} taken"), going=going, capacity=event.capacity
            ),
        )
    summary = [f"{translate(language, ANSWER_LABELS[a])}: {counts.get(a, 0)}" for a in ANSWERS]
    if counts.get("waitlist"):
        summary.append(f"{translate(language, ANSWER_LABELS['waitlist'])}: {counts['waitlist']}")
    embed.add_field(name=translate(language, _("Answers")), value=" · ".join(summary), inline=False)
    embed.set_footer(
        text=translate(language, _("Event #{id} · times show in your own time zone"), id=event.id)
    )
    return embed
