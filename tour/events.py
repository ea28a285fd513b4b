"""The tour's events: announcing one, answers and the waitlist, reminders, changes and calendars."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.sandbox.models import Message
from bot.sandbox.transcript import INDENT, command_text, where_posted
from tour import Section, Tour, TourError

ORDER = 10


@dataclass
class EventsTour:
    """What the events sections pass on: the announcement and its event."""

    announcement: Message | None = None
    event_id: int = 0


async def announce(tour: Tour, state: EventsTour) -> None:
    await tour.slash("sofia", "timezone set", zone="Europe/Brussels")
    tour.print(f"{INDENT}(Members who set none have their times read in the server's zone.)")
    options: dict[str, Any] = {
        "title": "Industrial transition WG",
        "start": "ensi tiistaina klo 10",
        "format": "online",
        "link": "https://meet.example.org/itwg",
        "capacity": 2,
        "reminders": "1d, 1h",
    }
    tour.acts("olli", command_text("event create", options))
    opened = await tour.community.as_member("olli").slash("event create", **options)
    if opened.modal is None:
        raise tour.fail(opened, "the description form")
    tour.print(f"{INDENT}s3cop opens a form, “{opened.modal['title']}”, with:")
    for row in opened.modal["components"]:
        for item in row.get("components", []):
            need = "required" if item.get("required", True) else "optional"
            limit = f", up to {item['max_length']} characters" if "max_length" in item else ""
            hint = f" — {item['placeholder']}" if item.get("placeholder") else ""
            tour.print(f"{INDENT}  {item['label']} ({need}{limit}){hint}")
    description = "Kick-off of the working group: priorities for 2027 and who leads what."
    tour.acts("olli", f"types into the form and sends it: “{description}”")
    result = await opened.submit_modal({"description": description})
    if result.message is None or not result.ephemeral:
        raise tour.fail(result, "the announcement's confirmation")
    tour.shows(result.message)
    tour.print(f"{INDENT}(The bot says how it read “klo 10”: Olli set no time zone of his own.")
    tour.print(f"{INDENT}Discord shows each member the time in their own zone.)")
    posted = [m for m in tour.channel("events") if m.embeds]
    if not posted:
        raise TourError("no announcement appeared in #events")
    state.announcement = posted[-1]
    tour.shows(state.announcement, "In #events, everyone sees:")
    footer = state.announcement.embeds[0].get("footer", {}).get("text", "")
    found = re.search(r"#(\d+)", footer)
    state.event_id = int(found.group(1)) if found else 1


async def answers(tour: Tour, state: EventsTour) -> None:
    announcement = state.announcement
    assert announcement is not None, "announce() comes first"
    await tour.press("aino", announcement, "Going")
    await tour.press("marco", announcement, "Going")
    await tour.press("lena", announcement, "Going")
    tour.print()
    tour.print("  Two places, both taken: Lena is on the waitlist.")
    had = len(tour.dms("lena"))
    await tour.press("marco", announcement, "Can't go")
    tour.gets_dm("lena", await tour.dm_arrives("lena", had))
    edits = announcement.edits
    try:  # the bot edits it once for a burst of clicks, a moment after the last
        await tour.community.sandbox.wait_until(lambda: announcement.edits > edits)
    except TimeoutError:
        raise TourError("the announcement's counts were not updated") from None
    tour.shows(announcement, "The announcement in #events now reads:")


async def reminders(tour: Tour, state: EventsTour) -> None:
    events = tour.community.sandbox.scheduled_events(tour.community.guild)
    if not events:
        raise TourError("the event is missing from Discord's event list")
    tour.print()
    tour.print("  Discord's own Events list has it too:")
    start = events[-1].scheduled_start_time
    tour.print(f"{INDENT}{events[-1].name}, {tour.time(start)}, {events[-1].location}")
    if start - timedelta(days=1) > tour.clock.now():
        posted = await tour.due_actions(start - timedelta(days=1), "a day before the start")
        for msg in posted:
            if where_posted(tour.community, msg) == "in #events":
                tour.shows(msg, "In #events:")
        tour.others_got(posted)
    await hour_before(tour, start, "an hour before the start")


async def hour_before(tour: Tour, start: datetime, why: str) -> None:
    """Move the clock to an hour before ``start`` and show the reminder in #events and Lena's."""
    posted = await tour.due_actions(start - timedelta(hours=1), why)
    in_channel = [m for m in posted if where_posted(tour.community, m) == "in #events"]
    to_lena = [m for m in posted if where_posted(tour.community, m) == "DM to Lena"]
    if not in_channel or not to_lena:
        raise TourError(f"the reminder {why} did not reach #events and Lena")
    tour.shows(in_channel[-1], "In #events:")
    tour.gets_dm("lena", to_lena[-1], ", who is going,")
    tour.others_got(posted, "lena")


async def changes(tour: Tour, state: EventsTour) -> None:
    had, seen = len(tour.dms("lena")), len(tour.community.sandbox.backend.message_log)
    sandbox, guild = tour.community.sandbox, tour.community.guild
    was = sandbox.scheduled_events(guild)[-1].scheduled_start_time
    await tour.slash("sofia", "event edit", event=state.event_id, start="today 15:00")
    tour.gets_dm("lena", await tour.dm_arrives("lena", had), ", who is going,")
    tour.others_got(tour.community.sandbox.backend.message_log[seen:], "lena")
    # Discord's event list follows after the answer and the DMs: wait for the new time there.
    moved = await sandbox.wait_until(
        lambda: (e := sandbox.scheduled_events(guild)[-1]).scheduled_start_time != was and e
    )
    await hour_before(tour, moved.scheduled_start_time, "an hour before the new time")
    await fewer_places(tour, state)
    result = await tour.slash("aino", "event ics", event=state.event_id)
    assert result.message is not None
    if not result.message.attachments:
        raise TourError("/event ics sent no file")
    attached = result.message.attachments[0]
    tour.print(f"{INDENT}Inside {attached.filename}, what a calendar app reads:")
    for line in ics_outline(attached.data.decode("utf-8")):
        tour.print(f"{INDENT}  {line}")
    await tour.slash("aino", "event list")


async def fewer_places(tour: Tour, state: EventsTour) -> None:
    """Lowering the capacity below those going: the bot asks, and the one moved is told."""
    asked = await tour.slash("sofia", "event edit", event=state.event_id, capacity=1)
    assert asked.message is not None
    had = len(tour.dms("lena"))
    label = "Move the latest 1 to the waitlist"
    tour.acts("sofia", f"presses [{label}] on that question")
    chosen = await tour.community.as_member("sofia").click(asked.message, label)
    if chosen.message is None or "updated" not in chosen.message.content:
        raise tour.fail(chosen, "the edit's answer in place of the question")
    tour.shows(chosen.message)
    tour.gets_dm("lena", await tour.dm_arrives("lena", had), ", the latest to answer,")


async def afterwards(tour: Tour, state: EventsTour) -> None:
    """Once the event is over, the organiser still gets who came, for the records."""
    sandbox, guild = tour.community.sandbox, tour.community.guild
    ends = sandbox.scheduled_events(guild)[-1].scheduled_end_time
    if ends is None:
        raise TourError("the event has no end in Discord's event list")
    posted = await tour.due_actions(ends + timedelta(minutes=30), "after the event has ended")
    for msg in posted:
        if where_posted(tour.community, msg) == "in #events":
            tour.shows(msg, "In #events, at the start:")
    announcement = state.announcement
    assert announcement is not None, "announce() comes first"
    try:  # redrawn at the end, a scheduled action like the reminders
        await sandbox.wait_until(lambda: not announcement.components)
    except TimeoutError:
        raise TourError("the announcement kept its buttons after the end") from None
    tour.shows(announcement, "At the end the announcement shows the final answers, no buttons:")
    result = await tour.slash("sofia", "event attendees", event=state.event_id)
    assert result.message is not None
    if not result.message.attachments:
        raise TourError("/event attendees sent no file")
    attached = result.message.attachments[0]
    tour.print(f"{INDENT}{attached.filename}, for the sign-in sheet and reporting:")
    for line in attached.data.decode("utf-8-sig").splitlines():
        tour.print(f"{INDENT}  {line}")


def ics_outline(calendar: str) -> list[str]:
    """The calendar's header and its events, with the long time-zone rules left out."""
    shown, skipped = [], 0
    for line in calendar.splitlines():
        if line.startswith("BEGIN:VTIMEZONE"):
            skipped = 1
        elif skipped and line.startswith("END:VTIMEZONE"):
            shown.append(f"… ({skipped + 1} lines of time-zone rules) …")
            skipped = 0
        elif skipped:
            skipped += 1
        else:
            shown.append(line)
    return shown


def sections() -> list[Section]:
    state = EventsTour()
    return [
        Section("Events: announcing one", partial(announce, state=state), budget=4.0),
        Section(
            "Events: answers, capacity and the waitlist", partial(answers, state=state), budget=3.0
        ),
        Section(
            "Events: Discord's event list and reminders",
            partial(reminders, state=state),
            budget=3.0,
        ),
        Section(
            "Events: a change of time, its reminder, calendar files and the list",
            partial(changes, state=state),
            budget=4.0,
        ),
        Section("Events: after it ended, who came", partial(afterwards, state=state), budget=3.0),
    ]
