"""What other features may ask about groups, read-only: events' ``group:`` option and a group's
events, support's form prefilled from a profile, autocomplete of a group's name, and polls'
group electorates (members, leads, regions). Other features
reach groups through this module only, never through its private modules or its repository
(``tests/unit/test_layout.py`` holds them to that)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import regions
from db.groups import GroupRecord, Groups, Profile

if TYPE_CHECKING:
    from bot.client import S3Bot

__all__ = ["GroupDirectory", "GroupRecord", "Profile"]


class GroupDirectory:
    """Groups as records, looked up by what members type or where events are announced."""

    def __init__(self, bot: S3Bot) -> None:
        self._groups = Groups(bot.db)

    async def named(self, guild_id: int | None, ref: str) -> GroupRecord | None:
        """A group by the id autocomplete sends, or by a name typed in either language."""
        return await self._groups.named(guild_id or 0, ref)

    async def get(self, group_id: int) -> GroupRecord | None:
        return await self._groups.get(group_id)

    async def member_ids(self, group_id: int) -> list[int]:
        """The group's members (leads first)."""
        return [m.user_id for m in await self._groups.members(group_id)]

    async def is_lead(self, group_id: int, user_id: int) -> bool:
        found = await self._groups.membership(group_id, user_id)
        return found is not None and found.lead

    async def profiles(self, guild_id: int, user_ids: list[int]) -> dict[int, Profile]:
        """The profiles of these members that exist (polls: each member's region)."""
        return await self._groups.profiles(guild_id, user_ids)

    async def of_channel(self, guild_id: int | None, channel_id: int) -> GroupRecord | None:
        """The group whose channel this is (its events are announced there)."""
        return await self._groups.by_channel(guild_id or 0, channel_id)

    async def choices(
        self, guild_id: int | None, language: str, typed: str, *, archived: bool | None = False
    ) -> list[tuple[str, str]]:
        """Autocomplete: (name in the member's language, id) of the groups whose name in either
        language holds what was typed; ``archived`` None offers archived groups too."""
        needle = regions.loose(typed)
        found = []
        for group in await self._groups.in_guild(guild_id or 0, archived=archived):
            names = [group.name] + ([group.name_fi] if group.name_fi else [])
            if any(needle in regions.loose(n) for n in names):
                found.append((group.display_name(language)[:100], str(group.id)))
        return found[:25]

    async def profile(self, guild_id: int, user_id: int) -> Profile | None:
        """A member's profile (region, organisation), if they set one."""
        return await self._groups.profile(guild_id, user_id)
