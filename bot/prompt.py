"""``s3cop sandbox``: try the bot by hand, as any seeded member, on the local sandbox.

A person types slash commands as Discord's client would send them (``/event create
title:"Kick-off" start:"tomorrow 14:00" format:online``), presses buttons, switches member and
moves the clock; every answer is rendered as in the demo. Lines come from a text stream, so a
test (or ``s3cop sandbox < script``) can drive it the same way a keyboard does.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import shlex
import sys
import threading
from datetime import datetime
from typing import Any, TextIO

from bot.clock import FakeClock
from bot.errors import UserFacingError
from bot.local import DEVICE_ZONES, LocalCommunity
from bot.sandbox.driver import InteractionResult, MemberDriver, SandboxUsageError
from bot.sandbox.limits import SELECT_TYPES, walk_components
from bot.sandbox.models import LOADING, Channel, Member, Message
from bot.sandbox.render import Viewer, render_timestamps
from bot.sandbox.transcript import (
    describe,
    indent,
    pass_time,
    sandbox_community,
    show,
    where_posted,
)
from bot.timeparse import parse_duration

FIRST_MEMBER = "sofia"
SHOWN_PER_READ = 5
FILE_LINES = 60  # lines of an attached file shown; a calendar's time-zone rules run long
SETTLE = 0.1  # seconds for what the bot sends just after answering (a promotion DM)
EVENT_STATUS = {1: "scheduled", 2: "active", 3: "completed", 4: "cancelled"}
PARAGRAPH = 2  # a text input's style: several lines
DEFERRED_UPDATE = 6  # an interaction response: the pressed message will be edited
TRUE_WORDS = {"true", "yes", "on", "1"}
FALSE_WORDS = {"false", "no", "off", "0"}

HELP = """\
  /command [sub] name:value ...   a slash command, e.g. /event create title:"Kick-off"
                                  start:"tomorrow 14:00" format:online link:https://meet.example.org
                                  (channels as #events, roles as @Organisers, members as @aino;
                                  names as your Discord language shows them, e.g. /tapahtuma luo)
  /command ... name:?             list the bot's choices for an option and pick one, by
                                  number or by typing part of its name
                                  (name:Kick? lists those that match what you typed;
                                  a quoted value, question:"Coffee?", is sent as typed)
  as NAME                         act as another member (see: members)
  members                         who is in the server
  press LABEL [in #channel]       press a button on the last message shown (or the newest
                                  message in #channel that has it)
  press LABEL on EVENT            press it on an event's announcement (title or number)
  choose LABEL[,LABEL]            pick options in the select on the last message shown
  say #channel TEXT               post TEXT as yourself in a channel, or in a thread by its
                                  name or number (say #1 Thanks! for support request 1's)
  read #channel                   the channel's (or thread's) last 5 messages
  dms                             your direct messages from the bot
  file [NAME]                     the files in the messages shown; with a name, its text
  events                          Discord's scheduled events list
  wait 1h | wait 30m              move the clock on and let the bot do what is due
  help                            this list
  quit                            leave (so does end of input)"""


# press LABEL [in #channel] [on EVENT]: the label may itself hold spaces ("Can't go").
PRESS = re.compile(r"^(?P<label>.+?)(?:\s+in\s+#(?P<channel>\S+))?(?:\s+on\s+(?P<about>.+))?$")


def _announces(msg: Message, about: str) -> bool:
    """Is ``msg`` the announcement of the event called ``about`` (by title, or by number as
    ``3`` or ``#3``, which its footer shows)?"""
    number = about.lstrip("#")
    for embed in msg.embeds:
        if about.lower() in str(embed.get("title", "")).lower():
            return True
        footer = str((embed.get("footer") or {}).get("text", ""))
        if number.isdigit() and re.search(rf"#{number}\b", footer):
            return True
    return False


class HeldOutput(io.TextIOBase):
    """Stands in for stderr while the prompt runs: what libraries write there (a logged
    warning, a Python warning) is kept and shown on lines of its own before the next prompt,
    never in the middle of the line a person is typing."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[str] = []
        self._lock = threading.Lock()  # written from any thread (discord.py's heartbeat)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            self._parts.append(text)
        return len(text)

    def take(self) -> list[str]:
        """The lines written since the last call."""
        with self._lock:
            text, self._parts = "".join(self._parts), []
        return [line for line in text.splitlines() if line.strip()]


class PromptError(Exception):
    """Input the prompt cannot act on; the message is a one-line hint for the person."""


class Retyped(Exception):
    """A person asked for a pick typed a command instead: the pick is dropped and the line
    runs as if typed at the prompt."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


# The prompt's own words: typed while a pick waits, they run instead (see Retyped).
WORDS = {"as", "members", "press", "choose", "say", "read", "dms", "file", "events", "wait"}
WORDS |= {"help", "quit", "exit"}


async def _readline(stream: TextIO) -> str:
    """One line ('' at end of input), read in a daemon thread so the bot keeps running while a
    person types; unlike ``asyncio.to_thread``, a read still blocked at Ctrl-C does not hold the
    process open."""
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str] = loop.create_future()

    def deliver(text: str) -> None:
        if not line.done():
            line.set_result(text)

    def read() -> None:
        text = stream.readline()
        with contextlib.suppress(RuntimeError):  # the loop closed while a person was typing
            loop.call_soon_threadsafe(deliver, text)

    threading.Thread(target=read, name="s3cop-prompt-input", daemon=True).start()
    return await line


# An unquoted ``name:value?`` word: the member asks for the option's autocomplete.
ASKING = re.compile(r"""(?<!\S)([^\s:"']+):[^\s"'\\]*\?(?!\S)""")


class Asked(str):
    """A value typed as ``name:start?`` without quotes: a request for the bot's choices that
    begin like ``start``, if the option has autocomplete; otherwise the literal text."""


def split_command(line: str) -> tuple[str, dict[str, str]]:
    """``/event create title:"A B"`` -> ``("event create", {"title": "A B"})``; a value typed
    ``name:start?`` without quotes is an :class:`Asked` (a quoted value is always literal)."""
    asking = {found[1] for found in ASKING.finditer(line)}
    try:
        words = shlex.split(line.removeprefix("/"))
    except ValueError as exc:
        raise PromptError(f"{exc}: close the quotes around a value with spaces") from None
    path: list[str] = []
    options: dict[str, str] = {}
    for word in words:
        name, colon, value = word.partition(":")
        if colon:
            options[name] = Asked(value) if name in asking and value.endswith("?") else value
        elif options:
            raise PromptError(f"{word!r} is not name:value; quote values that have spaces")
        else:
            path.append(word)
    if not path:
        raise PromptError("type a command after the slash, e.g. /about")
    return " ".join(path), options


def optional_mark(label: str, required: bool) -> str:
    """ " (optional)" after a field's label, unless it is required or its label says so."""
    said = re.search(r"\((optional|valinnainen)\b", label, re.IGNORECASE)
    return "" if required or said else " (optional)"


class Session:
    """One person at the prompt: the member they act as, and what they have been shown."""

    def __init__(
        self,
        community: LocalCommunity,
        clock: FakeClock,
        stdin: TextIO,
        stdout: TextIO,
        held: HeldOutput | None = None,
    ) -> None:
        self.community = community
        self.held = held
        self.clock = clock
        self.stdin = stdin
        self.stdout = stdout
        self.member = FIRST_MEMBER
        self.shown: list[Message] = []
        self.seen = len(community.sandbox.backend.message_log)
        self.ended = False

    # ------------------------------------------------------------ input and output

    def write(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    async def ask(self, prompt: str) -> str | None:
        """A line the person types after ``prompt``; None at end of input."""
        self.show_held()
        self.stdout.write(prompt)
        self.stdout.flush()
        line = await _readline(self.stdin)
        if not line:
            self.write()
            self.ended = True
            return None
        if not self.stdin.isatty():
            self.write(line.rstrip("\n"))  # a script's lines, echoed, read like a session
        return line.strip()

    def show_held(self) -> None:
        """What libraries wrote to stderr meanwhile, each line marked as theirs."""
        for line in self.held.take() if self.held else []:
            self.write(f"  ⚠ {line}")

    def viewer(self, name: str | None = None) -> Viewer:
        """How a member's Discord shows times: their client's language, their device's zone."""
        name = name or self.member
        member = self.community.members.get(name)
        locale = member.locale if member is not None else "en-US"
        return Viewer(locale, DEVICE_ZONES.get(name, "UTC"))

    def time(self, moment: datetime, style: str = "F") -> str:
        """A moment as the current member's Discord shows ``<t:...:F>``."""
        return render_timestamps(f"<t:{int(moment.timestamp())}:{style}>", viewer=self.viewer())

    def display(
        self,
        msg: Message,
        label: str | None = None,
        now: datetime | None = None,
        reader: str | None = None,
    ) -> None:
        """Bot output is indented under the typed line; a label (where it was posted) above it.
        Times show as the ``reader``'s Discord shows them (default: the current member)."""
        text = show(self.community, msg, now or self.clock.now(), self.viewer(reader))
        if label:
            self.write(f"  {label}")
            text = indent(text, "    ")
        else:
            text = indent(text, "  ")
        self.write(text)
        self.shown.append(msg)

    async def news(self, skip: Message | None = None) -> None:
        """Report what the bot posted since the last report: channel messages and DMs."""
        await asyncio.sleep(SETTLE)
        log = self.community.sandbox.backend.message_log
        fresh, self.seen = log[self.seen :], len(log)
        for msg in fresh:
            if msg is not skip and not msg.deleted and not msg.ephemeral:
                place = where_posted(self.community, msg)
                reader = place.removeprefix("DM to ").lower() if place.startswith("DM ") else None
                # Relative times as members read them when it arrived, not after a long wait.
                label = place[0].upper() + place[1:] + ":"
                self.display(msg, label, now=msg.created_at, reader=reader)

    # ------------------------------------------------------------ the loop

    async def run(self) -> None:
        start = self.time(self.clock.now())
        self.write(
            "s3cop sandbox: the real bot on a local Discord-compatible server; no token, no "
            f"network.\nThe clock starts at {start} ({self.viewer().zone}) and moves only when "
            "you type `wait`.\n"
            f"You are {describe(self.member)}. Type help for what you can do, quit to leave."
        )
        web = self.community.bot.web if self.community.bot else None
        if web is not None:
            base = f"http://{web.host}:{web.bound_port}"
            self.write(
                f"The bot's web server is on {base}: try `curl {base}/healthz`, and "
                "/calendar link for a feed."
            )
        while not self.ended:
            line = await self.ask(f"{self.member}> ")
            if line is None:
                return
            if line in ("quit", "exit"):
                return
            for _turn in range(10):  # a pick answered with a command runs it (bounded)
                try:
                    await self.handle(line)
                except Retyped as retyped:
                    line = retyped.line
                    if line in ("quit", "exit"):
                        return
                    continue
                except (PromptError, SandboxUsageError, UserFacingError) as exc:
                    self.write(f"  ! {exc}")
                except TimeoutError as exc:
                    self.write(f"  ! the bot did not answer: {exc}")
                break

    async def handle(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if not line:
            pass
        elif line.startswith("/"):
            await self.slash(line)
        elif word == "as" and rest:
            self.switch(rest.lower())
        elif word == "members":
            self.list_members()
        elif word == "press" and rest:
            await self.press(rest)
        elif word == "choose" and rest:
            await self.choose(rest)
        elif word == "say" and rest:
            await self.say(rest)
        elif word == "read" and rest:
            self.read(rest)
        elif word == "dms":
            self.dms()
        elif word == "file":
            self.file(rest)
        elif word == "events":
            self.events()
        elif word == "wait" and rest:
            await self.wait(rest)
        elif word == "help":
            self.write(HELP)
        else:
            raise PromptError(f"I don't know {line!r}; type help for what I understand")

    # ------------------------------------------------------------ members

    def switch(self, name: str) -> None:
        name = name.lstrip("@")
        if name not in self.community.members:
            raise PromptError(f"no member {name!r}; members: {', '.join(self.community.members)}")
        self.member = name
        zone = self.viewer().zone
        self.write(f"  You are now {describe(name)}; your Discord shows times in {zone}.")

    def list_members(self) -> None:
        for name in self.community.members:
            marker = "*" if name == self.member else " "
            self.write(f" {marker} {name}: {describe(name)}")

    def driver(self) -> MemberDriver:
        driver: MemberDriver = self.community.as_member(self.member)
        return driver

    def _me(self) -> Member:
        member: Member = self.community.members[self.member]
        return member

    # ------------------------------------------------------------ commands and answers

    async def slash(self, line: str) -> None:
        path, typed = split_command(line)
        path, typed, specs = self._canonical(path, typed)
        self._check_required(path, typed, specs)
        asked = [
            name
            for name, value in typed.items()
            if isinstance(value, Asked)
            and any((specs.get(name) or {}).get(key) for key in ("autocomplete", "choices"))
        ]
        options = {
            name: self._convert(specs.get(name), value)
            for name, value in typed.items()
            if name not in asked
        }
        for name in asked:
            picked = await self.pick(path, specs[name], typed[name].removesuffix("?"), options)
            if picked is None:
                return
            options[name] = picked
        await self.answer(await self.driver().slash(path, **options))

    def _canonical(
        self, path: str, typed: dict[str, str]
    ) -> tuple[str, dict[str, str], dict[str, dict[str, Any]]]:
        """The command path and option names as registered, from what the member typed: the
        English names, or the names their Discord language shows (``/tapahtuma luo``, from the
        commands' ``name_localizations``). Also the leaf's option specs, by registered name;
        an unknown path is passed on unchanged (the driver then says what exists)."""
        locale = self._me().locale

        def called(spec: dict[str, Any], word: str) -> bool:
            local = (spec.get("name_localizations") or {}).get(locale)
            return word in (spec["name"], local)

        words = path.split()
        guild_id = self.community.guild.id
        commands = [
            c.data | {"name": c.name}
            for c in self.community.sandbox.backend.commands.values()
            if c.guild_id in (None, guild_id) and c.data.get("type", 1) == 1
        ]
        node = next((c for c in commands if called(c, words[0])), None)
        if node is None:
            known = ", ".join(sorted(f"/{self._local(c)}" for c in commands))
            raise PromptError(f"there is no command /{words[0]}; the commands: {known}")
        names = [node["name"]]
        typed_names = [words[0]]
        specs: list[dict[str, Any]] = node.get("options") or []
        for word in words[1:]:
            sub = next((o for o in specs if o["type"] in (1, 2) and called(o, word)), None)
            if sub is None:
                known = ", ".join(self._local(o) for o in specs if o["type"] in (1, 2))
                here = "/" + " ".join(typed_names)
                raise PromptError(f"{here} has no {word!r}; it has: {known or 'no subcommands'}")
            names.append(sub["name"])
            typed_names.append(word)
            specs = sub.get("options") or []
        if any(o["type"] in (1, 2) for o in specs):
            known = ", ".join(self._local(o) for o in specs)
            raise PromptError(f"/{' '.join(typed_names)} needs one of: {known}")
        renamed = {}
        for name, value in typed.items():
            spec = next((o for o in specs if called(o, name)), None)
            renamed[spec["name"] if spec else name] = value
        return " ".join(names), renamed, {spec["name"]: spec for spec in specs}

    def _local(self, spec: dict[str, Any]) -> str:
        """A command's, option's or choice's name as the current member's Discord shows it."""
        local = (spec.get("name_localizations") or {}).get(self._me().locale)
        return str(local or spec["name"])

    def _check_required(
        self, path: str, typed: dict[str, str], specs: dict[str, dict[str, Any]]
    ) -> None:
        """Every required option missing, named at once (Discord's client asks for them all
        before it sends), in the names the member's Discord shows."""
        missing = [
            self._local(spec)
            for name, spec in specs.items()
            if spec.get("required") and name not in typed
        ]
        if missing:
            wanted = " ".join(f"{name}:…" for name in missing)
            raise PromptError(f"/{path} needs {wanted}, all on one line")

    async def pick(
        self, path: str, spec: dict[str, Any], typed: str, options: dict[str, Any]
    ) -> Any | None:
        """Autocomplete or a fixed list of choices, as Discord's client offers them while a
        member types: listed, and picked by number or by part of a name. A command typed
        instead drops the pick and runs (:class:`Retyped`)."""
        option = self._local(spec)
        if spec.get("choices"):
            choices = [
                {"name": self._local(c), "value": c["value"]}
                for c in spec["choices"]
                if typed.lower() in self._local(c).lower()
            ]
        else:
            choices = await self.driver().autocomplete(path, spec["name"], typed, **options)
        if not choices:
            self.write(f"  (no choices for {option}{f' matching {typed!r}' if typed else ''})")
            return None
        for number, choice in enumerate(choices, start=1):
            self.write(f"  {number}. {choice['name']}")
        while True:
            answer = await self.ask(f"  {option}: pick 1-{len(choices)} (Enter to cancel): ")
            if not answer:
                self.write("  (cancelled)")
                return None
            if answer.startswith("/") or answer.split()[0] in WORDS:
                self.write(f"  ({option} not picked)")
                raise Retyped(answer)
            found = [c for c in choices if answer.lower() in str(c["name"]).lower()]
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                found = [choices[int(answer) - 1]]
            if len(found) == 1:
                self.write(f"  {option}: {found[0]['name']}")
                return found[0]["value"]
            many = f"{len(found)} choices match {answer!r}: " if found else ""
            self.write(f"  ! {many}type a number from 1 to {len(choices)}, or part of a name")

    def _convert(self, spec: dict[str, Any] | None, text: str) -> Any:
        """Typed text as the option's value: numbers, yes/no, #channel, @role, @member, or a
        choice by its name; anything else stays text (the driver checks it)."""
        if spec is None:
            return text
        name, kind = spec["name"], spec["type"]
        value: Any = text
        try:
            if kind == 4:
                value = int(text.lstrip("#"))
            elif kind == 10:
                value = float(text)
        except ValueError:
            raise PromptError(f"{name} takes a number, not {text!r}") from None
        if kind == 5:
            if text.lower() not in TRUE_WORDS | FALSE_WORDS:
                raise PromptError(f"{name} takes true or false, not {text!r}")
            value = text.lower() in TRUE_WORDS
        elif kind in (6, 7, 8, 9):
            value = self.resolve(text, kind)
        local = self._me().locale
        for choice in spec.get("choices") or []:
            names = [choice["value"], choice["name"]]
            names.append((choice.get("name_localizations") or {}).get(local, choice["name"]))
            if text.lower() in (str(n).lower() for n in names):
                return choice["value"]
        if spec.get("choices"):
            known = ", ".join(self._local(c) for c in spec["choices"])
            option = self._local(spec)
            raise PromptError(f"{option} is one of: {known} (or type {option}:? to pick)")
        return value

    def resolve(self, text: str, kind: int) -> Any:
        """A member (6), channel (7), role (8) or either of member and role (9) by its name."""
        guild = self.community.guild
        name = text.lstrip("#@").lower()
        if kind == 7:
            found: Any = next((c for c in guild.channels.values() if c.name == name), None)
        else:
            found = None
            if kind in (8, 9):
                found = next((r for r in guild.roles.values() if r.name.lower() == name), None)
            if found is None and kind in (6, 9):
                found = next(
                    (m for m in guild.members.values() if m.user.name.lower() == name), None
                )
        if found is None:
            what = {6: "member", 7: "channel", 8: "role", 9: "member or role"}[kind]
            raise PromptError(f"no {what} called {text!r}")
        return found

    async def answer(self, result: InteractionResult) -> None:
        """Show the bot's answer to an interaction; a form is filled in field by field."""
        if result.failed:
            self.write(
                "  ! the bot did not answer in time: Discord shows “This interaction failed”"
            )
        elif result.modal is not None:
            await self.fill(result)
            return
        else:
            # A deferral shows "thinking" until filled; one filled already is the answer. A
            # deferred update of the pressed message (type 6) shows it unchanged until edited.
            if result.message is not None and result.message.flags & LOADING:
                await result.wait_edit()
            elif result.interaction.response_type == DEFERRED_UPDATE:
                with contextlib.suppress(TimeoutError):
                    await result.wait_edit(timeout=15)
            if result.message is not None:
                self.display(result.message)
            for followup in result.followups:
                if followup is not result.message:
                    self.display(followup)
        await self.news(skip=result.message)

    async def fill(self, result: InteractionResult) -> None:
        modal = result.modal
        assert modal is not None
        self.write(
            f"  The bot opens a form: “{modal['title']}”. Type each field (Enter to skip); "
            "a field of several lines takes a line after each |, and an empty line ends it."
        )
        answers: dict[str, Any] = {}
        for item in walk_components(modal.get("components", [])):
            if item.get("type") not in (4, *SELECT_TYPES):
                continue
            label = item.get("label") or item.get("placeholder") or item["custom_id"]
            required = item.get("required", True)
            filled = str(item.get("value") or "") if item["type"] == 4 else ""
            if item["type"] == 4 and item.get("style") == PARAGRAPH:
                value = await self.paragraph(label, required, filled)
            else:
                value = await self.field(label, required, filled)
            if value is None:
                self.write("  (the form was closed without sending)")
                return
            answers[item["custom_id"]] = value if item["type"] == 4 else value.split(",")
        await self.answer(await result.submit_modal(answers))

    async def field(self, label: str, required: bool, filled: str = "") -> str | None:
        """A one-line field (or a select's picks); the text the bot filled in shows in
        brackets and Enter keeps it, as in Discord's form; None at end of input."""
        shown = f" [{filled}]" if filled else ""
        while True:
            value = await self.ask(f"  {label}{optional_mark(label, required)}{shown}: ")
            if value == "" and filled:
                return filled
            if value is None or value or not required:
                return value
            self.write("  ! this field is required")

    async def paragraph(self, label: str, required: bool, filled: str = "") -> str | None:
        """A paragraph field, Discord's box of several lines (a poll's options, one per line):
        each line after a ``|``, until an empty line; an empty first line keeps the text the
        bot filled in (shown first); None at end of input."""
        how = "lines, then an empty one" + ("; an empty line alone keeps this" if filled else "")
        if optional_mark(label, required):
            how = f"optional; {how}"
        self.write(f"  {label} ({how}):")
        for kept in filled.splitlines():
            self.write(f"    {kept}")
        while True:
            lines: list[str] = []
            while line := await self.ask("  | "):
                lines.append(line)
            if line is None:
                return None
            if not lines and filled:
                return filled
            if lines or not required:
                return "\n".join(lines)
            self.write("  ! this field is required")

    # ------------------------------------------------------------ components

    def _visible(self, msg: Message) -> bool:
        if msg.deleted:
            return False
        if msg.ephemeral:
            return msg.ephemeral_to == self._me().user.id
        place = where_posted(self.community, msg)
        return not place.startswith("DM to ") or place == f"DM to {self._me().user.name}"

    def _with(
        self,
        label: str | None,
        kinds: set[int],
        channel: str | None,
        about: str | None = None,
    ) -> Message:
        """The newest message with such a component: among those shown, or in ``channel``, or
        (``about`` an event's title or number) the announcement of that event wherever it is."""

        def has(msg: Message) -> bool:
            return any(
                c.get("type") in kinds and (label is None or c.get("label") == label)
                for c in walk_components(msg.components)
            )

        if channel is not None:
            found = self.resolve(channel, 7)
            pool = self.community.sandbox.messages(found)
        elif about is not None:
            pool = [
                m
                for c in self.community.guild.channels.values()
                for m in self.community.sandbox.messages(c)
            ]
            pool.sort(key=lambda m: m.id)
        else:
            pool = self.shown
        if about is not None:
            pool = [m for m in pool if _announces(m, about)]
        what = f"a [{label}] button" if label else "a select"
        for msg in reversed(pool):
            if self._visible(msg) and has(msg):
                return msg
        where = f"#{channel.lstrip('#')}" if channel else "the messages shown to you"
        if about is not None:
            where = f"the announcement of {about!r}" + (f" in {where}" if channel else "")
        raise PromptError(f"nothing in {where} has {what}; try `read #events`")

    async def press(self, rest: str) -> None:
        found = PRESS.match(rest)
        if found is None:
            raise PromptError("press LABEL [in #channel] [on EVENT]; e.g. press Going on Kick-off")
        label = found["label"].strip().strip("\"'")
        about = found["about"].strip().strip("\"'") if found["about"] else None
        msg = self._with(label, {2}, found["channel"], about)
        await self.answer(await self.driver().click(msg, label))

    def file(self, name: str) -> None:
        """The text of a file the bot attached (an .ics calendar, a .csv list), as a member
        who opens it sees it; without a name, the files in the messages shown."""
        files = [(a, m) for m in reversed(self.shown) if self._visible(m) for a in m.attachments]
        if not name:
            if not files:
                self.write("  (no files in the messages shown to you)")
            for attachment, _msg in files:
                self.write(f"  📎 {attachment.filename} ({len(attachment.data)} bytes)")
            return
        chosen = next((a for a, _m in files if a.filename == name), None)
        if chosen is None:
            raise PromptError(f"no file {name!r} in the messages shown to you; type `file`")
        try:
            text = chosen.data.decode("utf-8")
        except UnicodeDecodeError:
            self.write(f"  ({name} is not text: {len(chosen.data)} bytes)")
            return
        lines = text.splitlines()
        for line in lines[:FILE_LINES]:
            self.write(f"  {line}")
        if len(lines) > FILE_LINES:
            self.write(f"  … ({len(lines) - FILE_LINES} more lines)")

    async def choose(self, rest: str) -> None:
        msg = self._with(None, set(SELECT_TYPES), None)
        menu = next(c for c in walk_components(msg.components) if c.get("type") in SELECT_TYPES)
        picked: list[Any] = [v.strip() for v in rest.split(",") if v.strip()]
        low, high = menu.get("min_values", 1), menu.get("max_values", 1)
        if not low <= len(picked) <= high:
            count = f"exactly {low}" if low == high else f"{low} to {high}"
            names = ", ".join(o["label"] for o in menu.get("options", []))
            listed = f" of: {names}" if names else ""
            raise PromptError(f"this menu takes {count}{listed}; separate them with commas")
        if menu["type"] != 3:  # user, role, mentionable or channel selects take objects
            kind = {5: 6, 6: 8, 7: 9, 8: 7}[menu["type"]]
            picked = [self.resolve(v, kind) for v in picked]
        await self.answer(await self.driver().select(msg, picked, custom_id=menu["custom_id"]))

    # ------------------------------------------------------------ looking around

    def place(self, name: str) -> Channel:
        """A channel or thread the member can see, by name (``#events``, a thread's whole
        name) or a thread by the number its name starts with (``#1``: support request 1's
        thread, named "1 · topic")."""
        wanted = name.lstrip("#").strip().lower()
        places = list(self.community.guild.channels.values())
        found = [c for c in places if c.name.lower() == wanted]
        if not found and wanted:
            found = [c for c in places if c.is_thread and c.name.lower().startswith(f"{wanted} ·")]
        if not found:
            raise PromptError(f"no channel or thread called #{wanted}")
        if not self.driver().can_see(found[0]):
            raise PromptError(f"you cannot see #{found[0].name}")
        return found[0]

    def read(self, channel: str) -> None:
        messages = self.community.sandbox.messages(self.place(channel))
        if not messages:
            self.write("  (no messages)")
        for msg in messages[-SHOWN_PER_READ:]:
            self.display(msg)

    async def say(self, rest: str) -> None:
        """Post a message as the member, as typing in Discord's message box does."""
        where, _, text = rest.partition(" ")
        if not where.startswith("#") or not text.strip():
            raise PromptError("say #channel TEXT, e.g. say #1 Thanks, that helps!")
        place = self.place(where)
        sent = self.driver().say(text.strip(), place)
        self.seen = max(self.seen, self.community.sandbox.backend.message_log.index(sent) + 1)
        self.write(f"  (posted in #{place.name} as {self._me().user.name})")
        await self.news()

    def dms(self) -> None:
        messages = self.community.sandbox.dms(self._me())
        if not messages:
            self.write("  (no direct messages)")
        for msg in messages[-SHOWN_PER_READ:]:
            self.display(msg)

    def events(self) -> None:
        listed = self.community.sandbox.scheduled_events(self.community.guild)
        if not listed:
            self.write("  (no scheduled events)")
        for event in listed:
            start = self.time(event.scheduled_start_time)
            end = event.scheduled_end_time
            until = f" – {self.time(end, 't')}" if end else ""
            status = EVENT_STATUS.get(event.status, str(event.status))
            self.write(f"  {event.name}: {start}{until}, {event.location or '—'} ({status})")

    async def wait(self, text: str) -> None:
        """Move the clock on; what falls due on the way runs at its own time."""
        await pass_time(self.community, self.clock, self.clock.now() + parse_duration(text))
        self.write(f"  The clock is now {self.time(self.clock.now())}.")
        await self.news()


async def run_prompt(
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    *,
    web_port: int | None = None,
    start: datetime | None = None,
) -> int:
    """Serve the prompt until ``quit`` or end of input; 0 either way. With ``web_port`` the
    bot's web server (``/healthz``, calendar feeds) listens on 127.0.0.1 at that port."""
    web = None
    if web_port is not None:
        base = f"http://127.0.0.1:{web_port}"
        web = {"enabled": True, "host": "127.0.0.1", "port": web_port, "public_base_url": base}
    held = HeldOutput()
    with contextlib.redirect_stderr(held):
        async with sandbox_community(start, web=web) as (community, clock):
            session = Session(community, clock, stdin or sys.stdin, stdout or sys.stdout, held)
            await session.run()
            session.show_held()
    for line in held.take():  # written while the sandbox shut down
        print(line, file=sys.stderr)
    return 0
