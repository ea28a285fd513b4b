"""Every embed and text an events member reads: the announcement, /event list, info and
attendees, the answers to commands and buttons, reminders, notices and DMs.

Plain functions of the stored records and the member's language; nothing here reads the database
or talks to Discord, so a wording or layout change touches this file only.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.i18n import _, translate
from cogs.events._recurrence import parse_repeat
from cogs.events._rules import Occurrence
from db.events import EventRecord, RsvpRecord

if TYPE_CHECKING:
    from cogs.events._queries import Shown

COLOUR = discord.Colour.from_rgb(0, 51, 153)
OCCURRENCE_FORMAT = "EEE d MMM y HH:mm"  # CLDR pattern: weekday and month in the member's language
CANCELLED_COLOUR = discord.Colour.dark_grey()
ANSWERS = ("going", "maybe", "declined")
ANSWER_LABELS = {
    "going": _("Going"),
    "maybe": _("Maybe"),
    "declined": _("Can't go"),
    "waitlist": _("On the waitlist"),
}
FORMAT_NAMES = {"online": _("online"), "live": _("live"), "hybrid": _("hybrid")}
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
    language: str, event: EventRecord, shown: Shown, repeat_text: str | None
) -> discord.Embed:
    """The public announcement: title, when, where, organiser, places and counts. Cancelled, it
    keeps its date (struck through), place and final counts; a series lists its cancelled dates
    ahead with theirs."""
    cancelled = event.status == "cancelled"
    occurrence = shown.occurrence
    title = event.title
    if cancelled:
        title = translate(language, _("Cancelled: {title}"), title=event.title)
    embed = discord.Embed(
        title=title[:256],
        description=event.description or None,
        colour=COLOUR if shown.answerable else CANCELLED_COLOUR,
    )
    if occurrence is not None:
        if cancelled:
            shown_when = struck(occurrence)
        elif shown.ended:
            shown_when = ended(language, occurrence)
        else:
            shown_when = when(occurrence.start, occurrence.end)
        embed.add_field(name=translate(language, _("When")), value=shown_when, inline=False)
    if repeat_text:
        embed.add_field(name=translate(language, _("Repeats")), value=repeat_text, inline=False)
    embed.add_field(
        name=translate(language, _("Where")), value=where(language, event), inline=False
    )
    embed.add_field(name=translate(language, _("Organiser")), value=f"<@{event.organiser_id}>")
    if event.capacity is not None:
        embed.add_field(
            name=translate(language, _("Places")),
            value=places(language, shown.counts.get("going", 0), event.capacity),
        )
    embed.add_field(
        name=translate(language, _("Final answers") if cancelled or shown.ended else _("Answers")),
        value=answer_summary(language, shown.counts),
        inline=False,
    )
    if shown.cancelled:
        embed.add_field(
            name=translate(language, _("Cancelled dates")),
            value="\n".join(
                f"{struck(o)}: {answer_summary(language, counts)}" for o, counts in shown.cancelled
            ),
            inline=False,
        )
    embed.set_footer(
        text=translate(language, _("Event #{id} · times show in your own time zone"), id=event.id)
    )
    return embed


def ended(language: str, occurrence: Occurrence) -> str:
    """A date that is over: when it was, marked ended (no "3 hours ago" to work out)."""
    return translate(
        language,
        _("<t:{start}:F> – <t:{end}:t> (ended)"),
        start=stamp(occurrence.start),
        end=stamp(occurrence.end),
    )


def struck(occurrence: Occurrence) -> str:
    """A cancelled date: struck through, without "in 3 days" (it is not happening)."""
    return f"~~<t:{stamp(occurrence.start)}:F> – <t:{stamp(occurrence.end)}:t>~~"


def answer_summary(language: str, counts: dict[str, int]) -> str:
    summary = [f"{translate(language, ANSWER_LABELS[a])}: {counts.get(a, 0)}" for a in ANSWERS]
    if counts.get("waitlist"):
        summary.append(f"{translate(language, ANSWER_LABELS['waitlist'])}: {counts['waitlist']}")
    return " · ".join(summary)


def places(language: str, going: int, capacity: int) -> str:
    """Places taken; more going than places (the organiser lowered the capacity and kept
    everyone) reads as full, with how many over, never "3 of 1 taken"."""
    if going > capacity:
        return translate(
            language,
            _("Full: {going} going, the limit is {capacity}"),
            going=going,
            capacity=capacity,
        )
    return translate(language, _("{going} of {capacity} taken"), going=going, capacity=capacity)


def stamp(moment: datetime) -> int:
    """A Discord timestamp's number."""
    return int(moment.timestamp())


# -- answers to the member ---------------------------------------------------------------------


def created_text(language: str, event: EventRecord, url: str, first: Occurrence | None) -> str:
    """The organiser's answer: where the announcement is and every time understood."""
    text = translate(language, _("Event #{id} is announced: {url}"), id=event.id, url=url)
    return text + ("\n" + understood(language, first) if first else "")


def updated_text(language: str, event_id: int, shown: Occurrence | None) -> str:
    """The organiser's answer to an edit: every time understood, as after creating, whether
    or not anyone is told."""
    text = translate(language, _("Event #{id} is updated."), id=event_id)
    return text + ("\n" + understood(language, shown) if shown else "")


def moved_text(language: str, url: str) -> str:
    return translate(language, _("The announcement moved: {url}"), url=url)


def over_capacity_question(
    language: str, event: EventRecord, crowded: list[tuple[Occurrence, int]]
) -> str:
    """The organiser's question when an edit lowers the capacity below those going."""
    lines = [
        translate(
            language,
            _(
                "The new limit is {capacity}, and more members than that are going. Keep "
                "everyone (the event shows as full), or move the latest answers to the waitlist "
                "(they are told)? Nothing is changed until you choose."
            ),
            capacity=event.capacity,
        )
    ]
    lines += [
        translate(
            language,
            _("<t:{start}:F>: {going} going"),
            start=stamp(occurrence.start),
            going=going,
        )
        for occurrence, going in crowded[:10]
    ]
    return "\n".join(lines)


def understood(language: str, occurrence: Occurrence) -> str:
    return translate(
        language,
        _("It starts <t:{start}:F> (<t:{start}:R>) and ends <t:{end}:F>."),
        start=stamp(occurrence.start),
        end=stamp(occurrence.end),
    )


def cancel_question(
    language: str, event: EventRecord, occurrence: Occurrence, *, whole: bool, told: int
) -> str:
    """What /event cancel asks before it acts: what goes, and how many will be told."""
    start = stamp(occurrence.start)
    if not whole:
        ask = _("Cancel **{title}** on <t:{start}:F> only? The other dates of the series stay.")
    elif event.rrule:
        ask = _("Cancel the whole series **{title}**, every date from <t:{start}:F> on?")
    else:
        ask = _("Cancel **{title}** on <t:{start}:F>?")
    told_line = (
        _("Members who answered this date will be told: {count}. This cannot be undone.")
        if told
        else _("Nobody has answered this date yet. This cannot be undone.")
    )
    return "\n".join(
        [
            translate(language, ask, title=event.title, start=start),
            translate(language, told_line, count=told),
        ]
    )


def cancelled_answer(language: str) -> str:
    return translate(language, _("Cancelled; I'm telling the attendees."))


def answer_text(
    language: str, event: EventRecord, occurrence: Occurrence, stored: str, position: int
) -> str:
    """What a member reads after pressing an answer button."""
    text = translate(
        language,
        _("Your answer for **{title}** (<t:{start}:f>): {answer}."),
        title=event.title,
        start=stamp(occurrence.start),
        answer=translate(language, ANSWER_LABELS[stored]),
    )
    if stored == "waitlist":
        text += "\n" + translate(
            language,
            _(
                "The event is full. You are number {position} on the waitlist; I'll message "
                "you if a place opens."
            ),
            position=position,
        )
    if event.rrule:
        text += "\n" + translate(
            language,
            _(
                "**{title}** repeats: this answer is for this date only. After it, the "
                "announcement moves on to the next date: answer each date there."
            ),
            title=event.title,
        )
    return text + "\n" + translate(language, _("Changed your mind? Press another answer."))


FORM_TITLE_MAX = 45  # Discord's limit for a modal's title


def description_form_title(language: str, title: str) -> str:
    return fit(translate(language, _("Describe {title}"), title=title), FORM_TITLE_MAX)


def fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, shortened at a word boundary with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


def ics_text(language: str, event: EventRecord) -> str:
    return translate(
        language, _("Open the file to add **{title}** to your calendar."), title=event.title
    )


def feed_text(language: str, url: str) -> str:
    return translate(
        language,
        _(
            "Subscribe to this address in your calendar app (Outlook, "
            "Google, Apple): {url}\nKeep it to yourself: anyone with it "
            "can read the event list."
        ),
        url=url,
    )


def occurrence_label(language: str, event: EventRecord, occurrence: Occurrence) -> str:
    """One occurrence as /event edit's autocomplete offers it, in the event's own zone."""
    from babel.dates import format_datetime  # Babel's locale data: not needed before ready

    local = occurrence.start.astimezone(ZoneInfo(event.tz))
    label = f"{format_datetime(local, OCCURRENCE_FORMAT, locale=language)} ({event.tz})"
    return label + " ✗" if occurrence.cancelled else label


# -- browsing ------------------------------------------------------------------------------------


def list_embed(
    language: str,
    shown: list[tuple[EventRecord, Occurrence]],
    mine: dict[tuple[int, str], str],
    page: int,
    pages: int,
) -> discord.Embed:
    """One page of /event list, with the member's own answer to each."""
    embed = discord.Embed(title=translate(language, _("Upcoming events")), colour=COLOUR)
    for record, occurrence in shown:
        answer = mine.get((record.id, occurrence.key))
        value = when(occurrence.start, occurrence.end)
        if record.rrule:
            value += "\n" + translate(
                language, _("Repeats: {rule}"), rule=parse_repeat(record.rrule).describe(language)
            )
        value += "\n" + translate(
            language,
            _("Your answer: {answer}"),
            answer=translate(language, ANSWER_LABELS[answer]) if answer else "—",
        )
        embed.add_field(name=f"#{record.id} {record.title}", value=value, inline=False)
    if not shown:
        embed.description = translate(language, _("Nothing is planned yet."))
    embed.set_footer(
        text=translate(language, _("Page {page} of {pages}"), page=page + 1, pages=pages)
    )
    return embed


def info_embed(
    language: str,
    event: EventRecord,
    shown: Shown,
    repeat_text: str | None,
    next_dates: list[Occurrence],
) -> discord.Embed:
    """/event info: the announcement, and a series' next dates."""
    embed = announcement_embed(language, event, shown, repeat_text)
    if event.rrule:
        embed.add_field(
            name=translate(language, _("Next dates")),
            value="\n".join(
                f"<t:{stamp(o.start)}:F>"
                + (" " + translate(language, _("(cancelled)")) if o.cancelled else "")
                for o in next_dates
            )
            or "—",
            inline=False,
        )
    return embed


def attendees_embed(
    language: str,
    event: EventRecord,
    occurrence: Occurrence,
    rows: list[RsvpRecord],
    names: dict[int, str],
) -> discord.Embed:
    """Names per answer and the waitlist, for organisers."""
    embed = discord.Embed(
        title=translate(language, _("Attendees: {title}"), title=event.title)[:256],
        description=when(occurrence.start, occurrence.end),
        colour=COLOUR,
    )
    for answer in ("going", "waitlist", "maybe", "declined"):
        listed = [names[r.user_id] for r in rows if r.answer == answer]
        embed.add_field(
            name=f"{translate(language, ANSWER_LABELS[answer])} ({len(listed)})",
            value=(", ".join(listed) or "—")[:1024],
            inline=False,
        )
    return embed


def attendees_csv(rows: list[RsvpRecord], names: dict[int, str]) -> bytes:
    """The same list as a spreadsheet: one row per answer, in the order given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["user_id", "name", "answer", "order"])
    for row in rows:
        writer.writerow([row.user_id, names[row.user_id], row.answer, row.answered_at])
    return buffer.getvalue().encode("utf-8")


# -- notices and DMs -------------------------------------------------------------------------


def reminder_text(language: str, event: EventRecord, occurrence: Occurrence, *, late: bool) -> str:
    body = translate(
        language,
        _("⏰ Reminder: **{title}** starts <t:{start}:F> (<t:{start}:R>)."),
        title=event.title,
        start=stamp(occurrence.start),
    )
    if event.venue or event.link:
        body += "\n" + where(language, event)  # live and hybrid say where; online, the link
    if late:
        body += "\n" + translate(language, _("(Sent late: I was offline when it was due.)"))
    return body


def starting_text(language: str, event: EventRecord) -> str:
    body = translate(language, _("▶️ **{title}** is starting now."), title=event.title)
    return body + "\n" + where(language, event) if event.venue or event.link else body


def promoted_text(language: str, event: EventRecord, occurrence: Occurrence) -> str:
    return translate(
        language,
        _(
            "Good news: a place opened at **{title}** (<t:{start}:F>) and you moved up "
            "from the waitlist. You're going!"
        ),
        title=event.title,
        start=stamp(occurrence.start),
    )


def still_waiting_text(language: str) -> str:
    """The line under a change notice to a member on the waitlist."""
    return translate(
        language, _("You are still on the waitlist: I'll message you if a place opens.")
    )


def waitlisted_text(language: str, event: EventRecord, occurrence: Occurrence) -> str:
    """To a member whose place went when the organiser lowered the capacity."""
    return translate(
        language,
        _(
            "The places at **{title}** (<t:{start}:F>) are now limited to {capacity}, and your "
            "answer was among the latest: you are on the waitlist now. I'll message you if a "
            "place opens."
        ),
        title=event.title,
        start=stamp(occurrence.start),
        capacity=event.capacity,
    )


def moved_embed(language: str, event: EventRecord, url: str) -> discord.Embed:
    """What an announcement left behind says after the event moved to another channel."""
    return discord.Embed(
        title=translate(language, _("Moved: {title}"), title=event.title)[:256],
        description=translate(language, _("This event is now announced here: {url}"), url=url),
        colour=CANCELLED_COLOUR,
    )


def thread_closed_text(language: str, event: EventRecord, moved_to: str | None) -> str:
    """The last message in a discussion thread the event no longer uses."""
    if moved_to:
        return translate(
            language,
            _("**{title}** moved: the discussion goes on under its new announcement, {url}"),
            title=event.title,
            url=moved_to,
        )
    return translate(
        language,
        _("The organiser closed this discussion; **{title}** goes on in <#{channel}>."),
        title=event.title,
        channel=event.channel_id,
    )


def cancelled_text(language: str, event: EventRecord, occurrence: Occurrence) -> str:
    return translate(
        language,
        _("❌ **{title}** on <t:{start}:F> is cancelled."),
        title=event.title,
        start=stamp(occurrence.start),
    )


def changed_text(
    language: str, old: EventRecord, new: EventRecord, before: Occurrence, after: Occurrence
) -> str:
    """What changed in an edit, old and new side by side."""
    lines = [translate(language, _("**{title}** has changed:"), title=new.title)]
    if (before.start, before.end) != (after.start, after.end):
        lines.append(
            translate(
                language,
                _("When: {old} → {new}"),
                old=when(before.start, before.end),
                new=when(after.start, after.end),
            )
        )
    if old.title != new.title:
        lines.append(translate(language, _("Title: {old} → {new}"), old=old.title, new=new.title))
    if old.format != new.format:
        lines.append(
            translate(
                language,
                _("Format: {old} → {new}"),
                old=translate(language, FORMAT_NAMES[old.format]),
                new=translate(language, FORMAT_NAMES[new.format]),
            )
        )
    if old.channel_id != new.channel_id:
        lines.append(
            translate(language, _("Now announced in <#{channel}>"), channel=new.channel_id)
        )
    if (old.link, old.venue) != (new.link, new.venue):
        lines.append(
            translate(
                language,
                _("Where: {old} → {new}"),
                old=where(language, old),
                new=where(language, new),
            )
        )
    if old.capacity != new.capacity:
        lines.append(
            translate(
                language,
                _("Places: {old} → {new}"),
                old=old.capacity or "∞",
                new=new.capacity or "∞",
            )
        )
    if old.description != new.description:
        lines.append(description_change(language, new.description))
    return "\n".join(lines)


DESCRIPTION_SHOWN = 300  # characters of a new description a change notice quotes


def description_change(language: str, description: str) -> str:
    """A new description in a change notice, quoted (its start, if long), so a member sees
    whether it matters to them without opening the announcement (review #33)."""
    if not description:
        return translate(language, _("The description was removed."))
    shown = description
    if len(shown) > DESCRIPTION_SHOWN:
        shown = shown[: DESCRIPTION_SHOWN - 1].rstrip() + "…"
    quoted = "\n".join(f"> {line}" for line in shown.splitlines())
    return translate(language, _("The description is now:")) + "\n" + quoted


# -- for the admins ------------------------------------------------------------------------------


def no_threads_text(language: str) -> str:
    return translate(
        language,
        _(
            "I can't open discussion threads for events: give me the Create "
            "Public Threads permission. Events are announced without them."
        ),
    )


def no_mirror_text(language: str) -> str:
    return translate(
        language,
        _(
            "I can't mirror events into Discord's event list: give me the Manage "
            "Events permission. Everything else keeps working."
        ),
    )
