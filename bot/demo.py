"""``s3cop demo``: a scripted tour of the real bot on the local sandbox, printed as a transcript.

It is how a newcomer meets the bot without a Discord account: five members of the seeded guild
take turns, and the transcript shows what each did and what the bot answered, as members see it.
The tour is a list of sections (:data:`TOUR`); a feature adds its own when it lands.

The sandbox set-up and the message rendering here are shared with ``s3cop sandbox``
(:mod:`bot.prompt`), so both show the bot the same way.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from bot.clock import FakeClock
from bot.local import DEFAULT_MEMBERS, LocalCommunity, local_community
from bot.sandbox.driver import InteractionResult
from bot.sandbox.models import DM, LOADING, Channel, Member, Message
from bot.sandbox.render import render_message, render_timestamps

LANGUAGES = {"en": "English", "fi": "Finnish", "it": "Italian", "de": "German"}
ROLE_WORDS = {"Secretariat": "secretariat", "Organisers": "organiser"}
INDENT = "    "
WIDTH = 92  # a rendered message's lines wrap here, before the transcript indents them

# ---------------------------------------------------------------- shared with the prompt


@contextlib.contextmanager
def quiet_logging() -> Iterator[None]:
    """Only warnings and errors, on stderr: the transcript on stdout is the output, and
    discord.py's routine INFO lines would bury it."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    # The bot has no voice features; discord.py's notice about voice libraries is only noise.
    handler.addFilter(lambda record: "voice will NOT be supported" not in record.getMessage())
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


@contextlib.asynccontextmanager
async def sandbox_community() -> AsyncIterator[tuple[LocalCommunity, FakeClock]]:
    """The seeded community with the bot running, in a temporary directory, on a clock that
    starts at the current hour (so times read naturally) and moves only when told to."""
    clock = FakeClock(datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    with quiet_logging():
        async with local_community(clock=clock) as community:
            yield community, clock


def describe(name: str) -> str:
    """``Olli (organiser; Discord in Finnish)``: who a seeded member is, for a newcomer."""
    roles, locale = DEFAULT_MEMBERS[name]
    words = [ROLE_WORDS.get(role, role) for role in roles]
    language = LANGUAGES.get(locale.split("-")[0], locale)
    about = ", ".join(words) + "; " if words else ""
    return f"{name.capitalize()} ({about}Discord in {language})"


def option_text(name: str, value: Any) -> str:
    """One option as a person types it at the prompt: ``title:"Kick-off"``, ``capacity:2``,
    a member as ``lead:@Olli``."""
    if isinstance(value, Member):
        return f"{name}:@{value.user.name}"
    text = str(value)
    if not text or any(c.isspace() or c in "\"'" for c in text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name}:{text}"


def command_text(command: str, options: dict[str, Any]) -> str:
    return " ".join([f"/{command}", *(option_text(k, v) for k, v in options.items())])


def _mentions(community: LocalCommunity, text: str) -> str:
    """Mentions and message links as Discord's client shows them (names, not ids)."""
    guild = community.guild

    def mention(match: re.Match[str]) -> str:
        kind, ident = match.group(1), int(match.group(2))
        if kind == "#":
            channel = guild.channels.get(ident)
            return f"#{channel.name}" if channel else match.group(0)
        if kind == "@&":
            role = guild.roles.get(ident)
            return f"@{role.name}" if role else match.group(0)
        member = guild.members.get(ident)
        return f"@{member.user.name}" if member else match.group(0)

    def link(match: re.Match[str]) -> str:
        channel = guild.channels.get(int(match.group(1)))
        return f"[message in #{channel.name}]" if channel else match.group(0)

    text = re.sub(r"<(@&|@!?|#)(\d+)>", mention, text)
    return re.sub(r"https://discord\.com/channels/\d+/(\d+)/\d+", link, text)


def show(community: LocalCommunity, msg: Message, now: datetime) -> str:
    """A message as readable text: ``render_message`` with names for mentions, an ephemeral
    answer marked with whom it is for, and multi-line embed fields kept inside the embed."""
    lines = render_message(msg, now=now).splitlines()
    if msg.ephemeral and msg.ephemeral_to is not None:
        member = community.guild.members.get(msg.ephemeral_to)
        who = member.user.name if member else "the member"
        lines[0] = lines[0].replace("(only you):", f"(only {who} sees this):")
    # render_message prefixes the first line of an embed field only; continue its bar.
    lines = [lines[0], *(line if line.startswith("  ") else f"  |   {line}" for line in lines[1:])]
    return "\n".join(_wrap(_mentions(community, line)) for line in lines)


def _wrap(line: str) -> str:
    """A long line wrapped at spaces, each piece keeping the line's ``  | `` prefix."""
    prefix = re.match(r"\s*(?:\|\s*)?", line)
    assert prefix is not None  # the pattern matches the empty string
    return textwrap.fill(
        line,
        WIDTH,
        subsequent_indent=prefix.group(0),
        break_long_words=False,
        break_on_hyphens=False,
    )


def where_posted(community: LocalCommunity, msg: Message) -> str:
    """``in #events`` or ``DM to Lena``: where a message the bot sent appeared."""
    channel = community.sandbox.backend.channels.get(msg.channel_id)
    if channel is not None and channel.type == DM:
        member = community.guild.members.get(channel.recipient_id or 0)
        return f"DM to {member.user.name if member else 'a member'}"
    return f"in #{channel.name}" if channel else "somewhere"


def indent(text: str, prefix: str = INDENT) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


# ---------------------------------------------------------------- the tour


class TourError(RuntimeError):
    """The bot did not answer the way the tour expects: the demo stops rather than mislead."""


@dataclass
class Tour:
    """The running community and the transcript; steps act through it and print as they go."""

    community: LocalCommunity
    clock: FakeClock
    out: TextIO
    introduced: set[str] = field(default_factory=set)
    announcement: Message | None = None
    event_id: int = 0
    tour_thread: Channel | None = None  # support's private thread and card
    tour_card: Message | None = None

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def who(self, name: str) -> str:
        """The member's full description the first time they act, their name after."""
        if name in self.introduced:
            return name.capitalize()
        self.introduced.add(name)
        return describe(name)

    def acts(self, name: str, action: str) -> None:
        self.print()
        self.print(f"▶ {self.who(name)}: {action}")

    def note(self, text: str) -> None:
        self.print()
        self.print(f"⏩ {text}")

    def shows(self, msg: Message, label: str | None = None) -> None:
        if label:
            self.print(f"{INDENT}{label}")
            self.print(indent(show(self.community, msg, self.clock.now()), INDENT * 2))
        else:
            self.print(indent(show(self.community, msg, self.clock.now())))

    def fail(self, result: InteractionResult | None, expected: str) -> TourError:
        """Print what the bot did answer, and the error to raise."""
        if result is not None and result.message is not None:
            self.shows(result.message, "(unexpected answer)")
        kind = result.kind if result is not None else "nothing"
        return TourError(f"expected {expected}; the bot answered with {kind}")

    async def slash(self, name: str, command: str, /, **options: Any) -> InteractionResult:
        """``/command`` as a member, printed as typed; the answer must be a message."""
        self.acts(name, command_text(command, options))
        result = await self.community.as_member(name).slash(command, **options)
        if result.kind != "message" or result.message is None:
            raise self.fail(result, f"a message from /{command}")
        self.shows(result.message)
        return result

    async def press(self, name: str, label: str) -> InteractionResult:
        """Press a button on the announcement; the answer must be a message."""
        target = self.announcement
        assert target is not None, "the tour presses buttons only after an announcement"
        self.acts(name, f"presses [{label}] {where_posted(self.community, target)}")
        result = await self.community.as_member(name).click(target, label)
        if result.kind != "message" or result.message is None:
            raise self.fail(result, f"a message after pressing {label}")
        self.shows(result.message)
        return result

    def channel(self, name: str) -> list[Message]:
        return self.community.sandbox.messages(self.community.channels[name])

    def dms(self, name: str) -> list[Message]:
        return self.community.sandbox.dms(self.community.members[name])

    async def dm_arrives(self, name: str, before: int) -> Message:
        """The DM the bot sends ``name`` (beyond the ``before`` they had), waited for briefly:
        some DMs go out just after the bot has answered the click that caused them."""
        try:
            await self.community.sandbox.wait_until(lambda: len(self.dms(name)) > before)
        except TimeoutError:
            raise TourError(f"{name.capitalize()} got no DM") from None
        return self.dms(name)[before]

    async def due_actions(self, moment: datetime, why: str) -> list[Message]:
        """Move the clock, let the bot run what is due, and return what it posted."""
        self.clock.set(moment)
        self.note(f"The clock moves to {self.time(moment)}, {why}; the bot runs what is due.")
        seen = len(self.community.sandbox.backend.message_log)
        assert self.community.bot is not None
        await self.community.bot.scheduler.run_due()
        return [m for m in self.community.sandbox.backend.message_log[seen:] if not m.deleted]

    def others_got(self, posted: list[Message], shown: str = "") -> None:
        """Name the members (other than ``shown``, whose DM was printed) who got it by DM."""
        names = sorted(
            place.removeprefix("DM to ")
            for m in posted
            if (place := where_posted(self.community, m)).startswith("DM to ")
            and place != f"DM to {shown.capitalize()}"
        )
        if names:
            also = "the same DM" if shown else "it by DM too"
            self.print(f"{INDENT}({' and '.join(names)} got {also}, each in their language.)")

    @staticmethod
    def time(moment: datetime) -> str:
        return render_timestamps(f"<t:{int(moment.timestamp())}:F>")


Section = tuple[str, Callable[[Tour], Awaitable[None]]]


async def about(tour: Tour) -> None:
    await tour.slash("sofia", "about")
    await tour.slash("aino", "about")
    tour.print()
    tour.print("  The same command answers each member in the language of their Discord.")


async def help_(tour: Tour) -> None:
    await tour.slash("marco", "help")
    tour.print()
    tour.print("  The bot speaks English and Finnish; Marco's Italian falls back to the")
    tour.print("  server's language, English.")


async def announce(tour: Tour) -> None:
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
    tour.print(f"{INDENT}(Olli set no time zone of his own, so “klo 10” is read in the server's,")
    tour.print(f"{INDENT}Europe/Brussels. Discord shows each member the time in their own zone.)")
    posted = [m for m in tour.channel("events") if m.embeds]
    if not posted:
        raise TourError("no announcement appeared in #events")
    tour.announcement = posted[-1]
    tour.shows(tour.announcement, "In #events, everyone sees:")
    footer = tour.announcement.embeds[0].get("footer", {}).get("text", "")
    found = re.search(r"#(\d+)", footer)
    tour.event_id = int(found.group(1)) if found else 1


async def answers(tour: Tour) -> None:
    await tour.press("aino", "Going")
    await tour.press("marco", "Going")
    await tour.press("lena", "Going")
    tour.print()
    tour.print("  Two places, both taken: Lena is on the waitlist.")
    had = len(tour.dms("lena"))
    await tour.press("marco", "Can't go")
    tour.shows(await tour.dm_arrives("lena", had), "Lena gets a DM:")
    announcement = tour.announcement
    assert announcement is not None
    edits = announcement.edits
    try:  # the bot edits it once for a burst of clicks, a moment after the last
        await tour.community.sandbox.wait_until(lambda: announcement.edits > edits)
    except TimeoutError:
        raise TourError("the announcement's counts were not updated") from None
    tour.shows(announcement, "The announcement in #events now reads:")


async def reminders(tour: Tour) -> None:
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
    posted = await tour.due_actions(start - timedelta(hours=1), "an hour before the start")
    in_channel = [m for m in posted if where_posted(tour.community, m) == "in #events"]
    to_lena = [m for m in posted if where_posted(tour.community, m) == "DM to Lena"]
    if not in_channel or not to_lena:
        raise TourError("the one-hour reminder did not reach #events and Lena")
    tour.shows(in_channel[-1], "In #events:")
    tour.shows(to_lena[-1], "Lena, who is going, gets a DM:")
    tour.others_got(posted, "lena")


async def changes(tour: Tour) -> None:
    had, seen = len(tour.dms("lena")), len(tour.community.sandbox.backend.message_log)
    await tour.slash("sofia", "event edit", event=tour.event_id, start="today 15:00")
    tour.shows(await tour.dm_arrives("lena", had), "Lena, who is going, gets a DM:")
    tour.others_got(tour.community.sandbox.backend.message_log[seen:], "lena")
    result = await tour.slash("aino", "event ics", event=tour.event_id)
    assert result.message is not None
    if not result.message.attachments:
        raise TourError("/event ics sent no file")
    attached = result.message.attachments[0]
    tour.print(f"{INDENT}Inside {attached.filename}, what a calendar app reads:")
    for line in ics_outline(attached.data.decode("utf-8")):
        tour.print(f"{INDENT}  {line}")
    await tour.slash("aino", "event list")


async def support_asking(tour: Tour) -> None:
    """A region asks the secretariat for help, in Finnish."""
    community = tour.community
    tour.acts("aino", "/support request language:fi")
    opened = await community.as_member("aino").slash("support request", language="fi")
    if opened.modal is None:
        raise tour.fail(opened, "the request form")
    tour.print(f"{INDENT}s3cop opens a form, “{opened.modal['title']}”, with:")
    for row in opened.modal["components"]:
        for item in row.get("components", []):
            need = "required" if item.get("required", True) else "optional"
            limit = f", up to {item['max_length']:,} characters" if "max_length" in item else ""
            tour.print(f"{INDENT}  {item['label']} ({need}{limit})")
    form = {
        "topic": "Monitoring our smart specialisation strategy",
        "need": "Lapland is revising its S3 for 2028-2034 and needs an expert on monitoring "
        "indicators and a peer region that has done it.",
        "region": "Lappi",
        "group": "Arctic partnership",
    }
    tour.acts("aino", "fills in the form (topic, need, region Lappi, group) and sends it")
    result = await opened.submit_modal(form)
    answer = await result.wait_followup()
    tour.shows(answer)
    threads = community.sandbox.threads(community.channels["support"])
    if not threads:
        raise TourError("no private thread was opened")
    thread = threads[-1]
    tour.tour_thread = thread
    tour.shows(community.as_member("aino").read(thread)[0], "In her private thread, Aino reads:")
    cards = [m for m in tour.channel("support-triage") if m.embeds]
    if not cards:
        raise TourError("no card reached #support-triage")
    tour.tour_card = cards[-1]
    tour.shows(cards[-1], "In #support-triage, which only the secretariat sees:")
    outsider = community.as_member("marco")
    tour.print()
    tour.print(
        f"  Marco cannot see Aino's thread: {'no' if not outsider.can_see(thread) else 'YES'};"
        " the secretariat can."
    )


async def support_handling(tour: Tour) -> None:
    """The secretariat claims, answers and resolves; the requester reads it all in Finnish."""
    community = tour.community
    thread, card = tour.tour_thread, tour.tour_card
    if thread is None or card is None:
        raise TourError("the support request was not opened")
    aino, sofia = community.as_member("aino"), community.as_member("sofia")
    had = len(tour.dms("aino"))
    tour.acts("sofia", "presses [Claim] on the card in #support-triage")
    claimed = await sofia.click(card, "Claim")
    if claimed.message is None:
        raise tour.fail(claimed, "a message after Claim")
    tour.shows(claimed.message)
    tour.shows(
        await tour.dm_arrives("aino", had), "Aino gets a DM (a courtesy: the thread has it all):"
    )
    tour.acts("sofia", "writes in the thread")
    sofia.say("Hei Aino! I have asked Päivi from Norrbotten, who led their S3 monitoring.", thread)
    tour.acts("aino", "adds a file in the thread: indicators.xlsx")
    aino.say("Kiitos! Tässä nykyiset indikaattorimme.", thread, files=[("indicators.xlsx", b"PK")])
    tour.acts("sofia", "presses [Resolve] on the card")
    form = await sofia.click(card, "Resolve")
    if form.modal is None:
        raise tour.fail(form, "the outcome form")
    outcome = "Päivi (Norrbotten) and a JRC expert will meet Lapland on 12 January."
    tour.acts("sofia", f"writes the outcome: “{outcome}”")
    resolved = await form.submit_modal({"outcome": outcome})
    try:
        tour.shows(await resolved.wait_followup())
    except TimeoutError:
        raise tour.fail(resolved, "a message after resolving") from None
    tour.shows(aino.read(thread)[-1], "In her thread, Aino reads (with a Reopen button):")
    tour.shows(card, "The card in #support-triage now reads:")
    await tour.slash("sofia", "support transcript", request=1)


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


# ---------------------------------------------------------------- groups


async def _answered(tour: Tour, name: str, result: InteractionResult, what: str) -> Message:
    """The bot's answer, after a deferral is filled; printed."""
    if result.message is not None and result.message.flags & LOADING:
        await result.wait_edit()
    if result.message is None:
        raise tour.fail(result, what)
    tour.shows(result.message)
    return result.message


async def _create_group(tour: Tour, **options: Any) -> None:
    tour.acts("sofia", command_text("group create", options))
    result = await tour.community.as_member("sofia").slash("group create", **options)
    await _answered(tour, "sofia", result, "the group's creation")


def _card(tour: Tour, title: str) -> Message:
    cards = [m for m in tour.channel("groups") if m.embeds and title in m.embeds[0]["title"]]
    if not cards:
        raise TourError(f"no card for {title} in #groups")
    return cards[-1]


async def groups_create(tour: Tour) -> None:
    olli = tour.community.members["olli"]
    await _create_group(
        tour,
        name="Industrial transition",
        name_fi="Teollinen muutos",
        kind="working_group",
        description="Regions in industrial transition: jobs, skills and new value chains.",
        joining="open",
        visibility="public",
        lead=olli,
    )
    tour.print(f"{INDENT}(A role and a channel under “Working groups”: everyone reads it, members")
    tour.print(
        f"{INDENT}write. A private group's channel only its members see; they apply to join.)"
    )
    tour.shows(_card(tour, "Industrial transition"), "In #groups, everyone sees:")
    for name in ("Arctic tourism", "Bioeconomy"):
        await _create_group(
            tour,
            name=name,
            kind="partnership",
            description=f"Thematic partnership: {name.lower()} in Europe's regions.",
            joining="application",
            visibility="private",
            lead=olli,
        )


async def groups_join(tour: Tour) -> None:
    card = _card(tour, "Industrial transition")
    tour.acts("aino", "presses [Join] on the card in #groups")
    joined = await tour.community.as_member("aino").click(card, "Join")
    await _answered(tour, "aino", joined, "the join")
    partnership = _card(tour, "Arctic tourism")
    tour.acts("marco", "presses [Apply] on the Arctic tourism card")
    form = await tour.community.as_member("marco").click(partnership, "Apply")
    if form.modal is None:
        raise tour.fail(form, "the application form")
    fields = [i["label"] for row in form.modal["components"] for i in row.get("components", [])]
    tour.print(f"{INDENT}s3cop opens a form, “{form.modal['title']}”: {', '.join(fields)}")
    had = len(tour.dms("olli"))
    motivation = "Our cluster connects tourism SMEs across the Alps and Lapland."
    tour.acts("marco", f"sends it: “{motivation}”, organisation “Trentino Sviluppo”")
    sent = await form.submit_modal({"motivation": motivation, "organisation": "Trentino Sviluppo"})
    await _answered(tour, "marco", sent, "the application's confirmation")
    copy = await tour.dm_arrives("olli", had)
    tour.shows(copy, "Olli, the lead, gets a DM (in Finnish):")
    had = len(tour.dms("marco"))
    tour.acts("olli", "presses [Hyväksy] (Approve) in that DM")
    decided = await tour.community.as_member("olli").click(copy, "Hyväksy")
    if decided.kind != "update":
        raise tour.fail(decided, "the decision on Olli's copy")
    tour.shows(tour.community.sandbox.backend.messages[copy.id], "Olli's copy now reads:")
    tour.shows(await tour.dm_arrives("marco", had), "Marco gets a DM:")


async def groups_regions(tour: Tour) -> None:
    await tour.slash(
        "olli",
        "profile set",
        country="FI",
        region="Lappi",
        organisation="Lapin liitto",
        stakeholder="public_authority",
        languages="fi, en, sv",
    )
    tour.print(f"{INDENT}(Regions autocomplete from ISO 3166-2 in their own language, English and")
    tour.print(f"{INDENT}Finnish: Lappi, Lapland and FI-10 are the same region.)")
    await tour.slash("marco", "profile set", country="IT", region="Trento")
    await tour.slash("olli", "group region add", group="Bioeconomy", region="FI-10")
    await tour.slash("marco", "region show", name="Lapland")
    await tour.slash("aino", "region show", name="lappi")


TOUR: list[Section] = [
    ("Who the bot is: /about in two languages", about),
    ("Every command: /help", help_),
    ("Events: announcing one", announce),
    ("Events: answers, capacity and the waitlist", answers),
    ("Events: Discord's event list and reminders", reminders),
    ("Events: a change of time, calendar files and the list", changes),
    ("Groups: a working group and two partnerships", groups_create),
    ("Groups: joining, and an application the lead approves", groups_join),
    ("Profiles and regions: who takes part where", groups_regions),
    ("Support: a region asks the secretariat, in Finnish", support_asking),
    ("Support: claimed, answered and resolved, with a transcript kept", support_handling),
]

HEADER = """\
s3cop demo: a scripted tour of the bot
======================================
This is the real s3cop bot connected to the sandbox, a small Discord-compatible server running
inside this process (bot/sandbox/). No Discord account, no token, no network.

The server "S3 Community of Practice" has #general, #events, #announcements, #admin-log,
#groups, #support and the secretariat's #support-triage, and five members who take turns below.
Each ▶ line is what a member did (commands as you would type them at the prompt of `s3cop
sandbox`); the indented text under it is what the bot answered and what members see. Only-you
answers are marked. Times show in UTC; the sandbox clock starts at {now} and moves only when the
tour says so (⏩)."""


async def run_demo(out: TextIO) -> int:
    """Play the tour into ``out``; a step that goes wrong raises (a non-zero exit)."""
    async with sandbox_community() as (community, clock):
        tour = Tour(community, clock, out)
        tour.print(HEADER.format(now=Tour.time(clock.now())))
        tour.print()
        members = "Members: " + ", ".join(describe(name) for name in DEFAULT_MEMBERS) + "."
        tour.print(textwrap.fill(members, 100, subsequent_indent="  "))
        for number, (title, step) in enumerate(TOUR, start=1):
            heading = f"{number}. {title}"
            tour.print()
            tour.print()
            tour.print(heading)
            tour.print("-" * len(heading))
            await step(tour)
        tour.print()
        tour.print()
        tour.print("That's the tour. Try it yourself: .venv/bin/s3cop sandbox (type help there).")
    return 0
