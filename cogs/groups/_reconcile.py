"""Groups and Discord agreeing again: at start (and after a new gateway session) every group's
members are compared with its role's holders, what an admin changed by hand meanwhile is read
back, the bot's own unfinished changes are finished, roles and channels deleted by hand are
reported, and the groups declared in the settings are made.

The reconcile decides; the writes are the service's (its one exit), the Discord steps the
announcer's and the service's.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import discord

from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import _, translate
from cogs.groups._queries import GroupQueries
from cogs.groups._rules import name_key
from cogs.groups._service import GroupService

log = logging.getLogger(__name__)

# What the bot logs for its operator after each server's reconcile (its counts) and when every
# server is done; the tests watch for these too, instead of reading the reconciler's attributes.
RECONCILED = "groups reconciled in %s: %s"
SETTLED = "groups reconciled and declared groups checked in every server"


@dataclass(frozen=True)
class Reconciled:
    """What one server's reconcile wrote (given, taken, read back, missing) and how long it
    took."""

    counts: dict[str, int]
    seconds: float


class Reconciler:
    """Brings the stored groups and Discord's roles and channels back into agreement."""

    def __init__(self, bot: S3Bot, service: GroupService, queries: GroupQueries) -> None:
        self.bot = bot
        self.service = service
        self.queries = queries
        self._last = Reconciled({}, 0.0)
        self._settled = asyncio.Event()  # set once every guild was reconciled at start

    @property
    def language(self) -> str:
        """Admin notes are read by many: they speak the community's language."""
        return self.bot.default_language

    async def reconcile(self, guild: discord.Guild) -> dict[str, int]:
        """Compare every group's members with its role's holders; write to Discord only where
        the bot's own change is unfinished, read back what an admin changed by hand meanwhile.

        ``pending`` tells the two apart: NULL and no role means the role was taken by hand
        (the membership ends), 'add' and no role means the bot never gave it (give it now);
        a role with no membership row was given by hand (a new member)."""
        started = time.perf_counter()
        state = await self.queries.sync_state(guild.id)
        counts = {"given": 0, "taken": 0, "read_back": 0, "missing": 0}
        holders_of: dict[int, set[int]] = {}
        for group in await self.queries.in_guild(guild.id):
            role = guild.get_role(group.role_id or 0)
            channel = guild.get_channel(group.channel_id or 0)
            missing = set()
            if role is None and not (group.archived and group.role_id is None):
                missing.add("role")
            if channel is None:
                missing.add("channel")
            if missing:
                counts["missing"] += 1
                await self.service.report_missing(guild, group, missing)
            if role is not None:
                holders_of[group.id] = {m.id for m in role.members}
        given: list[tuple[int, int]] = []
        taken: list[tuple[int, int]] = []
        to_give: dict[int, list[int]] = {}
        to_take: dict[int, list[int]] = {}
        for group_id, holders in holders_of.items():
            rows = state.get(group_id, {})
            for user_id, pending in rows.items():
                has = user_id in holders
                if pending is None and not has:
                    taken.append((group_id, user_id))
                elif pending == "add":
                    if has:
                        given.append((group_id, user_id))
                    else:
                        to_give.setdefault(group_id, []).append(user_id)
                elif pending == "remove":
                    if has:
                        to_take.setdefault(group_id, []).append(user_id)
                    else:
                        taken.append((group_id, user_id))
            given.extend((group_id, u) for u in holders - rows.keys())
        if given or taken:
            await self.service.read_back(guild.id, given, taken)
        counts["read_back"] = len(given) + len(taken)
        for group_id, users in to_give.items():
            group = await self.queries.load(guild.id, group_id)
            counts["given"] += await self.service.sync_roles(group, users, give=True)
        for group_id, users in to_take.items():
            group = await self.queries.load(guild.id, group_id)
            counts["taken"] += await self.service.sync_roles(group, users, give=False)
        changed = {g for g, _u in given + taken} | to_give.keys() | to_take.keys()
        for group_id in changed:
            self.service.announce.request_refresh(group_id)
        self._last = Reconciled(counts, time.perf_counter() - started)
        log.info(RECONCILED, guild.id, counts)
        return counts

    async def settled(self) -> Reconciled:
        """The last server's reconcile, once every server's is done (when :data:`SETTLED` is
        logged): what a benchmark or a tool outside the bot's process measures."""
        await self._settled.wait()
        return self._last

    async def reconcile_all(self) -> None:
        """Reconcile every server and make its declared groups, then log :data:`SETTLED`."""
        for guild in self.bot.guilds:
            try:
                await self.reconcile(guild)
                await self.ensure_declared(guild)
            except Exception:
                log.exception("reconciling groups in %s failed", guild.id)
        self._settled.set()
        log.info(SETTLED)

    async def ensure_declared(self, guild: discord.Guild) -> list[str]:
        """Groups declared in the settings: made when missing, differences reported once in
        the admin log; the bot never changes or deletes a group on its own."""
        made = []
        for declared in self.bot.settings.groups.declared:
            key = name_key(declared.name)
            found = await self.queries.named(guild.id, declared.name)
            if found is not None:
                differs = [
                    field
                    for field, ours, theirs in (
                        ("name_fi", declared.name_fi, found.name_fi),
                        ("kind", declared.kind, found.kind),
                        ("description", declared.description, found.description),
                        ("joining", declared.joining, found.joining),
                        ("visibility", declared.visibility, found.visibility),
                    )
                    if ours != theirs
                ]
                if differs:
                    await self.bot.admin_log_once(
                        guild,
                        f"groups-declared:{found.id}:{','.join(differs)}",
                        translate(
                            self.language,
                            _(
                                "The group {group} differs from its declaration in the settings "
                                "({fields}); I change nothing by myself."
                            ),
                            group=found.name,
                            fields=", ".join(differs),
                        ),
                    )
                continue
            lead = guild.get_member(declared.lead)
            try:
                if lead is None:
                    raise UserFacingError(
                        _("its lead (groups.declared.lead) is not a member of the server")
                    )
                await self.service.create(
                    guild,
                    guild.me,
                    lead,
                    name=declared.name,
                    name_fi=declared.name_fi,
                    kind=declared.kind,
                    description=declared.description,
                    joining=declared.joining,
                    visibility=declared.visibility,
                )
            except UserFacingError as exc:
                await self.bot.admin_log_once(
                    guild,
                    f"groups-declared-failed:{key}",
                    translate(
                        self.language,
                        _("The declared group {group} was not created: {reason}"),
                        group=declared.name,
                        reason=translate(self.language, exc.message, **exc.params),
                    ),
                )
                continue
            made.append(declared.name)
        return made

    async def lost(self, guild: discord.Guild, *, role_id: int = 0, channel_id: int = 0) -> None:
        """A group's role or channel deleted by hand: the admins hear once, with a button."""
        for group in await self.queries.in_guild(guild.id):
            what = "role" if role_id and group.role_id == role_id else None
            if channel_id and group.channel_id == channel_id:
                what = "channel"
            if what is not None:
                await self.service.report_missing(guild, group, {what})
