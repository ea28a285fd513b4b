"""How groups look in Discord: the card, the application the leads decide, profiles, regions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.i18n import SUPPORTED_LANGUAGES, _, translate
from bot.regions import RegionRef, country, region
from cogs.events.directory import EventRecord
from db.groups import Application, GroupRecord, GroupRegion, Membership, Profile

if TYPE_CHECKING:
    from cogs.groups._queries import MembersPage, Overview

COLOUR = discord.Colour.from_rgb(0, 51, 153)
ARCHIVED_COLOUR = discord.Colour.dark_grey()

KIND_LABELS = {
    "expert_group": _("Expert group"),
    "working_group": _("Working group"),
    "partnership": _("Thematic partnership"),
    "other": _("Other group"),
}
KIND_PLURALS = {
    "expert_group": _("Expert groups"),
    "working_group": _("Working groups"),
    "partnership": _("Thematic partnerships"),
    "other": _("Other groups"),
}
STAKEHOLDER_LABELS = {
    "public_authority": _("Public authority"),
    "business": _("Business"),
    "research_education": _("Research and education"),
    "civil_society": _("Civil society"),
}


def kind_label(language: str, kind: str, *, plural: bool = False) -> str:
    """A kind from the settings as a reader sees it; a kind of the community's own is shown
    as written in the settings."""
    labels = KIND_PLURALS if plural else KIND_LABELS
    label = labels.get(kind)
    return translate(language, label) if label else kind.replace("_", " ").capitalize()


def how_to_join(language: str, group: GroupRecord) -> str:
    joining = _("Open: anyone can join") if group.joining == "open" else _("By application")
    visibility = (
        _("public channel") if group.visibility == "public" else _("private channel (members only)")
    )
    return f"{translate(language, joining)} · {translate(language, visibility)}"


def mentions(user_ids: Sequence[int], limit: int = 20) -> str:
    """Members as mentions (embeds never ping), the rest counted."""
    shown = " ".join(f"<@{u}>" for u in user_ids[:limit])
    rest = len(user_ids) - limit
    return (shown + (f" +{rest}" if rest > 0 else "")) or "—"


def region_line(language: str, item: GroupRegion) -> str:
    ref = RegionRef(code=item.code, text=item.text if not item.code else None)
    text = ref.display(language)
    if item.lead_added:
        text += " ★"
    if item.members:
        text += f" ({item.members})"
    return text


def card_embed(
    language: str,
    group: GroupRecord,
    members: Sequence[Membership],
    pending: int,
    regions: Sequence[GroupRegion] = (),
) -> discord.Embed:
    """The group's card: what it is, how to join, its leads, members, regions and channel."""
    name = group.display_name(language)
    if group.archived:
        name = translate(language, _("Archived: {name}"), name=name)
    embed = discord.Embed(
        title=name[:256],
        description=group.description or None,
        colour=ARCHIVED_COLOUR if group.archived else COLOUR,
    )
    embed.add_field(name=translate(language, _("Kind")), value=kind_label(language, group.kind))
    embed.add_field(name=translate(language, _("Joining")), value=how_to_join(language, group))
    if group.channel_id:
        embed.add_field(name=translate(language, _("Channel")), value=f"<#{group.channel_id}>")
    leads = [m.user_id for m in members if m.lead]
    embed.add_field(name=translate(language, _("Leads")), value=mentions(leads), inline=False)
    status = str(len(members))
    if group.joining == "application":
        status += " · " + translate(language, _("applications pending: {count}"), count=pending)
    embed.add_field(name=translate(language, _("Members")), value=status, inline=False)
    if regions:
        lines = ", ".join(region_line(language, r) for r in regions)
        embed.add_field(name=translate(language, _("Regions")), value=lines[:1024], inline=False)
    return embed


def groups_embed(language: str, groups: Sequence[GroupRecord]) -> discord.Embed:
    """/group list: each group's name, kind and how to join, in the reader's language."""
    lines = []
    for group in groups[:50]:
        how = _("open") if group.joining == "open" else _("by application")
        lines.append(
            f"**{group.display_name(language)}** · {kind_label(language, group.kind)} · "
            f"{translate(language, how)}"
        )
    return discord.Embed(
        title=translate(language, _("Groups")), description="\n".join(lines)[:4096]
    )


def info_embed(
    language: str, group: GroupRecord, overview: Overview, now: datetime
) -> discord.Embed:
    """/group info: the card, with the group's upcoming events when the reader may see them."""
    embed = card_embed(language, group, overview.members, overview.pending, overview.regions)
    if overview.decided is not None:
        message, params = your_decision(overview.decided)
        embed.add_field(
            name=translate(language, _("Your application")),
            value=translate(language, message, group=group.display_name(language), **params)[:1024],
            inline=False,
        )
    upcoming = events_line(language, overview.events, now)
    if upcoming:
        embed.add_field(
            name=translate(language, _("Upcoming events")), value=upcoming, inline=False
        )
    return embed


def members_embed(language: str, group: GroupRecord, shown: MembersPage) -> discord.Embed:
    """A page of /group members: each with their region, leads starred."""
    lines = []
    for member, profile in shown.rows:
        where = (
            RegionRef(profile.region_code, profile.region_text).display(language) if profile else ""
        )
        lines.append(
            f"<@{member.user_id}>"
            + (" ★" if member.lead else "")
            + (f" · {where}" if where else "")
        )
    return discord.Embed(
        title=translate(
            language,
            _("Members of {group} (page {page} of {pages})"),
            group=group,
            page=shown.page,
            pages=shown.pages,
        )[:256],
        description="\n".join(lines) or "—",
    )


def events_line(language: str, events: Sequence[EventRecord], now: datetime) -> str:
    """The group's events still to come (a series by its rule), at most five, as lines."""
    lines = []
    series = translate(language, _("a series"))
    for event in events:
        if event.rrule:
            lines.append(f"• {event.title} ({series})")
        elif event.start_local + event.duration > now:
            lines.append(f"• {event.title} — <t:{int(event.start_local.timestamp())}:F>")
    return "\n".join(lines[:5])[:1024]


def in_languages(language: str, every: bool, message: str, **params: object) -> str:
    """``message`` in ``language``; with ``every``, followed by the other languages the bot
    speaks ("Approve · Hyväksy"), for a reader whose language the bot has not learnt yet."""
    shown = [language] + (
        [lang for lang in SUPPORTED_LANGUAGES if lang != language] if every else []
    )
    return " · ".join(dict.fromkeys(translate(lang, message, **params) for lang in shown))


def application_embed(
    language: str,
    group: GroupRecord,
    application: Application,
    state: str | None = None,
    *,
    every_language: bool = False,
) -> discord.Embed:
    """What the leads read to decide, and afterwards who decided what. ``every_language``: for
    a lead who has never used the bot (their language is unknown), the headings in each
    language the bot speaks, ``language`` first."""

    def say(message: str, **params: object) -> str:
        return in_languages(language, every_language, message, **params)

    embed = discord.Embed(
        title=say(_("Application to {group}"), group=group)[:256],
        description=application.motivation[:4000],
        colour=COLOUR,
    )
    embed.add_field(name=say(_("Applicant")), value=f"<@{application.user_id}>")
    if application.organisation:
        embed.add_field(name=say(_("Organisation")), value=application.organisation[:1024])
    if application.region:
        embed.add_field(name=say(_("Region")), value=application.region[:1024])
    if state:
        embed.add_field(name=say(_("Decision")), value=state[:1024], inline=False)
    return embed


def decision_text(language: str, application: Application) -> str:
    """The decided state the leads' copies show."""
    if application.status == "approved":
        return translate(language, _("Approved by <@{lead}>"), lead=application.decided_by)
    if application.status == "declined":
        return translate(
            language,
            _("Declined by <@{lead}>: {reason}"),
            lead=application.decided_by,
            reason=application.reason or "",
        )
    return translate(language, _("Withdrawn by the applicant"))


def decision_notice(group: GroupRecord, application: Application, language: str) -> str:
    """The DM that tells the applicant the leads' decision (:mod:`bot.notices` sends it)."""
    name = group.display_name(language)
    if application.status == "approved":
        return translate(
            language,
            _("Welcome! Your application to {group} was approved. Its channel: <#{channel}>"),
            group=name,
            channel=group.channel_id,
        )
    return translate(
        language,
        _("Your application to {group} was declined. The leads' reason: {reason}"),
        group=name,
        reason=application.reason or "",
    )


def your_decision(application: Application) -> tuple[str, dict[str, object]]:
    """What the applicant reads of a decision outside its DM (their DMs may be closed): a
    catalog string and its parameters, for /group info and a refusal's note."""
    when = f"<t:{int(application.decided_at.timestamp())}:D>" if application.decided_at else ""
    if application.status == "approved":
        return _("Your application to {group} was approved on {date}."), {"date": when}
    return (
        _("Your application to {group} was declined on {date}. The leads' reason: {reason}"),
        {"date": when, "reason": application.reason or ""},
    )


@dataclass(frozen=True)
class Decided:
    """An application's decided state as a message parameter: written in the language the
    message is read in (bot.i18n.translate), never stored in one."""

    application: Application

    def in_language(self, language: str) -> str:
        return decision_text(language, self.application)


def profile_embed(
    language: str,
    name: str,
    profile: Profile,
    groups: Sequence[tuple[GroupRecord, bool]] = (),
) -> discord.Embed:
    """A member's profile, with their groups (★ where they lead) when asked by /profile show."""
    embed = discord.Embed(
        title=translate(language, _("Profile: {name}"), name=name)[:256], colour=COLOUR
    )
    found = country(profile.country) if profile.country else None
    if found:
        embed.add_field(name=translate(language, _("Country")), value=found.display(language))
    where = RegionRef(profile.region_code, profile.region_text).display(language)
    if where:
        embed.add_field(name=translate(language, _("Region")), value=where)
    if profile.organisation:
        embed.add_field(name=translate(language, _("Organisation")), value=profile.organisation)
    if profile.stakeholder:
        embed.add_field(
            name=translate(language, _("Stakeholder type")),
            value=translate(language, STAKEHOLDER_LABELS[profile.stakeholder]),
        )
    if profile.languages:
        embed.add_field(
            name=translate(language, _("Languages")), value=", ".join(profile.languages)
        )
    if groups:
        embed.add_field(
            name=translate(language, _("Groups")),
            value=", ".join(
                g.display_name(language) + (" ★" if lead else "") for g, lead in groups
            )[:1024],
            inline=False,
        )
    return embed


def region_summary(
    language: str, ref: RegionRef, groups: Sequence[GroupRecord], members: int
) -> str:
    """ "Lappi: 8 thematic partnerships, 2 working groups, 5 members" as lines."""
    counts = Counter(g.kind for g in groups)
    parts = [f"{kind_label(language, k, plural=True)}: {n}" for k, n in sorted(counts.items())]
    parts.append(translate(language, _("members: {count}"), count=members))
    return f"**{ref.display(language)}** — " + ", ".join(parts)


def region_text(
    language: str, ref: RegionRef, groups: Sequence[GroupRecord], profiles: Sequence[Profile]
) -> str:
    """/region show: the summary, each group taking part, and the members from there."""
    lines = [region_summary(language, ref, groups, len(profiles))]
    for group in groups:
        lines.append(f"• {group.display_name(language)} ({kind_label(language, group.kind)})")
    if profiles:
        lines.append(
            translate(
                language, _("Members: {members}"), members=mentions([p.user_id for p in profiles])
            )
        )
    return "\n".join(lines)


def region_name(language: str, code: str) -> str:
    found = region(code)
    return found.display(language) if found else code
