"""Working groups, thematic partnerships, regions and member profiles."""

from bot.client import S3Bot
from cogs.groups._announce import Announcer
from cogs.groups._cog import GroupsCog
from cogs.groups._queries import GroupQueries
from cogs.groups._reconcile import Reconciler
from cogs.groups._service import GroupService
from cogs.groups._views import (
    FEATURE,
    AnnounceButton,
    CardButton,
    DecisionButton,
    GroupsFeature,
    MembersPageButton,
    RecreateButton,
)


async def setup(bot: S3Bot) -> None:
    queries = GroupQueries(bot)
    service = GroupService(bot, queries, Announcer(bot, queries))
    parts = GroupsFeature(service, Reconciler(bot, service, queries))
    bot.features[FEATURE] = parts  # what the persistent buttons reach
    bot.add_dynamic_items(
        AnnounceButton, CardButton, DecisionButton, MembersPageButton, RecreateButton
    )
    await bot.add_cog(GroupsCog(bot, parts))
