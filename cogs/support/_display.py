"""How support requests look: the triage card, the thread's opening message, list lines, the
transcript file and the CSV reports. Strings are catalog entries; each function takes the
language to write in (the card in the community's, the thread in the request's)."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import discord

from bot.i18n import _, translate
from cogs.support._rules import BusinessCalendar, Status
from db.support import KeptFile, KeptMessage, SupportRequest

STATUS_LABELS = {
    Status.NEW: _("New"),
    Status.CLAIMED: _("Claimed"),
    Status.RESOLVED: _("Resolved"),
    Status.REOPENED: _("Reopened"),
}
STATUS_COLOURS = {
    Status.NEW: discord.Colour.orange(),
    Status.CLAIMED: discord.Colour.blue(),
    Status.RESOLVED: discord.Colour.green(),
    Status.REOPENED: discord.Colour.orange(),
}
LANGUAGE_NAMES = {"en": "English", "fi": "suomi"}


def ts(moment: datetime, style: str = "R") -> str:
    """A Discord timestamp: every reader sees it in their own zone and language."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def status_text(language: str, request: SupportRequest) -> str:
    """ "Claimed by @Sofia", "New", ..."""
    status = Status(request.status)
    label = translate(language, STATUS_LABELS[status])
    if request.claimed_by is not None and status in (Status.CLAIMED, Status.REOPENED):
        return translate(
            language, _("{status} (handled by {who})"), status=label, who=f"<@{request.claimed_by}>"
        )
    if status == Status.RESOLVED and request.resolved_by is not None:
        return translate(
            language, _("{status} by {who}"), status=label, who=f"<@{request.resolved_by}>"
        )
    return label


def title(request: SupportRequest) -> str:
    """``#12 Smart specialisation review``: the card's and the opening's title."""
    return f"#{request.id} {request.topic}"[:256]


def thread_name(request: SupportRequest) -> str:
    """``12 · Smart specialisation review``: the thread's name (Discord shows it after a #;
    at most 100 characters). A retry finds a thread by this name, so it never changes."""
    return f"{request.id} · {request.topic}"[:100]


def request_embed(language: str, request: SupportRequest, *, card: bool) -> discord.Embed:
    """The request's details: the triage card (``card``) or the thread's opening message."""
    embed = discord.Embed(
        title=title(request),
        description=request.need,
        colour=STATUS_COLOURS[Status(request.status)],
    )
    t = lambda text: translate(language, text)  # noqa: E731 - a short local alias
    embed.add_field(name=t(_("Requester")), value=f"<@{request.requester_id}>")
    embed.add_field(name=t(_("Region")), value=request.region[:1024])
    if request.group_name:
        embed.add_field(name=t(_("Group or partnership")), value=request.group_name[:1024])
    embed.add_field(
        name=t(_("Preferred language")), value=LANGUAGE_NAMES.get(request.language, "?")
    )
    embed.add_field(name=t(_("Status")), value=status_text(language, request))
    embed.add_field(name=t(_("Opened")), value=ts(request.created_at))
    if card and request.thread_id:
        embed.add_field(name=t(_("Thread")), value=f"<#{request.thread_id}>")
    if request.outcome and request.status == Status.RESOLVED:
        embed.add_field(name=t(_("Outcome")), value=request.outcome[:1024], inline=False)
    return embed


# What each change says, in the thread and in the DM ({who} is a mention).
CHANGE_TEXTS = {
    "claim": _("{who} from the secretariat is now handling request #{id}."),
    "hand_over": _("Request #{id} was handed over to {who}, who is now handling it."),
    "resolve": _("Request #{id} was resolved by {who}. Outcome: {outcome}"),
    "reopen": _("Request #{id} was reopened by {who}; the secretariat has been told."),
}


def change_text(request: SupportRequest, action: str, actor_id: int) -> str:
    """A change as the requester's thread says it, in the request's language."""
    return translate(
        request.language,
        CHANGE_TEXTS[action],
        id=request.id,
        who=f"<@{actor_id if action != 'hand_over' else request.claimed_by}>",
        outcome=request.outcome or "",
    )


def change_dm(request: SupportRequest, action: str, actor_id: int) -> str:
    """The courtesy DM of a change: the thread's line, and the thread on a line of its own (a
    thread's name read on as the outcome's end)."""
    text = change_text(request, action, actor_id)
    if request.thread_id:
        text += "\n" + translate(
            request.language, _("Thread: {link}"), link=f"<#{request.thread_id}>"
        )
    return text


def opened_dm(request: SupportRequest) -> str:
    """The courtesy DM once a request's thread is open."""
    return translate(
        request.language,
        _("Your support request #{id} ({topic}) is open: {thread}. The secretariat answers there."),
        id=request.id,
        topic=request.topic,
        thread=f"<#{request.thread_id}>",
    )


def list_line(language: str, request: SupportRequest) -> str:
    """One request in /support list and /support status."""
    where = f"<#{request.thread_id}>" if request.thread_id else ""
    return translate(
        language,
        _("**#{id}** {topic} · {region} · {status} · opened {opened} {where}"),
        id=request.id,
        topic=request.topic[:80],
        region=request.region[:40],
        status=status_text(language, request),
        opened=ts(request.created_at),
        where=where,
    ).strip()


def transcript_text(
    request: SupportRequest,
    messages: Iterable[KeptMessage],
    files: Iterable[KeptFile],
) -> str:
    """The kept thread as plain text (UTC times), files named where they were attached."""
    by_message: dict[int, list[str]] = defaultdict(list)
    for kept in files:
        by_message[kept.message_id].append(kept.filename)
    lines = [
        f"Support request #{request.id}: {request.topic}",
        f"Region: {request.region}"
        + (f" · Group: {request.group_name}" if request.group_name else ""),
        f"Status: {request.status}" + (f" · Outcome: {request.outcome}" if request.outcome else ""),
        "",
    ]
    for message in messages:
        stamp = message.created_at.strftime("%Y-%m-%d %H:%M UTC")
        lines.append(f"[{stamp}] {message.author_name}: {message.content}")
        lines.extend(f"    (file: {name})" for name in by_message.get(message.message_id, []))
    return "\n".join(lines) + "\n"


def _hours(delta: timedelta | None) -> str:
    return "" if delta is None else f"{delta.total_seconds() / 3600:.2f}"


def _median_hours(spans: list[timedelta]) -> str:
    if not spans:
        return ""
    return f"{statistics.median(s.total_seconds() for s in spans) / 3600:.2f}"


def business_times(
    request: SupportRequest, calendar: BusinessCalendar
) -> tuple[timedelta | None, timedelta | None]:
    """Business time from opening to the first claim, and to the (last) resolve."""
    to_claim = (
        calendar.between(request.created_at, request.first_claimed_at)
        if request.first_claimed_at
        else None
    )
    to_resolve = (
        calendar.between(request.created_at, request.resolved_at)
        if request.resolved_at and request.status == Status.RESOLVED
        else None
    )
    return to_claim, to_resolve


def requests_csv(
    requests: Iterable[SupportRequest],
    calendar: BusinessCalendar,
    name_of: Callable[[int], str],
) -> str:
    """One row per request, times in business hours (the community's reporting)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "opened_utc",
            "region",
            "topic",
            "group",
            "language",
            "status",
            "claimed_by",
            "business_hours_to_claim",
            "business_hours_to_resolve",
            "outcome",
        ]
    )
    for request in requests:
        to_claim, to_resolve = business_times(request, calendar)
        writer.writerow(
            [
                request.id,
                request.created_at.strftime("%Y-%m-%d %H:%M"),
                request.region,
                request.topic,
                request.group_name or "",
                request.language,
                request.status,
                name_of(request.claimed_by) if request.claimed_by else "",
                _hours(to_claim),
                _hours(to_resolve),
                request.outcome or "",
            ]
        )
    return out.getvalue()


def summary_csv(requests: Iterable[SupportRequest], calendar: BusinessCalendar) -> str:
    """Per region and per topic: how many, and the median business hours to claim and resolve."""
    groups: dict[tuple[str, str], list[SupportRequest]] = defaultdict(list)
    for request in requests:
        groups[("region", request.region)].append(request)
        groups[("topic", request.topic)].append(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "by",
            "value",
            "requests",
            "resolved",
            "median_business_hours_to_claim",
            "median_business_hours_to_resolve",
        ]
    )
    for (by, value), members in sorted(groups.items()):
        times = [business_times(r, calendar) for r in members]
        claims = [c for c, _r in times if c is not None]
        resolves = [r for _c, r in times if r is not None]
        writer.writerow(
            [
                by,
                value,
                len(members),
                len(resolves),
                _median_hours(claims),
                _median_hours(resolves),
            ]
        )
    return out.getvalue()
