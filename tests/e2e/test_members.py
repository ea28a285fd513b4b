"""The shared members module: languages remembered on any use, the one refusal, DMs in each
member's language, and zones."""

from __future__ import annotations

import pytest

from bot.errors import UserFacingError
from bot.local import LocalCommunity
from bot.members import Who, pick_zone, zone_choices
from tests.e2e.events_helpers import announcement, create_event, dm_containing


async def test_a_members_language_is_remembered_whatever_they_use(
    community: LocalCommunity,
) -> None:
    bot = community.bot
    assert bot is not None
    aino, lena = community.members["aino"].user.id, community.members["lena"].user.id
    await community.as_member("aino").slash("about")  # no event involved
    await bot.members.flush()
    languages = await bot.members.languages(community.guild.id, [aino, lena])
    assert languages == {aino: "fi", lena: "en"}  # Lena (German) never came: the default


async def test_a_dm_speaks_the_language_remembered_from_an_earlier_command(
    community: LocalCommunity,
) -> None:
    bot = community.bot
    assert bot is not None
    olli = community.members["olli"].user.id
    await community.as_member("olli").slash("help")
    await bot.members.flush()

    sent = await bot.members.dm_each(
        community.guild.id,
        [olli],
        lambda language: "Hei" if language == "fi" else "Hello",
    )
    assert sent == 1
    await dm_containing(community, "olli", "Hei")


async def test_a_closed_dm_is_skipped_and_counted_as_not_sent(community: LocalCommunity) -> None:
    bot = community.bot
    assert bot is not None
    closed = community.sandbox.add_member(community.guild, "Closed", dms_open=False)
    assert await bot.members.dm(closed.user.id, content="hello") is None
    sent = await bot.members.dm(community.members["aino"].user.id, content="hello")
    assert sent is not None and sent.content == "hello"


async def test_the_refusal_names_what_was_asked_in_the_members_language(
    community: LocalCommunity,
) -> None:
    await create_event(community)
    english = await community.as_member("marco").slash("event cancel", event=1)
    assert english.content.startswith("Only organisers (the Organisers role) can cancel events.")
    finnish = await community.as_member("aino").slash("event attendees", event=1)
    assert "Organisers" in finnish.content and "Only" not in finnish.content
    assert announcement(community).embeds[0]["title"] == "Kick-off"  # nothing changed


async def test_display_names_fall_back_to_the_id_of_a_member_who_left(
    community: LocalCommunity,
) -> None:
    bot = community.bot
    assert bot is not None
    aino = community.members["aino"].user.id
    assert bot.members.display_name(community.guild.id, aino) == "Aino"
    assert bot.members.display_name(community.guild.id, 4242) == "4242"


async def test_a_feature_adds_its_own_who_with_a_check_that_reads_storage() -> None:
    async def leads(member: object) -> bool:
        return member == "lead"

    who = Who("the leads of {group}", leads, {"group": "Smart regions"})  # type: ignore[arg-type]
    assert await who.admits("lead")  # type: ignore[arg-type]
    assert not await who.admits("member")  # type: ignore[arg-type]
    assert who.describe("en") == "the leads of Smart regions"


def test_zones_are_picked_from_the_iana_list() -> None:
    assert pick_zone("Europe/Helsinki").key == "Europe/Helsinki"
    with pytest.raises(UserFacingError, match="not a time zone"):
        pick_zone("Mars/Olympus")
    assert [c.value for c in zone_choices("helsin")] == ["Europe/Helsinki"]
    assert zone_choices("")[0].value == "Europe/Brussels"
