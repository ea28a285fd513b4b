"""Transcripts of the sandbox as members see it: who a seeded member is, a command as typed,
a message rendered with names for mentions and wrapped for a terminal, where a message appeared,
and the sandbox clock moved on as if the time had passed.

Shared by ``s3cop demo`` (the ``tour`` package) and ``s3cop sandbox`` (:mod:`bot.prompt`), so
both show the bot the same way.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from bot.clock import FakeClock
from bot.local import DEFAULT_MEMBERS, LocalCommunity, local_community
from bot.logs import no_voice_notice
from bot.sandbox.models import DM, Channel, Member, Message
from bot.sandbox.render import Viewer, render_message

LANGUAGES = {"en": "English", "fi": "Finnish", "it": "Italian", "de": "German"}
ROLE_WORDS = {"Secretariat": "secretariat", "Organisers": "organiser"}
INDENT = "    "
WIDTH = 92  # a rendered message's lines wrap here, before the transcript indents them
MAX_STOPS = 1000  # due actions one move of the clock runs one by one; a bound, never reached


@contextlib.contextmanager
def quiet_logging() -> Iterator[None]:
    """Only warnings and errors, on stderr: the transcript on stdout is the output, and
    discord.py's routine INFO lines would bury it."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(no_voice_notice)
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


@contextlib.asynccontextmanager
async def sandbox_community(
    start: datetime | None = None, *, web: dict[str, Any] | None = None
) -> AsyncIterator[tuple[LocalCommunity, FakeClock]]:
    """The seeded community with the bot running, in a temporary directory, on a clock that
    starts at ``start`` (default: the current hour, so times read naturally) and moves only
    when told to; ``web`` are ``[web]`` settings, to run the bot's web server."""
    clock = FakeClock(start or datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    with quiet_logging():
        running = local_community(clock=clock, web=web) if web else local_community(clock=clock)
        async with running as community:
            yield community, clock


async def pass_time(community: LocalCommunity, clock: FakeClock, until: datetime) -> None:
    """Move the sandbox clock to ``until`` as if the time had passed: the clock stops at each
    due action on the way, in time order, so each runs at its own due time. One jump would find
    them overdue, and the scheduler takes that for a bot that was away: late, or missed and
    logged. The tour's ⏩ and the prompt's ``wait`` both move the clock through here."""
    scheduler = community.bot.scheduler if community.bot is not None else None
    if scheduler is None:
        raise RuntimeError("the bot is not running: nothing would run what falls due")
    for _ in range(MAX_STOPS):
        due = await scheduler.next_due()
        if due is None or due > until:
            break
        clock.set(max(due, clock.now()))
        community.sandbox.backend.end_polls()
        await scheduler.run_due()
    clock.set(max(until, clock.now()))
    community.sandbox.backend.end_polls()
    await scheduler.run_due()


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
    if isinstance(value, Channel):
        return f"{name}:#{value.name}"
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


def show(
    community: LocalCommunity, msg: Message, now: datetime, viewer: Viewer | None = None
) -> str:
    """A message as readable text: ``render_message`` with names for mentions, an ephemeral
    answer marked with whom it is for, and multi-line embed fields kept inside the embed;
    timestamps as ``viewer``'s Discord shows them."""
    lines = render_message(msg, now=now, viewer=viewer).splitlines()
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
