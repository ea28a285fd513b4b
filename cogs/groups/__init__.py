"""Working groups, thematic partnerships, regions and member profiles."""

from bot.client import S3Bot
from cogs.groups._cog import GroupsCog
from cogs.groups._service import GroupService
from cogs.groups._views import (
    FEATURE,
    AnnounceButton,
    CardButton,
    DecisionButton,
    MembersPageButton,
    RecreateButton,
)


async def setup(bot: S3Bot) -> None:
    service = GroupService(bot)
    bot.features[FEATURE] = service  # what the persistent buttons reach
    bot.add_dynamic_items(
        AnnounceButton, CardButton, DecisionButton, MembersPageButton, RecreateButton
    )
    await bot.add_cog(GroupsCog(bot, service))
