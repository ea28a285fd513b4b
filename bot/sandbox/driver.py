"""Acting as a guild member: slash commands, autocomplete, buttons, selects and modals.

The driver builds each interaction exactly as Discord's client and servers would (nested
subcommand options, values typed by the registered option, ``resolved`` users/members/channels/
roles/attachments, the member's locale and permissions) and waits, bounded, for the bot's answer.

What Discord's client would never let a member do - an unknown command or option, a missing
required option, a value outside the choices, a command in a channel the member cannot see, a
click on a disabled button - raises :class:`SandboxUsageError`: it is a bug in the test, not an
answer Discord would give.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from bot.sandbox import permissions as perm
from bot.sandbox.backend import Backend, UploadedFile
from bot.sandbox.limits import SELECT_TYPES, walk_components
from bot.sandbox.models import (
    DM,
    LOADING,
    TEXT,
    Attachment,
    Channel,
    Command,
    Guild,
    Interaction,
    Member,
    Message,
    Role,
    User,
)

RESPONSE_KINDS = {
    4: "message",
    5: "deferred",
    6: "update",
    7: "update",
    8: "autocomplete",
    9: "modal",
}


class SandboxUsageError(AssertionError):
    """The test asked for something a Discord client cannot do (a test bug)."""


class InteractionResult:
    """What the member saw after an interaction: the bot's answer, or the failure."""

    def __init__(self, backend: Backend, interaction: Interaction, driver: MemberDriver) -> None:
        self._backend = backend
        self.interaction = interaction
        self._driver = driver
        self._followups_seen = 0
        self._edits_seen = self.message.edits if self.message else 0

    @property
    def kind(self) -> str:
        """message, deferred, update, modal, autocomplete, or failed."""
        if self.interaction.failed:
            return "failed"
        return RESPONSE_KINDS.get(self.interaction.response_type or 0, "pending")

    @property
    def failed(self) -> bool:
        """The bot did not answer in time: the member sees "This interaction failed"."""
        return self.interaction.failed

    @property
    def message(self) -> Message | None:
        """The response message (live: follows edits of @original); for updates, the message."""
        return self.interaction.response_message

    @property
    def content(self) -> str:
        """The response message's text, '' when there is none."""
        return self.message.content if self.message else ""

    @property
    def ephemeral(self) -> bool:
        """Only this member sees the response."""
        return bool(self.message and self.message.ephemeral)

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (custom_id, title, components)."""
        return self.interaction.modal

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices offered."""
        return list(self.interaction.choices or [])

    @property
    def followups(self) -> list[Message]:
        """Follow-up messages (the first after a deferral fills the loading message)."""
        return list(self.interaction.followups)

    async def wait_followup(self, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """The next follow-up not yet returned by this method."""
        index = self._followups_seen

        def next_one() -> Message | None:
            followups = self.interaction.followups
            return followups[index] if len(followups) > index else None

        msg = await self._backend.wait_for(next_one, timeout, "a follow-up message")
        self._followups_seen = index + 1
        return msg

    async def wait_edit(self, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """The response message after its next edit (a deferral being filled counts)."""
        seen = self._edits_seen

        def edited() -> Message | None:
            msg = self.message
            return msg if msg is not None and msg.edits > seen and not msg.flags & LOADING else None

        msg = await self._backend.wait_for(edited, timeout, "an edit of the response")
        self._edits_seen = msg.edits
        return msg

    async def submit_modal(self, fields: dict[str, Any]) -> InteractionResult:
        """Shortcut for ``driver.submit_modal(this_result, fields)``."""
        return await self._driver.submit_modal(self, fields)

    def __repr__(self) -> str:
        return f"<InteractionResult kind={self.kind} content={self.content[:40]!r}>"


def _user_of(value: Member | User) -> User:
    return value.user if isinstance(value, Member) else value


class MemberDriver:
    """One member's hands on the keyboard: everything a member can do to the bot."""

    def __init__(self, backend: Backend, member: Member) -> None:
        self._backend = backend
        self.member = member

    @property
    def guild(self) -> Guild:
        """The member's guild."""
        return self._backend.guilds[self.member.guild_id]

    @property
    def user(self) -> User:
        """The member's account."""
        return self.member.user

    def _timeout(self) -> float:
        return self._backend.interaction_deadline + 2.0

    async def _await(self, interaction: Interaction) -> InteractionResult:
        def settled() -> bool:
            return interaction.answered or interaction.failed

        await self._backend.wait_for(settled, self._timeout(), "the bot's answer")
        return InteractionResult(self._backend, interaction, self)

    def _channel(self, channel: Channel | None) -> Channel:
        guild = self.guild
        if channel is None:
            channel = next((c for c in guild.channels.values() if c.type == TEXT), None)
            if channel is None:
                raise SandboxUsageError(f"guild {guild.name} has no text channel")
        if channel.guild_id != guild.id:
            raise SandboxUsageError(f"#{channel.name} is not in {guild.name}")
        if not self._backend.visible(guild, self.user.id, channel):
            raise SandboxUsageError(f"{self.user.name} cannot see #{channel.name}")
        return channel

    def _perms(self, channel: Channel) -> int:
        return perm.channel_permissions(self.guild, self.user.id, channel)

    def read(self, channel: Channel) -> list[Message]:
        """The channel's messages as this member sees them, oldest first; a channel the member
        cannot see (overwrites) is a test bug, like clicking something not on screen."""
        where = self._channel(channel)
        if not self._perms(where) & perm.READ_MESSAGE_HISTORY:
            raise SandboxUsageError(f"{self.user.name} cannot read the history of #{where.name}")
        return [
            m
            for m in self._backend.message_log
            if m.channel_id == where.id and not m.deleted and not m.ephemeral
        ]

    def say(
        self,
        content: str,
        channel: Channel | None = None,
        *,
        files: Sequence[tuple[str, bytes]] = (),
    ) -> Message:
        """Post a message, with ``files`` as (filename, bytes) attachments; in a thread, the
        member joins it as Discord does. Without the message content intent the bot gets it
        blank."""
        where = self._channel(channel)
        needed = perm.SEND_MESSAGES_IN_THREADS if where.is_thread else perm.SEND_MESSAGES
        if files:
            needed |= perm.ATTACH_FILES
        if self._perms(where) & needed != needed:
            raise SandboxUsageError(f"{self.user.name} cannot post that in #{where.name}")
        uploads = [UploadedFile(i, name, bytes(data), None) for i, (name, data) in enumerate(files)]
        backend = self._backend
        msg = backend.new_message(where, self.user, {"content": content}, uploads)
        if where.is_thread:
            backend.join_thread(where, self.user.id)
        return backend.store_message(msg)

    def can_see(self, channel: Channel) -> bool:
        """Whether Discord shows this member the channel or thread at all."""
        return self._backend.visible(self.guild, self.user.id, channel)

    # ------------------------------------------------------------------ commands

    def _command(self, name: str, channel: Channel) -> Command:
        candidates = [
            c
            for c in self._backend.commands.values()
            if c.name == name and c.data.get("type", 1) == 1 and c.guild_id in (None, self.guild.id)
        ]
        if not candidates:
            known = sorted({c.name for c in self._backend.commands.values()})
            raise SandboxUsageError(f"no synced command /{name} (synced: {known})")
        command = min(candidates, key=lambda c: c.guild_id is None)
        contexts = command.data.get("contexts")
        if contexts is not None and 0 not in contexts:
            raise SandboxUsageError(f"/{name} is not available in guilds")
        required = command.data.get("default_member_permissions")
        have = self._perms(channel)
        if not have & perm.USE_APPLICATION_COMMANDS:
            raise SandboxUsageError(f"{self.user.name} may not use commands in #{channel.name}")
        if required is not None and int(required) & have != int(required):
            raise SandboxUsageError(f"/{name} is hidden from {self.user.name} (permissions)")
        return command

    def _resolve(
        self, path: str, channel: Channel
    ) -> tuple[Command, list[str], list[dict[str, Any]]]:
        """The command, the subcommand names below it, and the leaf's option specs."""
        words = path.strip().lstrip("/").split()
        if not words:
            raise SandboxUsageError("empty command")
        command = self._command(words[0], channel)
        specs: list[dict[str, Any]] = command.data.get("options") or []
        subpath: list[str] = []
        for word in words[1:]:
            sub = next((o for o in specs if o["name"] == word and o["type"] in (1, 2)), None)
            if sub is None:
                raise SandboxUsageError(f"/{' '.join(words[: len(subpath) + 1])} has no {word!r}")
            subpath.append(word)
            specs = sub.get("options") or []
        if any(o["type"] in (1, 2) for o in specs):
            names = [o["name"] for o in specs]
            raise SandboxUsageError(f"/{path} needs a subcommand, one of {names}")
        return command, subpath, specs

    def _coerce(
        self,
        spec: dict[str, Any],
        value: Any,
        channel: Channel,
        resolved: dict[str, dict[str, Any]],
    ) -> Any:
        """A Python value as the option's wire value; referenced objects go into resolved."""
        name, kind = spec["name"], spec["type"]

        def fail(why: str) -> SandboxUsageError:
            return SandboxUsageError(f"option {name!r}: {why} (got {value!r})")

        if kind == 3:
            if not isinstance(value, str):
                raise fail("expects a string")
            if not spec.get("min_length", 0) <= len(value) <= spec.get("max_length", 6000):
                raise fail("length outside min_length/max_length")
        elif kind in (4, 10):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise fail("expects a number")
            if kind == 4 and not float(value).is_integer():
                raise fail("expects an integer")
            value = int(value) if kind == 4 else float(value)
            low, high = spec.get("min_value"), spec.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                raise fail("outside min_value/max_value")
        elif kind == 5:
            if not isinstance(value, bool):
                raise fail("expects a bool")
        elif kind in (6, 9) and isinstance(value, Member | User):
            user = _user_of(value)
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            member = self.guild.members.get(user.id)
            if member is not None:
                data = {k: v for k, v in member.payload().items() if k != "user"}
                data["permissions"] = str(perm.channel_permissions(self.guild, user.id, channel))
                resolved.setdefault("members", {})[str(user.id)] = data
            value = str(user.id)
        elif kind in (8, 9) and isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            value = str(value.id)
        elif kind == 7 and isinstance(value, Channel):
            allowed = spec.get("channel_types")
            if allowed and value.type not in allowed:
                raise fail(f"channel type must be one of {allowed}")
            data = value.payload() | {
                "permissions": str(perm.channel_permissions(self.guild, self.user.id, value))
            }
            resolved.setdefault("channels", {})[str(value.id)] = data
            value = str(value.id)
        elif kind == 11 and isinstance(value, tuple) and len(value) == 2:
            filename, content = value
            backend = self._backend
            att_id = backend.ids.next()
            attachment = Attachment(
                att_id,
                filename,
                bytes(content),
                f"{backend.origin}/attachments/{channel.id}/{att_id}/{filename}",
            )
            backend.attachments[att_id] = attachment
            resolved.setdefault("attachments", {})[str(att_id)] = attachment.payload()
            value = str(att_id)
        else:
            raise fail(f"cannot be given for option type {kind}")
        choices = spec.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise fail(f"must be one of {[c['value'] for c in choices]}")
        return value

    def _command_data(
        self,
        path: str,
        channel: Channel,
        options: dict[str, Any],
        *,
        focused: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        command, subpath, specs = self._resolve(path, channel)
        by_name = {s["name"]: s for s in specs}
        unknown = set(options) - set(by_name)
        if focused is not None:
            unknown.discard(focused[0])
            if focused[0] not in by_name or not by_name[focused[0]].get("autocomplete"):
                raise SandboxUsageError(f"option {focused[0]!r} of /{path} has no autocomplete")
        if unknown:
            raise SandboxUsageError(
                f"/{path} has no option(s) {sorted(unknown)}; has {list(by_name)}"
            )
        resolved: dict[str, dict[str, Any]] = {}
        leaf: list[dict[str, Any]] = []
        for spec in specs:
            name = spec["name"]
            if focused is not None and name == focused[0]:
                leaf.append(
                    {"name": name, "type": spec["type"], "value": focused[1], "focused": True}
                )
            elif name in options:
                value = self._coerce(spec, options[name], channel, resolved)
                leaf.append({"name": name, "type": spec["type"], "value": value})
            elif spec.get("required") and focused is None:
                raise SandboxUsageError(f"/{path} needs option {name!r}")
        nested = leaf
        node_specs: list[dict[str, Any]] = command.data.get("options") or []
        chain = []
        for word in subpath:
            sub = next(o for o in node_specs if o["name"] == word)
            chain.append(sub)
            node_specs = sub.get("options") or []
        for sub in reversed(chain):
            nested = [{"name": sub["name"], "type": sub["type"], "options": nested}]
        data: dict[str, Any] = {
            "id": str(command.id),
            "name": command.name,
            "type": 1,
            "options": nested,
        }
        if command.guild_id is not None:
            data["guild_id"] = str(command.guild_id)
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self, command: str, *, in_channel: Channel | None = None, **options: Any
    ) -> InteractionResult:
        """Use ``/command [group] [sub]`` in ``in_channel`` (default: the guild's first text
        channel) with options, which may include one named ``channel``; waits for the answer."""
        where = self._channel(in_channel)
        data = self._command_data(command, where, options)
        interaction = self._backend.start_interaction(2, self.guild, where, self.user, data)
        return await self._await(interaction)

    async def autocomplete(
        self,
        command: str,
        option: str,
        typed: str,
        *,
        in_channel: Channel | None = None,
        **options: Any,
    ) -> list[dict[str, Any]]:
        """Type ``typed`` into an autocomplete option; returns the choices the bot offers."""
        where = self._channel(in_channel)
        data = self._command_data(command, where, options, focused=(option, typed))
        interaction = self._backend.start_interaction(4, self.guild, where, self.user, data)
        result = await self._await(interaction)
        if result.failed:
            raise AssertionError(f"autocomplete for /{command} {option} was not answered in time")
        return result.choices

    # ------------------------------------------------------------------ components

    def _message_channel(self, message: Message) -> Channel:
        if message.deleted:
            raise SandboxUsageError("the message was deleted")
        if message.ephemeral and message.ephemeral_to != self.user.id:
            raise SandboxUsageError(f"{self.user.name} cannot see someone else's ephemeral message")
        channel = self._backend.channel(message.channel_id)
        if channel.type == DM:
            if channel.recipient_id != self.user.id:
                raise SandboxUsageError(f"{self.user.name} cannot see someone else's DMs")
            return channel
        return self._channel(channel)

    def _guild_of(self, channel: Channel) -> Guild | None:
        """None for a DM with the bot: interactions there carry no guild."""
        return None if channel.type == DM else self.guild

    def _component(
        self, message: Message, kinds: Iterable[int], label: str | None, custom_id: str | None
    ) -> dict[str, Any]:
        kinds = set(kinds)
        found = [
            c
            for c in walk_components(message.components)
            if c.get("type") in kinds
            and (custom_id is None or c.get("custom_id") == custom_id)
            and (label is None or c.get("label") == label)
        ]
        if len(found) != 1:
            what = f"label={label!r} custom_id={custom_id!r}"
            raise SandboxUsageError(f"{len(found)} components match {what} on message {message.id}")
        component = found[0]
        if component.get("disabled"):
            raise SandboxUsageError(f"component {what_of(component)} is disabled")
        return component

    async def _component_interaction(
        self, message: Message, data: dict[str, Any]
    ) -> InteractionResult:
        channel = self._message_channel(message)
        interaction = self._backend.start_interaction(
            3, self._guild_of(channel), channel, self.user, data, message=message
        )
        return await self._await(interaction)

    async def click(
        self, message: Message, label: str | None = None, *, custom_id: str | None = None
    ) -> InteractionResult:
        """Press a button, found by its label or custom_id."""
        button = self._component(message, {2}, label, custom_id)
        if button.get("style") == 5:
            raise SandboxUsageError("link buttons open a URL; the bot gets no interaction")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._component_interaction(message, data)

    async def select(
        self,
        message: Message,
        values: Sequence[Any],
        *,
        custom_id: str | None = None,
    ) -> InteractionResult:
        """Pick ``values`` in a select: options by label or value, or users, roles, channels."""
        menu = self._component(message, SELECT_TYPES, None, custom_id)
        low, high = menu.get("min_values", 1), menu.get("max_values", 1)
        if not low <= len(values) <= high:
            raise SandboxUsageError(f"select {menu['custom_id']!r} takes {low}..{high} values")
        data: dict[str, Any] = {"custom_id": menu["custom_id"], "component_type": menu["type"]}
        if menu["type"] == 3:
            picked = []
            for value in values:
                option = next(
                    (o for o in menu.get("options", []) if value in (o["value"], o["label"])), None
                )
                if option is None:
                    raise SandboxUsageError(f"select {menu['custom_id']!r} has no option {value!r}")
                picked.append(option["value"])
            data["values"] = picked
        else:
            channel = self._backend.channel(message.channel_id)
            resolved: dict[str, dict[str, Any]] = {}
            spec_type = {5: 6, 6: 8, 7: 9, 8: 7}[menu["type"]]
            spec = {"name": menu["custom_id"], "type": spec_type}
            data["values"] = [self._coerce(spec, v, channel, resolved) for v in values]
            data["resolved"] = resolved
        return await self._component_interaction(message, data)

    async def vote_poll(self, message: Message, answers: Sequence[str]) -> None:
        """Vote on a message's native poll by answer text, as the Discord client does (this
        replaces the member's earlier votes); waits until the bot has the events."""
        self._message_channel(message)
        poll = message.poll
        if poll is None:
            raise SandboxUsageError(f"message {message.id} has no poll")
        ids = []
        for answer in answers:
            if answer not in poll.answers:
                raise SandboxUsageError(f"the poll has no answer {answer!r}")
            ids.append(poll.answers.index(answer) + 1)
        self._backend.vote_poll(self.user, message, ids)
        await self._backend.wait_for(lambda: True, self._timeout(), "poll vote delivered")

    # ------------------------------------------------------------------ modals

    async def submit_modal(
        self, result: InteractionResult, fields: dict[str, Any]
    ) -> InteractionResult:
        """Fill a modal the bot opened (fields by label or custom_id) and submit it."""
        modal = result.modal
        if modal is None:
            raise SandboxUsageError(f"the bot answered with {result.kind}, not a modal")
        source = result.interaction
        remaining = dict(fields)
        submitted: list[dict[str, Any]] = []
        for top in modal.get("components", []):
            if top.get("type") == 1:
                inputs = [(c, c.get("label")) for c in top.get("components", [])]
            elif top.get("type") == 18:
                inputs = [(top["component"], top.get("label"))]
            else:
                continue
            answers = [self._modal_answer(item, label, remaining) for item, label in inputs]
            if top.get("type") == 1:
                submitted.append({"type": 1, "components": answers})
            else:
                submitted.append({"type": 18, "component": answers[0]})
        if remaining:
            raise SandboxUsageError(
                f"modal {modal.get('title')!r} has no field(s) {list(remaining)}"
            )
        data = {"custom_id": modal["custom_id"], "components": submitted}
        filled = source.modal_shown + self._backend.form_time - asyncio.get_running_loop().time()
        if filled > 0:
            await asyncio.sleep(filled)
        channel = self._backend.channel(source.channel_id)
        interaction = self._backend.start_interaction(
            5, self._guild_of(channel), channel, self.user, data, message=source.message
        )
        return await self._await(interaction)

    def _modal_answer(
        self, item: dict[str, Any], label: str | None, remaining: dict[str, Any]
    ) -> dict[str, Any]:
        custom_id = item.get("custom_id")
        key = next((k for k in (label, custom_id) if k is not None and k in remaining), None)
        if key is not None:
            value = remaining.pop(key)
        else:  # a field left alone submits what the bot pre-filled, as in Discord's client
            value = item.get("value") if item.get("type") == 4 else None
        if item.get("type") == 4:
            text = "" if value is None else str(value)
            if item.get("required", True) and not text:
                raise SandboxUsageError(f"modal field {label or custom_id!r} is required")
            if text and not item.get("min_length", 0) <= len(text) <= item.get("max_length", 4000):
                raise SandboxUsageError(f"modal field {label or custom_id!r}: length out of range")
            return {"type": 4, "custom_id": custom_id, "value": text}
        picked = list(value or [])
        options = {o["label"]: o["value"] for o in item.get("options", [])}
        values = [options.get(v, v) for v in picked]
        return {"type": item.get("type"), "custom_id": custom_id, "values": values}


def what_of(component: dict[str, Any]) -> str:
    """A component as a test author would name it."""
    return repr(component.get("label") or component.get("custom_id"))
