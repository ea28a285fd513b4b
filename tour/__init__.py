"""``s3cop demo``: a scripted tour of the real bot on the local sandbox, printed as a transcript.

It is how a newcomer meets the bot without a Discord account: five members of the seeded guild
take turns, and the transcript shows what each did and what the bot answered, as members see it.

Each feature tells its own part in its own file here (``tour/events.py``, ``tour/polls.py``...):
the module's ``ORDER`` places it, and its ``sections()`` returns the :class:`Section` list, each
with the seconds it may take (its budget; the demo's test holds every section to it). This
package holds only the running of the tour; rendering lives with the sandbox tools
(:mod:`bot.sandbox.transcript`).
"""

from __future__ import annotations

import importlib
import pkgutil
import textwrap
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from bot.clock import FakeClock
from bot.i18n import SUPPORTED_LANGUAGES
from bot.local import DEFAULT_MEMBERS, LocalCommunity
from bot.sandbox.driver import InteractionResult
from bot.sandbox.models import Message
from bot.sandbox.render import render_timestamps
from bot.sandbox.transcript import (
    INDENT,
    LANGUAGES,
    command_text,
    describe,
    indent,
    pass_time,
    sandbox_community,
    show,
    where_posted,
)


class TourError(RuntimeError):
    """The bot did not answer the way the tour expects: the demo stops rather than mislead."""


@dataclass
class Tour:
    """The running community and the transcript; steps act through it and print as they go."""

    community: LocalCommunity
    clock: FakeClock
    out: TextIO
    introduced: set[str] = field(default_factory=set)

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

    async def press(self, name: str, target: Message, label: str) -> InteractionResult:
        """Press a button on a message; the answer must be a message (a deferred one is
        waited for)."""
        self.acts(name, f"presses [{label}] {where_posted(self.community, target)}")
        result = await self.community.as_member(name).click(target, label)
        if result.kind == "deferred" and result.message is not None:
            await result.wait_edit(timeout=15)
        elif result.kind != "message" or result.message is None:
            raise self.fail(result, f"a message after pressing {label}")
        self.shows(result.message)
        return result

    async def confirm(self, name: str, asked: InteractionResult, label: str) -> Message:
        """Answer a question the bot asked before acting (only-you) with one of its buttons;
        the outcome replaces the question."""
        if asked.message is None:
            raise self.fail(asked, "a question with buttons")
        self.acts(name, f"presses [{label}] on that question")
        result = await self.community.as_member(name).click(asked.message, label)
        if result.failed or result.message is None:
            raise self.fail(result, f"an answer after pressing {label}")
        if result.message.components:
            await result.wait_edit(timeout=15)  # a deferred answer: the question is replaced
        self.shows(result.message)
        return result.message

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
        """Move the clock as if the time had passed (what falls due on the way runs at its
        own time) and return what the bot posted."""
        self.note(f"The clock moves to {self.time(moment)}, {why}; the bot runs what is due.")
        seen = len(self.community.sandbox.backend.message_log)
        await pass_time(self.community, self.clock, moment)
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
            by_language: dict[str, list[str]] = {}
            for name in names:
                by_language.setdefault(self.language_of(name), []).append(name)
            if len(by_language) == 1:
                said = f", {next(iter(by_language))}"
            else:
                groups = (f"{' and '.join(who)} {lang}" for lang, who in by_language.items())
                said = ": " + "; ".join(groups)
            self.print(f"{INDENT}({' and '.join(names)} got {also}{said}.)")

    def language_of(self, name: str) -> str:
        """The language the bot writes to a member in, said as it is: their Discord's, or the
        server's fallback for a language the bot does not speak (Lena's German)."""
        member = self.community.members.get(name.lower())
        locale = member.locale if member is not None else "en-US"
        spoken = locale.split("-")[0]
        if spoken in SUPPORTED_LANGUAGES:
            return f"in {LANGUAGES[spoken]}"
        fallback = LANGUAGES[self.community.settings.locale.language]
        return (
            f"in {fallback}, the fallback: the bot does not speak {LANGUAGES.get(spoken, locale)}"
        )

    def gets_dm(self, name: str, msg: Message, why: str = "") -> None:
        """Show the DM ``name`` got, saying in which language it came."""
        self.shows(msg, f"{name.capitalize()}{why} gets a DM ({self.language_of(name)}):")

    @staticmethod
    def time(moment: datetime) -> str:
        return render_timestamps(f"<t:{int(moment.timestamp())}:F>")


@dataclass(frozen=True)
class Section:
    """One part of the tour: its heading, what it plays, and the seconds it may take."""

    title: str
    play: Callable[[Tour], Awaitable[None]]
    budget: float


def all_sections() -> list[Section]:
    """Every feature's sections, features in their ``ORDER``."""
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]
    modules.sort(key=lambda m: (getattr(m, "ORDER", 100), m.__name__))
    return [section for module in modules for section in module.sections()]


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


async def run_demo(
    out: TextIO,
    sections: list[Section] | None = None,
    timings: dict[str, float] | None = None,
) -> int:
    """Play the tour into ``out`` (every feature's sections unless given); a step that goes
    wrong raises (a non-zero exit). ``timings`` receives each section's seconds."""
    sections = all_sections() if sections is None else sections
    async with sandbox_community() as (community, clock):
        tour = Tour(community, clock, out)
        tour.print(HEADER.format(now=Tour.time(clock.now())))
        tour.print()
        members = "Members: " + ", ".join(describe(name) for name in DEFAULT_MEMBERS) + "."
        tour.print(textwrap.fill(members, 100, subsequent_indent="  "))
        for number, section in enumerate(sections, start=1):
            heading = f"{number}. {section.title}"
            tour.print()
            tour.print()
            tour.print(heading)
            tour.print("-" * len(heading))
            began = time.monotonic()
            await section.play(tour)
            if timings is not None:
                timings[section.title] = time.monotonic() - began
        tour.print()
        tour.print()
        tour.print("That's the tour. Try it yourself: .venv/bin/s3cop sandbox (type help there).")
    return 0
