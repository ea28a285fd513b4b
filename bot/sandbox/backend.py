"""The rules of the sandbox's Discord: every state change, its checks and its gateway event.

REST handlers, the setup API and the member driver all change state through :class:`Backend`, so
permission checks, limits and the gateway event Discord would send happen in exactly one place.
Every change calls :meth:`Backend.emit`, which hands the event to the gateway and wakes waiters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.clock import Clock
from bot.sandbox import errors, limits
from bot.sandbox import permissions as perm
from bot.sandbox.models import (
    CATEGORY,
    DM,
    EPHEMERAL,
    GUILD_CHANNEL_TYPES,
    LOADING,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    REPLY,
    TEXT,
    THREAD_TYPES,
    VOICE,
    Attachment,
    Channel,
    Command,
    Guild,
    Interaction,
    Member,
    Message,
    NativePoll,
    Overwrite,
    Role,
    ScheduledEvent,
    Snowflakes,
    User,
)
from bot.sandbox.nonces import NonceLedger, check_nonce

T = TypeVar("T")

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
FOLLOWUP_WINDOW = 15 * 60.0
SETTLE_TURNS = 20


@dataclass(frozen=True)
class SeenRequest:
    """One REST request the bot made."""

    method: str
    path: str  # under /api/v10: "/channels/12/messages"
    route: str | None  # the pattern a fault is armed for, "POST /channels/*/messages"


@dataclass
class UploadedFile:
    """A ``files[n]`` part of a multipart request."""

    index: int
    filename: str
    data: bytes
    content_type: str | None


class Changes:
    """Wakes coroutines waiting for a condition on the sandbox's state; no polling."""

    def __init__(self) -> None:
        self._waiters: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._check_scheduled = False

    def notify(self) -> None:
        """Called after each state change: re-check the waiters once this loop turn ends, so a
        burst of changes (a thousand clicks answered at once) costs one pass, not one each."""
        if not self._check_scheduled and self._waiters:
            self._check_scheduled = True
            asyncio.get_running_loop().call_soon(self._check)

    def _check(self) -> None:
        """Re-check every waiter's predicate."""
        self._check_scheduled = False
        for predicate, future in list(self._waiters):
            if future.done():
                continue
            try:
                value = predicate()
            except Exception as exc:  # a broken predicate belongs to its waiter
                future.set_exception(exc)
                continue
            if value:
                future.set_result(value)

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        limit: float,
        what: str,
        *,
        recheck: float | None = None,
    ) -> T:
        """Return the predicate's first truthy value, or raise TimeoutError naming ``what``.

        ``recheck`` also re-evaluates every so many seconds, for predicates over state the
        sandbox cannot see change (the bot's own memory or database).
        """
        value = predicate()
        if value:
            return value
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(limit):
                while True:
                    done, _ = await asyncio.wait({future}, timeout=recheck)
                    if done:
                        return future.result()
                    value = predicate()
                    if value:
                        return value
        except TimeoutError:
            raise TimeoutError(
                f"sandbox: timed out after {limit:.1f} s waiting for {what}"
            ) from None
        finally:
            self._waiters.remove(entry)


class Backend:
    """All guilds, channels, members, messages and interactions, and the rules that change them."""

    def __init__(self, *, clock: Clock, token: str, interaction_deadline: float) -> None:
        self.ids = Snowflakes()
        self.clock = clock
        self.token = token
        self.interaction_deadline = interaction_deadline
        self.application_id = self.ids.next()
        self.bot_user = User(self.application_id, "s3cop", bot=True)
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.message_log: list[Message] = []
        self.attachments: dict[int, Attachment] = {}
        self.commands: dict[int, Command] = {}
        self.interactions: dict[int, Interaction] = {}
        self.failed_interactions: list[Interaction] = []
        self.changes = Changes()
        self.origin = "http://127.0.0.1"
        self.dispatch: Callable[[str, dict[str, Any]], None] = lambda event, data: None
        self._timers: set[asyncio.TimerHandle] = set()
        self._open_polls: set[int] = set()  # messages whose native poll has not ended yet
        # Seconds of Discord time that passed without the loop's clock moving: waits a test
        # skipped (bot/sandbox/retrywait.py). Interaction deadlines count them.
        self.skipped = 0.0
        self._deadlines: dict[int, asyncio.TimerHandle] = {}
        self.in_flight = 0
        # Seconds a member spends filling a form before submitting it. In-process the settle
        # turns of wait_for let the bot read the modal's answer first; a bot in another process
        # reads it on its own time, and discord.py listens for the form only after reading it:
        # a submit in the very millisecond the form opened, which no member manages, would be
        # discarded (bot/local_process.py sets this).
        self.form_time = 0.0
        # Every REST request the bot made, in order: what it wrote to Discord, counted, and the
        # routes a fault suite injects into, one at a time.
        self.requests: list[SeenRequest] = []
        # The message content intent as the bot's last IDENTIFY asked for it: REST reads of
        # messages follow it like gateway events do.
        self.content_intent = False
        self.nonces = NonceLedger()

    # ------------------------------------------------------------------ plumbing

    def emit(self, event: str | None, data: dict[str, Any] | None = None) -> None:
        """Send the gateway event Discord would send (if any) and wake waiters."""
        if event is not None and data is not None:
            self.dispatch(event, data)
        self.changes.notify()

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        limit: float,
        what: str,
        *,
        recheck: float | None = None,
    ) -> T:
        """Wait for a condition, then until the bot has every REST answer sent so far.

        The bot acts on an answer only after reading it (discord.py stores a view or modal after
        the callback returns), so a member's next move waits for answers in flight to be written
        and gives the loop a few turns to let the client read them: no wall-clock sleeps.
        """
        value = await self.changes.wait_for(predicate, limit, what, recheck=recheck)
        await self.changes.wait_for(lambda: self.in_flight == 0, limit, "REST answers in flight")
        for _ in range(SETTLE_TURNS):
            await asyncio.sleep(0)
        return value

    def now(self) -> datetime:
        """The sandbox's clock (the bot's clock in tests that move time)."""
        return self.clock.now()

    def close(self) -> None:
        """Cancel pending interaction deadlines."""
        for timer in [*self._timers, *self._deadlines.values()]:
            timer.cancel()
        self._timers.clear()
        self._deadlines.clear()

    def guild(self, guild_id: int) -> Guild:
        """The guild, or 404 10004 (also when the bot is not in it)."""
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise errors.UnknownGuild
        return guild

    def channel(self, channel_id: int) -> Channel:
        """The channel, or 404 10003."""
        channel = self.channels.get(channel_id)
        if channel is None:
            raise errors.UnknownChannel
        return channel

    def role(self, guild: Guild, role_id: int) -> Role:
        """The role, or 404 10011."""
        role = guild.roles.get(role_id)
        if role is None:
            raise errors.UnknownRole
        return role

    def member(self, guild: Guild, user_id: int) -> Member:
        """The member, or 404 10007."""
        member = guild.members.get(user_id)
        if member is None:
            raise errors.UnknownMember
        return member

    def message(self, channel: Channel, message_id: int) -> Message:
        """A message of the channel, or 404 10008."""
        msg = self.messages.get(message_id)
        if msg is None or msg.deleted or msg.channel_id != channel.id:
            raise errors.UnknownMessage
        return msg

    def bot_perms(self, guild: Guild, channel: Channel | None = None) -> int:
        """The bot's permissions in the guild, or in a channel after overwrites."""
        if channel is None:
            return perm.base_permissions(guild, self.bot_user.id)
        return perm.channel_permissions(guild, self.bot_user.id, channel)

    def require(self, guild: Guild, needed: int, channel: Channel | None = None) -> None:
        """403 50001 when the bot cannot see the channel, 50013 when a permission is missing."""
        have = self.bot_perms(guild, channel)
        if channel is not None and not have & perm.VIEW_CHANNEL:
            raise errors.MissingAccess
        if have & needed != needed:
            raise errors.MissingPermissions

    def require_above(self, guild: Guild, role: Role) -> None:
        """Discord's role hierarchy: the bot only manages roles below its highest role."""
        if self.bot_perms(guild) & perm.ADMINISTRATOR:
            return
        if role.position >= guild.role_position(self.bot_user.id):
            raise errors.MissingPermissions

    def require_grantable(self, guild: Guild, bits: int) -> None:
        """A bot cannot grant (or deny in overwrites) permissions it does not have itself."""
        have = self.bot_perms(guild)
        if not have & perm.ADMINISTRATOR and bits & ~have:
            raise errors.MissingPermissions

    def member_payload(self, guild_id: int | None, user_id: int) -> Member | None:
        """The member behind a message author, for the ``member`` field of guild messages."""
        guild = self.guilds.get(guild_id or 0)
        return guild.members.get(user_id) if guild else None

    def message_payload(self, msg: Message) -> dict[str, Any]:
        """A message as Discord serialises it, with the author's member data in guilds, and its
        native poll's counts as of now (closed once the sandbox's clock passes the expiry)."""
        data = msg.payload(self.member_payload(msg.guild_id, msg.author.id))
        if msg.poll is not None:
            data["poll"] = msg.poll.payload(self.now())
        if msg.type == REPLY and msg.reference is not None:
            # The message it answers, or null once that is deleted.
            answered = self.messages.get(int(msg.reference["message_id"]))
            data["referenced_message"] = (
                None if answered is None or answered.deleted else answered.payload()
            )
        return data

    def as_bot_reads(self, data: dict[str, Any], *, content_intent: bool) -> dict[str, Any]:
        """A message payload as the bot may read it, by gateway or REST: without the message
        content intent, members' guild messages come blank (content, embeds, attachments,
        components) unless they mention the bot."""
        bot_id = str(self.bot_user.id)
        if (
            content_intent
            or "guild_id" not in data
            or data["author"]["id"] == bot_id
            or any(u["id"] == bot_id for u in data.get("mentions", []))
        ):
            return data
        return data | {"content": "", "embeds": [], "attachments": [], "components": []}

    # ------------------------------------------------------------------ setup

    def add_guild(self, name: str, *, locale: str, bot_permissions: int) -> Guild:
        """A guild with @everyone, the bot's role and member, and a #general text channel."""
        owner = self.add_user(f"{name} owner")
        guild = Guild(self.ids.next(), name, owner.id, locale=locale)
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", perm.EVERYONE_DEFAULT, 0)
        bot_role = Role(self.ids.next(), guild.id, self.bot_user.name, bot_permissions, 1)
        bot_role.managed = True
        bot_role.bot_id = self.bot_user.id
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot_user.id] = Member(
            self.bot_user, guild.id, [bot_role.id], joined_at=self.now()
        )
        self.guilds[guild.id] = guild
        general = Channel(self.ids.next(), TEXT, "general", guild.id, created_at=self.now())
        guild.channels[general.id] = general
        self.channels[general.id] = general
        self.emit("GUILD_CREATE", guild.payload(self.users))
        return guild

    def add_user(self, name: str, *, dms_open: bool = True) -> User:
        """A Discord account that may join guilds."""
        user = User(self.ids.next(), name, dms_open=dms_open)
        self.users[user.id] = user
        return user

    def add_member(self, guild: Guild, user: User, *, roles: Iterable[Role], locale: str) -> Member:
        """Put a user into a guild (GUILD_MEMBER_ADD)."""
        member = Member(user, guild.id, [r.id for r in roles], locale=locale, joined_at=self.now())
        guild.members[user.id] = member
        self.emit("GUILD_MEMBER_ADD", member.payload() | {"guild_id": str(guild.id)})
        return member

    def remove_member(self, guild: Guild, user_id: int) -> None:
        """A member leaves (or is kicked): gone with their roles (GUILD_MEMBER_REMOVE)."""
        member = self.member(guild, user_id)
        del guild.members[user_id]
        self.emit("GUILD_MEMBER_REMOVE", {"guild_id": str(guild.id), "user": member.user.payload()})

    def bot_role(self, guild: Guild) -> Role:
        """The bot's managed role, whose permissions tests may change."""
        return next(r for r in guild.roles.values() if r.managed)

    # ------------------------------------------------------------------ roles

    def _insert_role(self, guild: Guild, role: Role) -> None:
        for other in guild.roles.values():
            if other.id != guild.id and other.position >= role.position:
                other.position += 1
                self.emit("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": other.payload()})
        guild.roles[role.id] = role
        self.emit("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()})

    def new_role(self, guild: Guild, name: str, permissions: int, **fields: Any) -> Role:
        """A role just above @everyone, like Discord places new roles."""
        role = Role(self.ids.next(), guild.id, name, permissions, 1, **fields)
        self._insert_role(guild, role)
        return role

    def create_role(self, guild_id: int, payload: dict[str, Any]) -> Role:
        """POST /guilds/{gid}/roles."""
        guild = self.guild(guild_id)
        self.require(guild, perm.MANAGE_ROLES)
        limits.check_role(payload)
        limits.check_room_for_role(guild)
        permissions = int(payload.get("permissions") or 0)
        self.require_grantable(guild, permissions)
        colors = payload.get("colors") or {}
        return self.new_role(
            guild,
            payload.get("name") or "new role",
            permissions,
            color=int(colors.get("primary_color") or payload.get("color") or 0),
            hoist=bool(payload.get("hoist")),
            mentionable=bool(payload.get("mentionable")),
        )

    def edit_role(self, guild_id: int, role_id: int, payload: dict[str, Any]) -> Role:
        """PATCH /guilds/{gid}/roles/{rid}."""
        guild = self.guild(guild_id)
        role = self.role(guild, role_id)
        self.require(guild, perm.MANAGE_ROLES)
        self.require_above(guild, role)
        limits.check_role(payload)
        if "permissions" in payload:
            role.permissions = int(payload["permissions"] or 0)
            self.require_grantable(guild, role.permissions)
        if payload.get("name") is not None:
            role.name = payload["name"]
        colors = payload.get("colors") or {}
        if colors.get("primary_color") is not None or payload.get("color") is not None:
            role.color = int(colors.get("primary_color") or payload.get("color") or 0)
        for key in ("hoist", "mentionable"):
            if key in payload:
                setattr(role, key, bool(payload[key]))
        self.emit("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.payload()})
        return role

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        """Setup: change a role's permissions without checks (GUILD_ROLE_UPDATE)."""
        role.permissions = permissions
        self.emit("GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role.payload()})

    def move_roles(
        self, guild_id: int, items: list[dict[str, Any]], *, checked: bool = True
    ) -> list[Role]:
        """PATCH /guilds/{gid}/roles: new positions. Only roles below the bot's highest role
        move, and only to places below it; positions stay 1..n above @everyone. ``checked``
        False is an admin dragging roles by hand."""
        guild = self.guild(guild_id)
        if checked:
            self.require(guild, perm.MANAGE_ROLES)
        top = guild.role_position(self.bot_user.id)
        admin = not checked or bool(self.bot_perms(guild) & perm.ADMINISTRATOR)
        wanted: dict[int, int] = {}
        for item in items:
            role = self.role(guild, int(item["id"]))
            position = int(item["position"])
            if role.id == guild.id or position == role.position:
                continue
            if checked:
                self.require_above(guild, role)
            if not admin and position >= top:
                raise errors.MissingPermissions
            wanted[role.id] = position
        before = {r.id: r.position for r in guild.roles.values()}
        ordered = sorted(
            (r for r in guild.roles.values() if r.id != guild.id),
            key=lambda r: (wanted.get(r.id, r.position), r.id not in wanted),
        )
        for position, role in enumerate(ordered, start=1):
            role.position = position
        for role in ordered:
            if role.position != before[role.id]:
                self.emit("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.payload()})
        return list(guild.roles.values())

    def delete_role(self, guild_id: int, role_id: int, *, checked: bool = True) -> None:
        """DELETE /guilds/{gid}/roles/{rid}; ``checked`` False is an admin deleting it by hand."""
        guild = self.guild(guild_id)
        role = self.role(guild, role_id)
        if checked:
            self.require(guild, perm.MANAGE_ROLES)
            self.require_above(guild, role)
        if role.id == guild.id or role.managed:
            raise errors.InvalidFormBody({"role_id": {"_errors": [{"code": "INVALID_ROLE"}]}})
        del guild.roles[role.id]
        for member in guild.members.values():
            if role.id in member.roles:
                member.roles.remove(role.id)
        self.emit("GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)})

    def _member_updated(self, guild: Guild, member: Member) -> None:
        self.emit("GUILD_MEMBER_UPDATE", member.payload() | {"guild_id": str(guild.id)})

    def change_member_role(
        self, guild_id: int, user_id: int, role_id: int, *, add: bool, checked: bool = True
    ) -> None:
        """PUT/DELETE /guilds/{gid}/members/{uid}/roles/{rid}; ``checked`` False is an admin
        changing it by hand in Discord (the bot hears GUILD_MEMBER_UPDATE all the same)."""
        guild = self.guild(guild_id)
        member = self.member(guild, user_id)
        role = self.role(guild, role_id)
        if checked:
            self.require(guild, perm.MANAGE_ROLES)
            self.require_above(guild, role)
        if role.id == guild.id or role.managed:
            raise errors.MissingPermissions
        if add and role.id not in member.roles:
            member.roles.append(role.id)
        elif not add and role.id in member.roles:
            member.roles.remove(role.id)
        else:
            return
        self._member_updated(guild, member)

    def edit_member(self, guild_id: int, user_id: int, payload: dict[str, Any]) -> Member:
        """PATCH /guilds/{gid}/members/{uid}: roles and nick."""
        guild = self.guild(guild_id)
        member = self.member(guild, user_id)
        if "roles" in payload:
            self.require(guild, perm.MANAGE_ROLES)
            wanted = [int(r) for r in payload["roles"] or []]
            for role_id in set(wanted) ^ set(member.roles):
                self.require_above(guild, self.role(guild, role_id))
            member.roles = wanted
        if "nick" in payload:
            member.nick = payload["nick"]
        self._member_updated(guild, member)
        return member

    # ------------------------------------------------------------------ channels

    def _overwrites(self, guild: Guild, raw: list[dict[str, Any]] | None) -> dict[int, Overwrite]:
        result: dict[int, Overwrite] = {}
        for item in raw or []:
            ow = Overwrite(
                int(item["id"]),
                int(item.get("type", 0)),
                int(item.get("allow") or 0),
                int(item.get("deny") or 0),
            )
            self.require_grantable(guild, ow.allow | ow.deny)
            result[ow.id] = ow
        return result

    def add_channel(self, guild: Guild, channel: Channel) -> Channel:
        """Store a new channel and send CHANNEL_CREATE (THREAD_CREATE for threads)."""
        channel.position = sum(1 for c in guild.channels.values() if c.type == channel.type)
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        if channel.is_thread:
            self.emit("THREAD_CREATE", channel.payload() | {"newly_created": True})
        else:
            self.emit("CHANNEL_CREATE", channel.payload())
        return channel

    def create_channel(self, guild_id: int, payload: dict[str, Any]) -> Channel:
        """POST /guilds/{gid}/channels."""
        guild = self.guild(guild_id)
        self.require(guild, perm.MANAGE_CHANNELS)
        limits.check_channel(payload, creating=True)
        kind = int(payload.get("type") or TEXT)
        if kind not in GUILD_CHANNEL_TYPES:
            raise errors.InvalidFormBody(
                {"type": {"_errors": [{"code": "BASE_TYPE_CHOICES", "message": "Invalid type."}]}}
            )
        parent_id = int(payload["parent_id"]) if payload.get("parent_id") else None
        if kind == CATEGORY:
            parent_id = None
        limits.check_room_for_channel(guild, parent_id)
        channel = Channel(
            self.ids.next(),
            kind,
            payload["name"],
            guild.id,
            parent_id=parent_id,
            topic=payload.get("topic"),
            overwrites=self._overwrites(guild, payload.get("permission_overwrites")),
            created_at=self.now(),
        )
        return self.add_channel(guild, channel)

    def _guild_of(self, channel: Channel) -> Guild:
        if channel.guild_id is None:
            raise errors.MissingAccess
        return self.guild(channel.guild_id)

    def edit_channel(self, channel_id: int, payload: dict[str, Any]) -> Channel:
        """PATCH /channels/{cid}: name, topic, parent, overwrites; archived/locked for threads."""
        channel = self.channel(channel_id)
        guild = self._guild_of(channel)
        if channel.is_thread:
            if channel.owner_id != self.bot_user.id:
                self.require(guild, perm.MANAGE_THREADS, channel)
        else:
            self.require(guild, perm.MANAGE_CHANNELS, channel)
        limits.check_channel(payload, creating=False)
        if payload.get("name") is not None:
            channel.name = payload["name"]
        if "topic" in payload:
            channel.topic = payload["topic"]
        if "parent_id" in payload and not channel.is_thread:
            parent_id = int(payload["parent_id"]) if payload["parent_id"] else None
            if parent_id != channel.parent_id:
                limits.check_room_for_channel(guild, parent_id, moving=channel.id)
            channel.parent_id = parent_id
        if "archived" in payload:
            channel.archived = bool(payload["archived"])
        if "permission_overwrites" in payload:
            self.require(guild, perm.MANAGE_ROLES, channel)
            channel.overwrites = self._overwrites(guild, payload["permission_overwrites"])
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        self.emit(event, channel.payload())
        return channel

    def move_channels(self, guild_id: int, items: list[dict[str, Any]]) -> None:
        """PATCH /guilds/{gid}/channels: positions, and parents with ``lock_permissions``
        taking the new category's overwrites; CHANNEL_UPDATE for each channel that changed."""
        guild = self.guild(guild_id)
        for item in items:
            channel = guild.channels.get(int(item["id"]))
            if channel is None or channel.is_thread:
                raise errors.UnknownChannel
            self.require(guild, perm.MANAGE_CHANNELS, channel)
            if item.get("position") is not None:
                channel.position = int(item["position"])
            if "parent_id" in item and channel.type != CATEGORY:
                parent_id = int(item["parent_id"]) if item["parent_id"] else None
                if parent_id != channel.parent_id:
                    limits.check_room_for_channel(guild, parent_id, moving=channel.id)
                channel.parent_id = parent_id
                parent = guild.channels.get(parent_id or 0)
                if item.get("lock_permissions") and parent is not None:
                    channel.overwrites = {
                        k: Overwrite(o.id, o.type, o.allow, o.deny)
                        for k, o in parent.overwrites.items()
                    }
            self.emit("CHANNEL_UPDATE", channel.payload())

    def delete_channel(self, channel_id: int, *, checked: bool = True) -> Channel:
        """DELETE /channels/{cid}; ``checked`` False is an admin deleting it by hand. A deleted
        category's channels stay, without a parent, like Discord."""
        channel = self.channel(channel_id)
        guild = self._guild_of(channel)
        needed = perm.MANAGE_THREADS if channel.is_thread else perm.MANAGE_CHANNELS
        if checked:
            self.require(guild, needed, channel)
        del guild.channels[channel.id]
        del self.channels[channel.id]
        if channel.type == CATEGORY:
            for child in guild.channels.values():
                if child.parent_id == channel.id and not child.is_thread:
                    child.parent_id = None
                    self.emit("CHANNEL_UPDATE", child.payload())
        if channel.is_thread:
            self.emit(
                "THREAD_DELETE",
                {
                    "id": str(channel.id),
                    "guild_id": str(guild.id),
                    "parent_id": str(channel.parent_id),
                    "type": channel.type,
                },
            )
        else:
            self.emit("CHANNEL_DELETE", channel.payload())
        return channel

    def set_overwrite(
        self, channel_id: int, target_id: int, payload: dict[str, Any] | None, *, checked: bool
    ) -> None:
        """PUT (payload) or DELETE (None) /channels/{cid}/permissions/{oid}."""
        channel = self.channel(channel_id)
        guild = self._guild_of(channel)
        if checked:
            self.require(guild, perm.MANAGE_ROLES, channel)
        if payload is None:
            channel.overwrites.pop(target_id, None)
        else:
            ow = Overwrite(
                target_id,
                int(payload.get("type", 0)),
                int(payload.get("allow") or 0),
                int(payload.get("deny") or 0),
            )
            if checked:
                self.require_grantable(guild, ow.allow | ow.deny)
            channel.overwrites[target_id] = ow
        self.emit("CHANNEL_UPDATE", channel.payload())

    def create_thread(
        self, channel_id: int, payload: dict[str, Any], message_id: int | None = None
    ) -> Channel:
        """POST /channels/{cid}/threads and /channels/{cid}/messages/{mid}/threads."""
        parent = self.channel(channel_id)
        guild = self._guild_of(parent)
        if message_id is not None:
            self.message(parent, message_id)
        kind = int(payload.get("type") or PUBLIC_THREAD)
        if message_id is not None:
            kind = PUBLIC_THREAD
        if kind not in THREAD_TYPES or parent.type not in (TEXT, 5):
            raise errors.InvalidFormBody({"type": {"_errors": [{"code": "BASE_TYPE_CHOICES"}]}})
        needed = (
            perm.CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else perm.CREATE_PUBLIC_THREADS
        )
        self.require(guild, needed, parent)
        limits.check_channel(payload, creating=True)
        thread = Channel(
            message_id or self.ids.next(),
            kind,
            payload["name"],
            guild.id,
            parent_id=parent.id,
            owner_id=self.bot_user.id,
            thread_members={self.bot_user.id},
            invitable=bool(payload.get("invitable", True)),
            created_at=self.now(),
        )
        return self.add_channel(guild, thread)

    def join_thread(self, thread: Channel, user_id: int) -> None:
        """Make a member a thread member and send THREAD_MEMBERS_UPDATE (bots get it with the
        members intent); already a member: nothing happens, as Discord answers 204 either way."""
        if user_id in thread.thread_members:
            return
        thread.thread_members.add(user_id)
        self.emit(
            "THREAD_MEMBERS_UPDATE",
            {
                "id": str(thread.id),
                "guild_id": str(thread.guild_id),
                "member_count": len(thread.thread_members),
                "added_members": [
                    {
                        "id": str(thread.id),
                        "user_id": str(user_id),
                        "join_timestamp": self.now().isoformat(),
                        "flags": 0,
                    }
                ],
            },
        )

    def add_thread_member(self, thread_id: int, user_id: int) -> None:
        """PUT /channels/{tid}/thread-members/{uid} (THREAD_MEMBERS_UPDATE)."""
        thread = self.channel(thread_id)
        guild = self._guild_of(thread)
        if not thread.is_thread:
            raise errors.UnknownChannel
        self.member(guild, user_id)
        if thread.archived:
            raise errors.ThreadArchived
        if user_id != self.bot_user.id:
            self.require(guild, perm.SEND_MESSAGES_IN_THREADS, thread)
        self.join_thread(thread, user_id)

    def open_dm(self, recipient_id: int) -> Channel:
        """POST /users/@me/channels: the one DM channel between the bot and a user."""
        user = self.users.get(recipient_id)
        if user is None:
            raise errors.UnknownUser
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient_id == recipient_id:
                return channel
        channel = Channel(self.ids.next(), DM, "", recipient_id=recipient_id)
        self.channels[channel.id] = channel
        return channel

    # ------------------------------------------------------------------ messages

    def _attachments(
        self,
        channel_id: int,
        payload: dict[str, Any],
        files: list[UploadedFile],
        keep: Iterable[Attachment] = (),
    ) -> list[Attachment]:
        """New attachments from uploaded parts, plus kept ones an edit lists by id."""
        by_index = {f.index: f for f in files}
        kept = {a.id: a for a in keep}
        listed = payload.get("attachments")
        result: list[Attachment] = []
        if listed is None:
            listed = [{"id": f.index} for f in files]
            result.extend(kept.values())
        for item in listed:
            ref = int(item["id"])
            if ref in kept:
                result.append(kept[ref])
                continue
            upload = by_index.get(ref)
            if upload is None:
                raise errors.InvalidFormBody(
                    {"attachments": {"_errors": [{"code": "ATTACHMENT_NOT_FOUND"}]}}
                )
            att_id = self.ids.next()
            filename = item.get("filename") or upload.filename
            attachment = Attachment(
                att_id,
                filename,
                upload.data,
                f"{self.origin}/attachments/{channel_id}/{att_id}/{filename}",
                content_type=upload.content_type,
                description=item.get("description"),
            )
            self.attachments[att_id] = attachment
            result.append(attachment)
        if sum(len(a.data) for a in result) > ATTACHMENT_SIZE_LIMIT:
            raise errors.DiscordError(message="Request entity too large")
        return result

    def store_message(self, msg: Message) -> Message:
        """Record a new message and send MESSAGE_CREATE unless only one member sees it."""
        self.messages[msg.id] = msg
        self.message_log.append(msg)
        channel = self.channels.get(msg.channel_id)
        if channel is not None and channel.is_thread:
            channel.message_count += 1
            if channel.archived and not msg.ephemeral:
                # Discord: a message in an archived (unlocked) thread unarchives it.
                channel.archived = False
                self.emit("THREAD_UPDATE", channel.payload())
        if msg.ephemeral:
            self.emit(None)
        else:
            self.emit("MESSAGE_CREATE", self.message_payload(msg))
        return msg

    def new_message(
        self,
        channel: Channel,
        author: User,
        payload: dict[str, Any],
        files: list[UploadedFile],
        **fields: Any,
    ) -> Message:
        """Build (not store) a message from a create payload."""
        msg = Message(
            self.ids.next(),
            channel.id,
            channel.guild_id,
            author,
            self.now(),
            content=payload.get("content") or "",
            embeds=payload.get("embeds") or [],
            components=payload.get("components") or [],
            flags=int(payload.get("flags") or 0),
            **fields,
        )
        msg.mention_rules.append(payload.get("allowed_mentions"))
        msg.attachments = self._attachments(channel.id, payload, files)
        if payload.get("message_reference"):
            self._reply(channel, msg, payload["message_reference"])
        if payload.get("poll"):
            msg.poll = self._native_poll(payload["poll"])
            self._open_polls.add(msg.id)
            # On real time the poll ends by itself; a test's clock is caught up with by end_polls.
            seconds = (msg.poll.expiry - self.now()).total_seconds()
            self._timers.add(asyncio.get_running_loop().call_later(seconds, self.end_polls))
        return msg

    def _reply(self, channel: Channel, msg: Message, reference: dict[str, Any]) -> None:
        """A reply answers a message of the same channel (type 19, its message_reference). One
        that is gone is refused, unless ``fail_if_not_exists`` is false: then the message is
        sent as a plain one, as Discord documents."""
        target = self.messages.get(int(reference.get("message_id") or 0))
        if target is None or target.deleted or target.channel_id != channel.id:
            if reference.get("fail_if_not_exists", True):
                raise errors.InvalidFormBody(
                    {
                        "message_reference": {
                            "_errors": [
                                {"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "message": "Unknown"}
                            ]
                        }
                    }
                )
            return
        msg.type = REPLY
        msg.reference = {"message_id": str(target.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            msg.reference["guild_id"] = str(channel.guild_id)

    def _native_poll(self, data: dict[str, Any]) -> NativePoll:
        """A poll request (already checked by the limits) as the poll it creates."""
        return NativePoll(
            question=data["question"]["text"],
            answers=[a["poll_media"]["text"] for a in data["answers"]],
            allow_multiselect=bool(data.get("allow_multiselect")),
            expiry=self.now() + timedelta(hours=float(data.get("duration") or 24)),
        )

    def end_polls(self) -> None:
        """Discord ends each native poll at its expiry: the results are final (MESSAGE_UPDATE)
        and a poll result message answers the poll in its channel, from the poll's author.
        The sandbox's clock may jump (a test's or the prompt's), so this catches up whenever time
        may have passed: before each REST request and each vote, and when time is passed."""
        now = self.now()
        for message_id in sorted(self._open_polls):
            msg = self.messages.get(message_id)
            if msg is None or msg.poll is None or msg.deleted:
                self._open_polls.discard(message_id)
            elif msg.poll.finalized(now):
                self._open_polls.discard(message_id)
                self.emit("MESSAGE_UPDATE", self.message_payload(msg))
                self._post_poll_result(msg)

    def _post_poll_result(self, poll_msg: Message) -> None:
        assert poll_msg.poll is not None
        embed = {"type": "poll_result", "fields": poll_msg.poll.result_fields()}
        result = self.new_message(
            self.channels[poll_msg.channel_id], poll_msg.author, {"embeds": [embed]}, [], type=46
        )
        result.reference = {"message_id": str(poll_msg.id), "channel_id": str(poll_msg.channel_id)}
        if poll_msg.guild_id is not None:
            result.reference["guild_id"] = str(poll_msg.guild_id)
        self.store_message(result)

    def expire_poll(self, channel_id: int, message_id: int) -> Message:
        """POST /channels/{cid}/polls/{mid}/expire: the poll's author ends it now; the message,
        its results final."""
        msg = self.message(self.channel(channel_id), message_id)
        if msg.poll is None:
            raise errors.UnknownMessage
        if msg.author.id != self.bot_user.id:
            raise errors.NotAuthor
        if msg.poll.finalized(self.now()):
            raise errors.PollExpired
        msg.poll.expiry = self.now()
        self.end_polls()
        return msg

    def poll_voters(
        self, channel_id: int, message_id: int, answer_id: int, *, after: int, limit: int
    ) -> list[User]:
        """GET /channels/{cid}/polls/{mid}/answers/{aid}: who chose the answer, by id ascending,
        ``limit`` (1-100) of those after ``after``."""
        msg = self.message(self.readable(channel_id), message_id)
        if msg.poll is None or not 1 <= answer_id <= len(msg.poll.answers):
            raise errors.UnknownMessage
        if not 1 <= limit <= 100:
            raise errors.InvalidFormBody(
                {"limit": {"_errors": [{"code": "NUMBER_TYPE_MAX", "message": "1 to 100"}]}}
            )
        voters = sorted(u for u, chosen in msg.poll.votes.items() if answer_id in chosen)
        return [self.users[u] for u in voters if u > after][:limit]

    def vote_poll(self, user: User, msg: Message, answer_ids: Sequence[int]) -> None:
        """A member's vote on a native poll, as the Discord client sends it: their earlier votes
        are removed and the new ones added, each as its gateway event."""
        poll = msg.poll
        if poll is None:
            raise errors.DiscordError(message="Message has no poll")
        self.end_polls()
        if poll.finalized(self.now()):
            raise errors.PollExpired
        wanted = set(answer_ids)
        if not wanted or not wanted <= set(range(1, len(poll.answers) + 1)):
            raise errors.DiscordError(message="Invalid poll answer")
        if len(wanted) > 1 and not poll.allow_multiselect:
            raise errors.DiscordError(message="This poll allows one answer")
        before = poll.votes.get(user.id, set())
        poll.votes[user.id] = wanted
        base = {
            "user_id": str(user.id),
            "channel_id": str(msg.channel_id),
            "message_id": str(msg.id),
        }
        if msg.guild_id is not None:
            base["guild_id"] = str(msg.guild_id)
        for answer in sorted(before - wanted):
            self.emit("MESSAGE_POLL_VOTE_REMOVE", base | {"answer_id": answer})
        for answer in sorted(wanted - before):
            self.emit("MESSAGE_POLL_VOTE_ADD", base | {"answer_id": answer})

    def create_message(
        self, channel_id: int, payload: dict[str, Any], files: list[UploadedFile]
    ) -> Message:
        """POST /channels/{cid}/messages, with permission, DM and limit checks."""
        channel = self.channel(channel_id)
        if channel.type == DM:
            recipient = self.users[channel.recipient_id or 0]
            if not recipient.dms_open:
                raise errors.CannotMessageUser
        else:
            guild = self._guild_of(channel)
            needed = perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else perm.SEND_MESSAGES
            if files:
                needed |= perm.ATTACH_FILES
            if payload.get("poll"):
                needed |= perm.SEND_POLLS
            self.require(guild, needed, channel)
        limits.check_message(payload, creating=True, has_files=bool(files))
        if int(payload.get("flags") or 0) & EPHEMERAL:
            raise errors.InvalidFormBody({"flags": {"_errors": [{"code": "MESSAGE_FLAGS"}]}})
        nonce = check_nonce(payload)
        author = self.bot_user
        if nonce is not None and payload.get("enforce_nonce"):
            existing = self.nonces.existing(author.id, nonce, self.now())
            if existing is not None and existing in self.messages:
                return self.messages[existing]
        msg = self.new_message(channel, author, payload, files, nonce=nonce)
        if nonce is not None:
            self.nonces.remember(author.id, nonce, msg.id, self.now())
        return self.store_message(msg)

    def apply_edit(self, msg: Message, payload: dict[str, Any], files: list[UploadedFile]) -> None:
        """Apply an edit payload to a message and send MESSAGE_UPDATE when others see it."""
        if payload.get("poll"):
            raise errors.CannotEditPoll
        merged: dict[str, Any] = {
            "content": msg.content,
            "embeds": msg.embeds,
            "components": msg.components,
            "flags": msg.flags,
        } | {k: v for k, v in payload.items() if k in ("content", "embeds", "components", "flags")}
        if "flags" in payload:
            merged["flags"] = (int(payload["flags"] or 0) & ~(EPHEMERAL | LOADING)) | (
                msg.flags & EPHEMERAL
            )
        else:
            merged["flags"] = msg.flags & ~LOADING
        limits.check_message(merged, creating=False)
        msg.content = merged["content"] or ""
        msg.embeds = merged["embeds"] or []
        msg.components = merged["components"] or []
        msg.flags = int(merged["flags"])
        if "attachments" in payload or files:
            msg.attachments = self._attachments(msg.channel_id, payload, files, msg.attachments)
        msg.edited_at = self.now()
        msg.edits += 1
        msg.mention_rules.append(payload.get("allowed_mentions"))
        if msg.ephemeral:
            self.emit(None)
        else:
            self.emit("MESSAGE_UPDATE", self.message_payload(msg))

    def edit_message(
        self, channel_id: int, message_id: int, payload: dict[str, Any], files: list[UploadedFile]
    ) -> Message:
        """PATCH /channels/{cid}/messages/{mid}: only the bot's own messages."""
        channel = self.channel(channel_id)
        msg = self.message(channel, message_id)
        if msg.author.id != self.bot_user.id or (msg.interaction is not None and msg.ephemeral):
            raise errors.DiscordError(message="Cannot edit a message authored by another user")
        self.apply_edit(msg, payload, files)
        return msg

    def remove_message(self, msg: Message) -> None:
        """Mark a message deleted and send MESSAGE_DELETE when others saw it."""
        msg.deleted = True
        if msg.ephemeral:
            self.emit(None)
            return
        data = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        self.emit("MESSAGE_DELETE", data)

    def delete_message(self, channel_id: int, message_id: int) -> None:
        """DELETE /channels/{cid}/messages/{mid}: own messages, others' with MANAGE_MESSAGES."""
        channel = self.channel(channel_id)
        msg = self.message(channel, message_id)
        if msg.author.id != self.bot_user.id:
            guild = self._guild_of(channel)
            self.require(guild, perm.MANAGE_MESSAGES, channel)
        self.remove_message(msg)

    def readable(self, channel_id: int) -> Channel:
        """A channel the bot may read history of (VIEW_CHANNEL and READ_MESSAGE_HISTORY)."""
        channel = self.channel(channel_id)
        if channel.type != DM:
            self.require(self._guild_of(channel), perm.READ_MESSAGE_HISTORY, channel)
        return channel

    def list_messages(
        self, channel_id: int, *, limit: int, before: int | None, after: int | None
    ) -> list[Message]:
        """GET /channels/{cid}/messages: newest first, like Discord."""
        channel = self.readable(channel_id)
        found = [
            m
            for m in self.message_log
            if m.channel_id == channel.id
            and not m.deleted
            and not m.ephemeral
            and (before is None or m.id < before)
            and (after is None or m.id > after)
        ]
        found.reverse()
        if after is not None and before is None:
            return list(reversed(found[-limit:]))
        return found[:limit]

    def react(self, channel_id: int, message_id: int, emoji: str, *, add: bool) -> None:
        """PUT/DELETE /channels/{cid}/messages/{mid}/reactions/{emoji}/@me."""
        channel = self.channel(channel_id)
        msg = self.message(channel, message_id)
        if channel.guild_id is not None:
            self.require(self._guild_of(channel), perm.ADD_REACTIONS, channel)
        users = msg.reactions.setdefault(emoji, set())
        (users.add if add else users.discard)(self.bot_user.id)
        event = "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE"
        data = {
            "user_id": str(self.bot_user.id),
            "channel_id": str(channel.id),
            "message_id": str(msg.id),
            "emoji": {"id": None, "name": emoji},
            "type": 0,
            "burst": False,
        }
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        self.emit(event, data)

    # ------------------------------------------------------------------ scheduled events

    def _event_fields(
        self, event: ScheduledEvent | None, payload: dict[str, Any]
    ) -> dict[str, Any]:
        def when(key: str) -> datetime | None:
            value = payload.get(key)
            return datetime.fromisoformat(value) if value else None

        merged: dict[str, Any] = {}
        if event is not None:
            merged = {
                "name": event.name,
                "description": event.description,
                "scheduled_start_time": event.scheduled_start_time,
                "scheduled_end_time": event.scheduled_end_time,
                "entity_type": event.entity_type,
                "channel_id": event.channel_id,
                "location": event.location,
                "status": event.status,
            }
        for key in ("name", "description", "entity_type", "status"):
            if key in payload:
                merged[key] = payload[key]
        for key in ("scheduled_start_time", "scheduled_end_time"):
            if key in payload:
                merged[key] = when(key)
        if "channel_id" in payload:
            merged["channel_id"] = int(payload["channel_id"]) if payload["channel_id"] else None
        if "entity_metadata" in payload:
            merged["location"] = (payload["entity_metadata"] or {}).get("location")
        if merged.get("entity_type") == 3 and "channel_id" not in payload and event is not None:
            merged["channel_id"] = None
        return merged

    def scheduled_event(self, guild: Guild, event_id: int) -> ScheduledEvent:
        """The event, or 404 10070."""
        event = guild.scheduled_events.get(event_id)
        if event is None:
            raise errors.UnknownScheduledEvent
        return event

    def create_scheduled_event(self, guild_id: int, payload: dict[str, Any]) -> ScheduledEvent:
        """POST /guilds/{gid}/scheduled-events."""
        guild = self.guild(guild_id)
        have = self.bot_perms(guild)
        if not have & (perm.MANAGE_EVENTS | perm.CREATE_EVENTS):
            raise errors.MissingPermissions
        merged = self._event_fields(None, payload)
        limits.check_scheduled_event(merged, now=self.now(), creating=True)
        if merged.get("channel_id"):
            channel = self.channel(merged["channel_id"])
            if channel.type not in (VOICE, 13):
                raise errors.InvalidFormBody(
                    {"channel_id": {"_errors": [{"code": "CHANNEL_TYPE_INVALID"}]}}
                )
        if sum(1 for e in guild.scheduled_events.values() if e.active) >= limits.EVENTS_ACTIVE_MAX:
            raise errors.MaxScheduledEvents
        event = ScheduledEvent(
            self.ids.next(),
            guild.id,
            merged["name"],
            int(merged["entity_type"]),
            merged["scheduled_start_time"],
            self.bot_user,
            scheduled_end_time=merged.get("scheduled_end_time"),
            description=merged.get("description"),
            channel_id=merged.get("channel_id"),
            location=merged.get("location"),
            privacy_level=int(payload.get("privacy_level") or 2),
        )
        guild.scheduled_events[event.id] = event
        self.emit("GUILD_SCHEDULED_EVENT_CREATE", event.payload())
        return event

    def _require_event_manager(self, guild: Guild, event: ScheduledEvent) -> None:
        have = self.bot_perms(guild)
        own = event.creator.id == self.bot_user.id and have & perm.CREATE_EVENTS
        if not (have & perm.MANAGE_EVENTS or own):
            raise errors.MissingPermissions

    def edit_scheduled_event(
        self, guild_id: int, event_id: int, payload: dict[str, Any]
    ) -> ScheduledEvent:
        """PATCH /guilds/{gid}/scheduled-events/{id}, with Discord's status transitions."""
        guild = self.guild(guild_id)
        event = self.scheduled_event(guild, event_id)
        self._require_event_manager(guild, event)
        if not event.active:
            raise errors.InvalidFormBody(
                {"status": {"_errors": [{"code": "GUILD_SCHEDULED_EVENT_INVALID_STATUS"}]}}
            )
        merged = self._event_fields(event, payload)
        new_status = int(merged.get("status") or event.status)
        allowed = {1: {1, 2, 4}, 2: {2, 3}}[event.status]
        if new_status not in allowed:
            raise errors.InvalidFormBody(
                {
                    "status": {
                        "_errors": [
                            {
                                "code": "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                                "message": f"Cannot change status from {event.status} "
                                f"to {new_status}.",
                            }
                        ]
                    }
                }
            )
        limits.check_scheduled_event(merged, now=self.now(), creating=False)
        event.name = merged["name"]
        event.description = merged.get("description")
        event.scheduled_start_time = merged["scheduled_start_time"]
        event.scheduled_end_time = merged.get("scheduled_end_time")
        event.entity_type = int(merged["entity_type"])
        event.channel_id = merged.get("channel_id")
        event.location = merged.get("location")
        event.status = new_status
        self.emit("GUILD_SCHEDULED_EVENT_UPDATE", event.payload())
        return event

    def delete_scheduled_event(self, guild_id: int, event_id: int) -> None:
        """DELETE /guilds/{gid}/scheduled-events/{id}."""
        guild = self.guild(guild_id)
        event = self.scheduled_event(guild, event_id)
        self._require_event_manager(guild, event)
        del guild.scheduled_events[event.id]
        self.emit("GUILD_SCHEDULED_EVENT_DELETE", event.payload())

    # ------------------------------------------------------------------ application commands

    def overwrite_commands(
        self, guild_id: int | None, payload: list[dict[str, Any]]
    ) -> list[Command]:
        """PUT /applications/{app}[/guilds/{gid}]/commands: replaces the set, keeps ids by name."""
        if guild_id is not None:
            self.guild(guild_id)
        limits.check_commands(payload)
        old = {
            (c.data.get("type", 1), c.name): c
            for c in self.commands.values()
            if c.guild_id == guild_id
        }
        for cmd in old.values():
            del self.commands[cmd.id]
        result = []
        for data in payload:
            previous = old.get((data.get("type", 1), data["name"]))
            cmd = Command(
                previous.id if previous else self.ids.next(), self.application_id, guild_id, data
            )
            self.commands[cmd.id] = cmd
            result.append(cmd)
        self.emit(None)
        return result

    def upsert_command(self, guild_id: int | None, data: dict[str, Any]) -> Command:
        """POST /applications/{app}[/guilds/{gid}]/commands: create or replace one command."""
        others = [
            c.data
            for c in self.commands.values()
            if c.guild_id == guild_id
            and (c.data.get("type", 1), c.name) != (data.get("type", 1), data.get("name"))
        ]
        result = self.overwrite_commands(guild_id, [*others, data])
        return result[-1]

    def list_commands(self, guild_id: int | None) -> list[Command]:
        """GET /applications/{app}[/guilds/{gid}]/commands."""
        return [c for c in self.commands.values() if c.guild_id == guild_id]

    # ------------------------------------------------------------------ interactions

    def start_interaction(
        self,
        kind: int,
        guild: Guild | None,
        channel: Channel,
        user: User,
        data: dict[str, Any],
        message: Message | None = None,
    ) -> Interaction:
        """Create an interaction, send INTERACTION_CREATE and start its response deadline.

        ``guild`` None is a button or form in a DM with the bot: Discord then sends ``user``
        instead of ``member``, no guild, and context 1 (bot DM)."""
        loop = asyncio.get_running_loop()
        interaction = Interaction(
            self.ids.next(),
            kind,
            guild.id if guild else None,
            channel.id,
            user,
            data,
            loop.time(),
            message=message,
            skipped_at=self.skipped,
        )
        self.interactions[interaction.id] = interaction
        payload: dict[str, Any] = {
            "id": str(interaction.id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": interaction.token,
            "version": 1,
            "channel_id": str(channel.id),
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild is not None:
            member = self.member(guild, user.id)
            user_perms = perm.channel_permissions(guild, user.id, channel)
            payload |= {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
                "guild_locale": guild.locale,
                "channel": channel.payload() | {"permissions": str(user_perms)},
                "member": member.payload() | {"permissions": str(user_perms)},
                "locale": member.locale,
                "app_permissions": str(self.bot_perms(guild, channel)),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        else:
            locale = next(
                (g.members[user.id].locale for g in self.guilds.values() if user.id in g.members),
                "en-US",
            )
            payload |= {
                "channel": channel.payload(self.users),
                "user": user.payload(),
                "locale": locale,
                "app_permissions": str(perm.ALL & ~perm.ADMINISTRATOR),
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        if message is not None:
            payload["message"] = self.message_payload(message)
        self._arm_deadline(interaction)
        self.emit("INTERACTION_CREATE", payload)
        return interaction

    def discord_elapsed(self, interaction: Interaction) -> float:
        """Seconds since the interaction began, as Discord counts them (skipped waits too)."""
        real = asyncio.get_running_loop().time() - interaction.created
        return real + self.skipped - interaction.skipped_at

    def _arm_deadline(self, interaction: Interaction) -> None:
        left = self.interaction_deadline - self.discord_elapsed(interaction)
        timer = asyncio.get_running_loop().call_later(max(left, 0), self._expire, interaction)
        self._deadlines[interaction.id] = timer

    def skip(self, seconds: float) -> None:
        """Count ``seconds`` of Discord time that the bot did not wait for: deadlines of
        unanswered interactions come that much closer (and may pass at once)."""
        self.skipped += seconds
        for interaction_id, timer in list(self._deadlines.items()):
            timer.cancel()
            self._arm_deadline(self.interactions[interaction_id])

    def _expire(self, interaction: Interaction) -> None:
        self._deadlines.pop(interaction.id, None)
        if not interaction.answered:
            interaction.failed = True
            self.failed_interactions.append(interaction)
            self.emit(None)

    def _interaction_for(self, interaction_id: int, token: str) -> Interaction:
        interaction = self.interactions.get(interaction_id)
        if interaction is None or interaction.token != token or interaction.failed:
            raise errors.UnknownInteraction
        return interaction

    def _webhook_interaction(self, application_id: int, token: str) -> Interaction:
        """The interaction behind a follow-up token, valid 15 minutes after an initial answer."""
        if application_id != self.application_id:
            raise errors.UnknownWebhook
        for interaction in self.interactions.values():
            if interaction.token == token:
                age = asyncio.get_running_loop().time() - interaction.created
                if not interaction.answered or age > FOLLOWUP_WINDOW:
                    raise errors.UnknownWebhook
                return interaction
        raise errors.UnknownWebhook

    def _response_message(
        self,
        interaction: Interaction,
        payload: dict[str, Any],
        files: list[UploadedFile],
        *,
        flags: int,
    ) -> Message:
        channel = self.channel(interaction.channel_id)
        command_name = interaction.data.get("name")
        metadata: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": interaction.user.payload(),
            "authorizing_integration_owners": {"0": str(interaction.guild_id or 0)},
        }
        if command_name:
            metadata["name"] = command_name
        if interaction.message is not None:
            metadata["interacted_message_id"] = str(interaction.message.id)
        msg = self.new_message(
            channel,
            self.bot_user,
            payload | {"flags": flags},
            files,
            type=20 if interaction.type == 2 else 0,
            interaction=metadata,
            application_id=self.application_id,
        )
        if flags & EPHEMERAL:
            msg.ephemeral_to = interaction.user.id
        return msg

    def respond(
        self,
        interaction_id: int,
        token: str,
        body: dict[str, Any],
        files: list[UploadedFile],
    ) -> dict[str, Any]:
        """POST /interactions/{id}/{token}/callback: the single initial response."""
        interaction = self._interaction_for(interaction_id, token)
        if interaction.answered:
            raise errors.AlreadyAcknowledged
        kind = int(body.get("type") or 0)
        data = body.get("data") or {}
        allowed = {
            2: {4, 5, 9},
            3: {4, 5, 6, 7, 9},
            4: {8},
            5: {4, 5, 6, 7} if interaction.message is not None else {4, 5},
        }[interaction.type]
        if kind not in allowed:
            raise errors.InvalidFormBody(
                {"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE_INVALID"}]}}
            )
        message: Message | None = None
        if kind == 4:
            limits.check_message(data, creating=True, has_files=bool(files))
            flags = int(data.get("flags") or 0)
            message = self.store_message(
                self._response_message(interaction, data, files, flags=flags)
            )
        elif kind == 5:
            flags = (int(data.get("flags") or 0) & EPHEMERAL) | LOADING
            message = self.store_message(self._response_message(interaction, {}, [], flags=flags))
        elif kind in (6, 7):
            message = interaction.message
            assert message is not None  # allowed only for component-born interactions
            if kind == 7:
                self.apply_edit(message, data, files)
        elif kind == 8:
            limits.check_autocomplete(body)
            interaction.choices = list(data.get("choices") or [])
        elif kind == 9:
            limits.check_modal(data)
            interaction.modal = data
            interaction.modal_shown = asyncio.get_running_loop().time()
        interaction.response_type = kind
        deadline = self._deadlines.pop(interaction.id, None)
        if deadline is not None:
            deadline.cancel()
        interaction.response_message = message
        self.emit(None)
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message.ephemeral),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            answer["resource"]["message"] = self.message_payload(message)
        return answer

    def followup(
        self, application_id: int, token: str, payload: dict[str, Any], files: list[UploadedFile]
    ) -> Message:
        """POST /webhooks/{app}/{token}: the first follow-up after a deferral fills the loader."""
        interaction = self._webhook_interaction(application_id, token)
        original = interaction.response_message
        if interaction.response_type == 5 and original is not None and original.flags & LOADING:
            self.apply_edit(original, {k: v for k, v in payload.items() if k != "flags"}, files)
            interaction.followups.append(original)
            self.emit(None)
            return original
        limits.check_message(payload, creating=True, has_files=bool(files))
        flags = int(payload.get("flags") or 0)
        msg = self._response_message(interaction, payload, files, flags=flags)
        interaction.followups.append(msg)
        return self.store_message(msg)

    def webhook_message(self, application_id: int, token: str, message_id: str) -> Message:
        """@original or a follow-up of the interaction behind ``token``."""
        interaction = self._webhook_interaction(application_id, token)
        if message_id == "@original":
            msg = interaction.response_message
        else:
            msg = next((m for m in interaction.followups if m.id == int(message_id)), None)
        if msg is None or msg.deleted:
            raise errors.UnknownMessage
        return msg

    # ------------------------------------------------------------------ reading helpers

    def visible(self, guild: Guild, user_id: int, channel: Channel) -> bool:
        """Whether a member sees a channel (VIEW_CHANNEL after overwrites)."""
        return bool(perm.channel_permissions(guild, user_id, channel) & perm.VIEW_CHANNEL)

    def overwrite_target(self, target: Role | Member | User) -> tuple[int, int]:
        """(id, type) of an overwrite for a role (0) or a member (1)."""
        if isinstance(target, Role):
            return target.id, 0
        user = target.user if isinstance(target, Member) else target
        return user.id, 1

    def overwrites_from(
        self, overwrites: Mapping[Role | Member | User, tuple[int, int]] | None
    ) -> dict[int, Overwrite]:
        """Setup-API overwrites ``{role_or_member: (allow, deny)}`` as Overwrite objects."""
        result: dict[int, Overwrite] = {}
        for target, (allow, deny) in (overwrites or {}).items():
            target_id, kind = self.overwrite_target(target)
            result[target_id] = Overwrite(target_id, kind, allow, deny)
        return result
