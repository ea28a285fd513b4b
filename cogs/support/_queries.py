"""What support's commands, buttons, listeners and service read: a request, the lists, its
transcript, the limits, and the checks made before a form opens. Nothing here writes (the
service does)."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _
from cogs.support import _rules as rules
from cogs.support._rules import Actor, Request, Status, check_may_request
from db.support import KeptFile, KeptMessage, SupportLimits, SupportRequest, SupportRequests


def as_rules(record: SupportRequest) -> Request:
    """A stored request as the rules see it."""
    return Request(
        id=record.id,
        requester_id=record.requester_id,
        status=Status(record.status),
        created_at=record.created_at,
        claimed_by=record.claimed_by,
        claimed_at=record.claimed_at,
        resolved_at=record.resolved_at,
        awaiting_staff_since=record.awaiting_staff_since,
        version=record.version,
    )


class SupportQueries:
    """Reads for the support feature, each a trip or a few."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self._repo = SupportRequests(bot.db)

    def now(self) -> datetime:
        return self.bot.clock.now()

    def actor(self, member: discord.abc.User) -> Actor:
        """Who acts, as the rules see them (a DM has no member: not the secretariat)."""
        secretariat = isinstance(member, discord.Member) and self.bot.members.is_secretariat(member)
        return Actor(member.id, secretariat)

    async def get(self, request_id: int) -> SupportRequest | None:
        return await self._repo.get(request_id)

    async def load(self, request_id: int, guild_id: int | None = None) -> SupportRequest:
        """A request of this server, or the readable refusal."""
        record = await self._repo.get(request_id)
        if record is None or (guild_id is not None and record.guild_id != guild_id):
            raise UserFacingError(_("I can't find support request #{id}."), id=request_id)
        return record

    async def requests(
        self,
        guild_id: int,
        *,
        requester_id: int | None = None,
        statuses: tuple[str, ...] | None = None,
        claimed_by: int | None = None,
    ) -> list[SupportRequest]:
        return await self._repo.in_guild(
            guild_id, requester_id=requester_id, statuses=statuses, claimed_by=claimed_by
        )

    async def by_thread(self, thread_id: int) -> SupportRequest | None:
        return await self._repo.by_thread(thread_id)

    async def by_card(self, message_id: int) -> SupportRequest | None:
        return await self._repo.by_card(message_id)

    async def unfinished(self) -> list[SupportRequest]:
        """Requests still open or not yet posted (their plans are made again at start)."""
        return await self._repo.unfinished()

    async def transcript(self, request_id: int) -> tuple[list[KeptMessage], list[KeptFile]]:
        """The kept messages and files of a request."""
        return await self._repo.transcript(request_id), await self._repo.files(request_id)

    async def kept_attachment_ids(self, request_id: int) -> set[int]:
        return await self._repo.kept_attachment_ids(request_id)

    async def kept(self, request_id: int) -> tuple[int, int]:
        """How many messages and files the request has kept in all."""
        messages = await self._repo.transcript(request_id)
        files = await self._repo.kept_attachment_ids(request_id)
        return len(messages), len(files)

    async def limits(self, guild: discord.Guild) -> SupportLimits:
        """The secretariat's limits, else config.toml's."""
        settings = self.bot.settings.support
        excluded = {self.bot.find_role(guild, ref) for ref in settings.excluded_roles}
        default = SupportLimits(
            settings.max_open, frozenset(r.id for r in excluded if r is not None)
        )
        return await self._repo.limits(guild.id, default)

    async def check_may_ask(self, member: discord.Member) -> None:
        """Refuse early (before the form), so nobody types 4,000 characters for nothing."""
        limits = await self.limits(member.guild)
        check_may_request(
            excluded=any(r.id in limits.excluded_role_ids for r in member.roles),
            open_count=await self._repo.open_count(member.guild.id, member.id),
            max_open=limits.max_open,
            is_secretariat=self.actor(member).secretariat,
        )

    async def check_resolve(self, guild_id: int, request_id: int, actor: Actor) -> None:
        """Refuse before the outcome form, so nobody writes an outcome for nothing."""
        record = await self.load(request_id, guild_id)
        rules.resolve(as_rules(record), actor, self.now())
