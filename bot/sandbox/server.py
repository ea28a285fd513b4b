"""The sandbox: a Discord-compatible REST + gateway server on 127.0.0.1 with a setup API.

Start it, point discord.py at it, and log the unmodified client in::

    async with Sandbox() as sb:
        guild = sb.add_guild("Community")
        alice = sb.add_member(guild, "alice")
        point_discord_at(sb.api_base, sb.gateway_url)
        await bot.login(sb.token)
        asyncio.create_task(bot.connect(reconnect=True))
        ...
        result = await sb.as_member(alice).slash("ping")

Setup calls are synchronous and work before and after the bot connects; after, they send the
gateway events Discord would. Everything runs in the caller's event loop; start-up binds port 0
and takes a few milliseconds.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine, Iterable, Mapping
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.sandbox import permissions as perm
from bot.sandbox.backend import Backend
from bot.sandbox.driver import MemberDriver
from bot.sandbox.faults import Faults
from bot.sandbox.gateway import Gateway
from bot.sandbox.models import DM, TEXT, Channel, Guild, Member, Message, Role, ScheduledEvent, User
from bot.sandbox.ratelimits import RateLimits
from bot.sandbox.rest import RestApi


class Sandbox:
    """A local Discord for one bot: state, REST, gateway, faults, and member drivers."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        interaction_deadline: float = 3.0,
        rate_limits: bool = False,
    ) -> None:
        """``rate_limits``: enforce Discord's buckets and global limit (invalid requests are
        counted either way)."""
        self.backend = Backend(
            clock=clock or SystemClock(),
            token=f"sandbox.{secrets.token_urlsafe(24)}",
            interaction_deadline=interaction_deadline,
        )
        self.gateway = Gateway(self.backend)
        self.faults = Faults(self.gateway)
        self.rate_limits = RateLimits(enabled=rate_limits)
        self._rest = RestApi(self.backend, self.gateway, self.faults, self.rate_limits)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> None:
        """Bind 127.0.0.1 on ``port`` (0: a free one) and serve."""
        app = web.Application(
            middlewares=[self._rest.middleware],
            client_max_size=64 * 1024 * 1024,
        )
        app.add_routes(self._rest.routes())
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        # Discord never refuses a connection; a deep accept queue keeps a burst of a thousand
        # simultaneous requests from being dropped and retried a second later by the kernel.
        site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=4096)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.backend.origin = f"http://127.0.0.1:{self.port}"
        self.gateway.url = f"ws://127.0.0.1:{self.port}/gateway"

    async def stop(self) -> None:
        """Close websockets, cancel interaction deadlines and stop serving."""
        self.backend.close()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ identity

    @property
    def api_base(self) -> str:
        """What ``point_discord_at`` takes as the REST base (``.../api/v10``)."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``point_discord_at`` takes as the gateway URL."""
        return self.gateway.url

    @property
    def token(self) -> str:
        """The bot's token; any other token gets 401 on login."""
        return self.backend.token

    @property
    def application_id(self) -> int:
        """The bot's application id (also its user id)."""
        return self.backend.application_id

    @property
    def interaction_deadline(self) -> float:
        """Seconds the bot has for an initial response (Discord: 3); tests may shorten it."""
        return self.backend.interaction_deadline

    @interaction_deadline.setter
    def interaction_deadline(self, seconds: float) -> None:
        self.backend.interaction_deadline = seconds

    @property
    def bot_user(self) -> User:
        """The bot's account."""
        return self.backend.bot_user

    # ------------------------------------------------------------------ setup

    def add_guild(
        self, name: str, *, locale: str = "en-US", bot_permissions: int = perm.BOT_DEFAULT
    ) -> Guild:
        """A guild with @everyone, #general and the bot in it with its own role."""
        return self.backend.add_guild(name, locale=locale, bot_permissions=bot_permissions)

    def add_role(self, guild: Guild, name: str, permissions: int = 0) -> Role:
        """A role just above @everyone (below the bot's role)."""
        return self.backend.new_role(guild, name, permissions)

    def add_member(
        self,
        guild: Guild,
        name: str | User,
        *,
        roles: Iterable[Role] = (),
        locale: str = "en-US",
        dms_open: bool = True,
    ) -> Member:
        """A member; pass an existing User to put the same person in another guild."""
        user = name if isinstance(name, User) else self.backend.add_user(name, dms_open=dms_open)
        return self.backend.add_member(guild, user, roles=roles, locale=locale)

    def add_channel(
        self,
        guild: Guild,
        name: str,
        *,
        type: int = TEXT,
        parent: Channel | None = None,
        overwrites: Mapping[Role | Member | User, tuple[int, int]] | None = None,
        topic: str | None = None,
    ) -> Channel:
        """A channel; ``overwrites`` maps a role or member to ``(allow, deny)`` bits."""
        channel = Channel(
            self.backend.ids.next(),
            type,
            name,
            guild.id,
            parent_id=parent.id if parent else None,
            topic=topic,
            overwrites=self.backend.overwrites_from(overwrites),
            created_at=self.backend.now(),
        )
        return self.backend.add_channel(guild, channel)

    def set_overwrite(
        self, channel: Channel, target: Role | Member | User, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set one permission overwrite on a channel (CHANNEL_UPDATE)."""
        target_id, kind = self.backend.overwrite_target(target)
        self.backend.set_overwrite(
            channel.id, target_id, {"type": kind, "allow": allow, "deny": deny}, checked=False
        )

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        """Replace a role's permissions (``guild.roles[guild.id]`` is @everyone)."""
        self.backend.set_role_permissions(role, permissions)

    def set_bot_permissions(self, guild: Guild, permissions: int) -> None:
        """Replace the permissions of the bot's role in a guild."""
        self.backend.set_role_permissions(self.backend.bot_role(guild), permissions)

    # ------------------------------------------------------------------ by hand
    # What an admin does in Discord's own interface: no bot permission checks, the same
    # gateway events the bot would hear from Discord.

    def give_role(self, member: Member, role: Role) -> None:
        """An admin gives a member a role by hand (GUILD_MEMBER_UPDATE)."""
        self.backend.change_member_role(
            member.guild_id, member.user.id, role.id, add=True, checked=False
        )

    def take_role(self, member: Member, role: Role) -> None:
        """An admin removes a role from a member by hand (GUILD_MEMBER_UPDATE)."""
        self.backend.change_member_role(
            member.guild_id, member.user.id, role.id, add=False, checked=False
        )

    def move_role(self, role: Role, position: int) -> None:
        """An admin drags a role to a position by hand (GUILD_ROLE_UPDATE for each moved)."""
        self.backend.move_roles(
            role.guild_id, [{"id": role.id, "position": position}], checked=False
        )

    def delete_role(self, role: Role) -> None:
        """An admin deletes a role by hand (GUILD_ROLE_DELETE)."""
        self.backend.delete_role(role.guild_id, role.id, checked=False)

    def delete_channel(self, channel: Channel) -> None:
        """An admin deletes a channel or thread by hand (CHANNEL_DELETE, THREAD_DELETE)."""
        self.backend.delete_channel(channel.id, checked=False)

    def delete_message(self, message: Message) -> None:
        """An admin deletes a message by hand (MESSAGE_DELETE)."""
        self.backend.remove_message(message)

    def member_leaves(self, member: Member) -> None:
        """A member leaves the server (GUILD_MEMBER_REMOVE)."""
        self.backend.remove_member(self.backend.guilds[member.guild_id], member.user.id)

    def role_named(self, guild: Guild, name: str) -> Role | None:
        """The guild's role with this name, if any."""
        return next((r for r in guild.roles.values() if r.name == name), None)

    def channel_named(self, guild: Guild, name: str) -> Channel | None:
        """The guild's channel (not thread) with this name, if any."""
        return next(
            (c for c in guild.channels.values() if c.name == name and not c.is_thread), None
        )

    # ------------------------------------------------------------------ members

    def as_member(self, member: Member) -> MemberDriver:
        """Act as this member: slash commands, clicks, selects, modals."""
        return MemberDriver(self.backend, member)

    # ------------------------------------------------------------------ reading

    def messages(self, channel: Channel) -> list[Message]:
        """Messages everyone in the channel sees, oldest first."""
        return [
            m
            for m in self.backend.message_log
            if m.channel_id == channel.id and not m.deleted and not m.ephemeral
        ]

    def dms(self, member: Member | User) -> list[Message]:
        """Messages in the DM channel between the bot and this member, oldest first."""
        user_id = member.user.id if isinstance(member, Member) else member.id
        return [
            m
            for m in self.backend.message_log
            if not m.deleted
            and (ch := self.backend.channels.get(m.channel_id)) is not None
            and ch.type == DM
            and ch.recipient_id == user_id
        ]

    def ephemerals(self, member: Member) -> list[Message]:
        """Ephemeral answers only this member saw, oldest first."""
        return [
            m
            for m in self.backend.message_log
            if m.ephemeral and not m.deleted and m.ephemeral_to == member.user.id
        ]

    def scheduled_events(self, guild: Guild) -> list[ScheduledEvent]:
        """The guild's scheduled events in creation order."""
        return list(guild.scheduled_events.values())

    def visible_channels(self, member: Member) -> list[Channel]:
        """Channels (not threads) the member can see, following overwrites."""
        guild = self.backend.guilds[member.guild_id]
        return [
            c
            for c in guild.channels.values()
            if not c.is_thread and self.backend.visible(guild, member.user.id, c)
        ]

    def threads(self, channel: Channel) -> list[Channel]:
        """Threads under a channel in creation order, private ones included."""
        guild = self.backend.guilds[channel.guild_id or 0]
        return [c for c in guild.channels.values() if c.is_thread and c.parent_id == channel.id]

    @property
    def failed_interactions(self) -> list[Any]:
        """Interactions the bot did not answer in time ("This interaction failed")."""
        return list(self.backend.failed_interactions)

    def wait_for_message(
        self,
        channel: Channel | None = None,
        *,
        dm_to: Member | User | None = None,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,
    ) -> Coroutine[Any, Any, Message]:
        """Await the next NEW message matching channel/DM and predicate.

        Plain function on purpose: "new" counts from this call, so
        ``dm = sb.wait_for_message(...)`` can be created before the action and awaited after.
        """
        backend = self.backend
        start = len(backend.message_log)
        dm_user = dm_to.user.id if isinstance(dm_to, Member) else dm_to.id if dm_to else None

        def matches(msg: Message) -> bool:
            if msg.deleted or (channel is not None and msg.channel_id != channel.id):
                return False
            if dm_user is not None:
                ch = backend.channels.get(msg.channel_id)
                if ch is None or ch.type != DM or ch.recipient_id != dm_user:
                    return False
            return predicate is None or predicate(msg)

        def found() -> Message | None:
            return next((m for m in backend.message_log[start:] if matches(m)), None)

        return backend.wait_for(found, timeout, "a new message")

    async def wait_until(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 - every wait is bounded by default
    ) -> Any:
        """Wait until ``predicate()`` is truthy: re-checked after every sandbox change, and every
        10 ms for conditions on the bot's own state that the sandbox cannot observe."""
        return await self.backend.wait_for(predicate, timeout, "a condition", recheck=0.01)
