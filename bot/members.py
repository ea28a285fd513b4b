"""What every feature does with members: speak their language, DM them, name them, check what
they may do, and read times in their zone.

One instance lives on the bot (``bot.members``); events, groups, polls and support all use it
rather than keeping their own copies:

* languages: a member's language is remembered whenever they use the bot (any interaction,
  :meth:`Members.remember`), so a DM sent later, when no interaction is at hand, speaks it too;
* DMs: :meth:`Members.dm` sends one, :meth:`Members.dm_each` composes one per member in their
  language; a closed DM is logged and skipped, never raised;
* names: :meth:`Members.display_name`, the member's id when they have left;
* who sees what: :meth:`Members.sees` (a member, or everyone) can see a channel, by Discord's own
  permission resolution; what was posted in a private channel is told only to those who see it;
* who may do what: a :class:`Who` names a group of members and how to tell one; organisers and the
  secretariat are built in, a feature adds its own (a working group's leads) the same way, and
  :meth:`Members.require` refuses everyone else with one message naming what was asked;
* time zones: :meth:`Members.zone` (the member's own, else the community's), :func:`pick_zone`
  for a typed zone (bot/zones.py, shared with the time grammar) and :func:`zone_choices` for
  autocomplete.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.answering import fit
from bot.errors import UserFacingError
from bot.i18n import _, language_of, translate
from bot.timeparse import DEFAULT_ZONE_NOTE
from bot.tree import interaction_language
from bot.zones import folded, zone_words
from bot.zones import pick_zone as pick_zone  # re-exported: features pick zones from here
from db import prefs
from db.groups import GroupRecord, Groups
from db.prefs import MemberPrefs

if TYPE_CHECKING:
    from bot.client import S3Bot

log = logging.getLogger(__name__)

# Offered first when a member has typed nothing yet: the community's usual zones.
USUAL_ZONES = (
    "Europe/Brussels",
    "Europe/Helsinki",
    "Europe/Lisbon",
    "Europe/Berlin",
    "Europe/Athens",
    "UTC",
)


# -- time zones -------------------------------------------------------------------------------


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete: zones whose IANA name, city or country (English or Finnish) matches what
    the member typed, exact names and starts of names first; the usual ones when empty."""
    needle = folded(current)
    if not needle:
        return [app_commands.Choice(name=z, value=z) for z in USUAL_ZONES]
    ranked = []
    for zone, words in zone_words().items():
        if needle in words:
            rank = 0
        elif any(w.startswith(needle) for w in words):
            rank = 1
        elif any(needle in w for w in words):
            rank = 2
        else:
            continue
        ranked.append((rank, zone not in USUAL_ZONES, zone))
    return [app_commands.Choice(name=z, value=z) for _r, _u, z in sorted(ranked)[:25]]


# -- who may do what --------------------------------------------------------------------------

Check = Callable[[discord.Member], bool | Awaitable[bool]]


@dataclass(frozen=True)
class Who:
    """A group of members who may do something: how the refusal names them, and the check.

    ``label`` is a catalog string (``_("organisers (the {role} role)")``) filled with
    ``params`` in the member's language; ``check`` may be a coroutine (a group's leads are read
    from the database)."""

    label: str
    check: Check
    params: dict[str, object] = field(default_factory=dict)

    async def admits(self, member: discord.Member) -> bool:
        verdict = self.check(member)
        return bool(await verdict) if inspect.isawaitable(verdict) else bool(verdict)

    def describe(self, language: str) -> str:
        return translate(language, self.label, **self.params)


def role_text(ref: str | int) -> str:
    """A configured role as a message shows it: its name, or a mention when set by id (Discord
    shows the role's name; the bot's messages ping nobody)."""
    return f"<@&{ref}>" if isinstance(ref, int) else ref


# -- the members service ----------------------------------------------------------------------


def asker(interaction: discord.Interaction[Any]) -> discord.Member | int:
    """Who is asking, as :meth:`bot.members.Members.sees` takes them (the id outside a guild,
    where nobody sees a guild's channels)."""
    user = interaction.user
    return user if isinstance(user, discord.Member) else user.id


class Members:
    """Languages, DMs, names, permissions and zones of the community's members."""

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self._known: dict[tuple[int, int], str] = {}  # (guild, user) -> language last stored
        self._unsaved: dict[tuple[int, int], str] = {}
        self._saving: asyncio.Task[None] | None = None
        roles = bot.settings.roles
        self.organisers = Who(
            _("organisers (the {role} role)"),
            self.is_organiser,
            {"role": role_text(roles.organisers)},
        )
        self.secretariat = Who(
            _("the secretariat (the {role} role)"),
            self.is_secretariat,
            {"role": role_text(roles.secretariat)},
        )

    # -- languages ----------------------------------------------------------------------------

    def remember(self, interaction: discord.Interaction[Any]) -> None:
        """Keep the language of a member who just used the bot, so DMs sent later speak it.

        Changes are saved together in the background, one write for all the members of a
        burst, through the database's batched writes: remembering costs a click no trip."""
        if interaction.guild_id is None:
            return
        key = (interaction.guild_id, interaction.user.id)
        language = interaction_language(interaction)
        if self._known.get(key) == language:
            return
        self._known[key] = language
        self._unsaved[key] = language
        if self._saving is None:
            self._saving = asyncio.create_task(self._save())

    async def _save(self) -> None:
        try:
            while self._unsaved:
                batch, self._unsaved = self._unsaved, {}
                rows = [(guild, user, language) for (guild, user), language in batch.items()]
                await self.bot.db.batched(prefs.remember_languages, rows)
        except Exception:
            log.exception("could not store members' languages")
        finally:
            self._saving = None

    async def flush(self) -> None:
        """Save the languages not saved yet (the bot does before the database closes)."""
        if self._saving is not None:
            await self._saving

    async def preferences(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, MemberPrefs]:
        """Each member's stored preferences (defaults for those who never set any). Asking
        for nobody costs no trip to the database (an RSVP that moved nobody up asks so)."""
        wanted = list(dict.fromkeys(user_ids))
        if not wanted:
            return {}
        stored = await self.bot.db.read(prefs.many, guild_id, wanted)
        return {u: stored.get(u, MemberPrefs()) for u in wanted}

    def speaks(self, prefs: MemberPrefs) -> str:
        """The language to write to a member in: theirs if known, else the community's."""
        return language_of(prefs.language, self.bot.default_language)

    async def languages(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        """The language to write to each member in (see :meth:`speaks`)."""
        stored = await self.preferences(guild_id, user_ids)
        return {user: self.speaks(prefs) for user, prefs in stored.items()}

    async def language(self, guild_id: int, user_id: int) -> str:
        return (await self.languages(guild_id, [user_id]))[user_id]

    # -- direct messages ----------------------------------------------------------------------

    async def dm(
        self, user_id: int, *, nonce: str | None = None, **message: Any
    ) -> discord.Message | None:
        """DM a member; a closed DM (or a member gone) is logged and skipped, never raised.
        Returns the message sent (to edit it later), or None.

        A scheduled send (``RunContext.once``) passes its ``nonce``: then any other failure
        (a 5xx or 429 past discord.py's own retries) is raised, so the scheduler tries again
        later with the same nonce instead of the DM being skipped for good. The message is
        cut to Discord's limits as answers are (:func:`bot.answering.fit`)."""
        message = fit(message)
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            if nonce is None:
                return await user.send(**message)
            return await user.send(nonce=nonce, **message)
        except (discord.Forbidden, discord.NotFound):
            log.info("DMs closed for member %s (or they are gone); skipped", user_id)
            return None
        except discord.HTTPException as exc:
            if nonce is not None:
                raise
            log.warning("DM to %s failed: %s", user_id, exc)
            return None

    async def dm_once(self, user_id: int, content: str, nonce: str) -> bool:
        """The DM of a scheduled send: ``partial(members.dm_once, user, text)`` is what
        ``RunContext.once`` takes."""
        return await self.dm(user_id, content=content, nonce=nonce) is not None

    async def dm_each(
        self, guild_id: int, user_ids: Iterable[int], compose: Callable[[str], str]
    ) -> int:
        """DM each member ``compose(their language)``; returns how many were sent."""
        languages = await self.languages(guild_id, user_ids)
        sent = 0
        for user_id, language in languages.items():
            sent += await self.dm(user_id, content=compose(language)) is not None
        return sent

    # -- names --------------------------------------------------------------------------------

    def display_name(self, guild_id: int, user_id: int) -> str:
        """A member's display name in the guild, or their id when they have left."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        return member.display_name if member else str(user_id)

    # -- who sees what -----------------------------------------------------------------------

    def sees(self, guild_id: int, channel_id: int, who: discord.Member | int | None) -> bool:
        """Whether ``who`` can see a channel: a member (or their id), or with None everyone
        (the @everyone role). Discord's own resolution: roles, overwrites, administrator.

        A channel that is gone, or someone no longer in the guild, sees nothing: what was posted
        in a private channel must not be told to those outside it, so doubt hides."""
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild else None
        if guild is None or channel is None:
            return False
        if who is None:
            target: discord.Member | discord.Role | None = guild.default_role
        elif isinstance(who, int):
            target = guild.get_member(who)
        else:
            target = who
        return target is not None and channel.permissions_for(target).view_channel

    # -- who may do what ----------------------------------------------------------------------

    def has_role(self, member: discord.Member, ref: str | int) -> bool:
        """Whether the member has a configured role (named or by id)."""
        role = self.bot.find_role(member.guild, ref)
        return role is not None and role in member.roles

    def is_organiser(self, member: discord.Member) -> bool:
        """The organisers role, or Discord's Manage Events (or administrator)."""
        permissions = member.guild_permissions
        if permissions.manage_events or permissions.administrator:
            return True
        return self.has_role(member, self.bot.settings.roles.organisers)

    def is_secretariat(self, member: discord.Member) -> bool:
        """The secretariat role (or administrator)."""
        if member.guild_permissions.administrator:
            return True
        return self.has_role(member, self.bot.settings.roles.secretariat)

    def leads(self, group: GroupRecord) -> Who:
        """A working group's or partnership's leads: organisers for their group's events,
        managers of its members (read from the groups' tables, so any feature may ask)."""
        groups = Groups(self.bot.db)

        async def check(member: discord.Member) -> bool:
            found = await groups.membership(group.id, member.id)
            return found is not None and found.lead

        return Who(_("the leads of {group}"), check, {"group": group})

    async def require(
        self, interaction: discord.Interaction[Any], *allowed: Who, action: str
    ) -> discord.Member:
        """The member, if one of ``allowed`` admits them; else the one refusal, which names
        what was asked (``action``, a catalog string such as ``_("cancel events")``) and who may
        do it, in the member's language."""
        member = interaction.user
        if isinstance(member, discord.Member):
            for who in allowed:
                if await who.admits(member):
                    return member
        language = interaction_language(interaction)
        from babel.lists import format_list  # Babel's locale data: not needed before ready

        raise UserFacingError(
            _("Only {who} can {action}. Ask one of them if it needs doing."),
            who=format_list([who.describe(language) for who in allowed], "or", language),
            action=translate(language, action),
        )

    # -- time zones ---------------------------------------------------------------------------

    async def zone(self, guild_id: int, user_id: int) -> ZoneInfo:
        """The zone a member's typed times are read in: their own, else the community's."""
        return (await self.reading_zone(guild_id, user_id))[0]

    async def reading_zone(self, guild_id: int, user_id: int) -> tuple[ZoneInfo, str | None]:
        """The zone a member's typed times are read in, with what to tell them when it is not
        theirs (the community's default: a "klo 14" read an hour off otherwise goes unexplained);
        pass it to ``parse_when(zone_note=...)``."""
        mine = await self.bot.db.read(prefs.get, guild_id, user_id)
        if mine.timezone:
            return ZoneInfo(mine.timezone), None
        return self.bot.default_timezone, DEFAULT_ZONE_NOTE
