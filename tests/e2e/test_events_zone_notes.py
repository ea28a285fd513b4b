"""Which zone a typed time was read in, told to the member who did not choose it (review 2, #4).

Olli's Discord shows Helsinki time, but he set no zone: "klo 14" is read in the community's
default (Europe/Brussels). The answer says so in his language, with how to set his own; with his
own zone set, nothing extra is said.
"""

from __future__ import annotations

from bot.local import LocalCommunity
from tests.e2e.events_helpers import create_event
from tests.e2e.polls_helpers import create_poll


async def test_a_time_read_in_the_default_zone_says_so_in_the_members_language(
    community: LocalCommunity,
) -> None:
    olli = await create_event(community, member="olli", start="huomenna klo 14")
    assert "Tapahtumasta #1 on ilmoitettu" in olli.content
    assert "“huomenna klo 14” vyöhykkeellä Europe/Brussels" in olli.content
    assert "/aikavyöhyke aseta" in olli.content
    sofia = await create_event(community, start="tomorrow 15:00")
    assert "“tomorrow 15:00” in Europe/Brussels time, the server's default" in sofia.content
    assert "/timezone set" in sofia.content


async def test_with_their_own_zone_set_nothing_more_is_said(community: LocalCommunity) -> None:
    await community.as_member("olli").slash("timezone set", zone="Europe/Helsinki")
    olli = await create_event(community, member="olli", start="huomenna klo 14")
    assert "Tapahtumasta #1 on ilmoitettu" in olli.content
    assert "oletus" not in olli.content and "/aikavyöhyke" not in olli.content
    named = await create_event(community, start="tomorrow 14:00 UTC")
    assert "the server's default" not in named.content


async def test_a_refusal_showing_both_readings_names_the_zone(community: LocalCommunity) -> None:
    refused = await create_event(community, member="olli", start="huomenna klo 2")
    assert refused.ephemeral and refused.modal is None
    assert "voi tarkoittaa" in refused.content
    assert "vyöhykkeellä Europe/Brussels" in refused.content


async def test_an_edit_says_it_read_the_time_in_the_events_zone(
    community: LocalCommunity,
) -> None:
    await create_event(community, timezone="Europe/Lisbon")
    await community.as_member("sofia").slash("timezone set", zone="Europe/Helsinki")
    edited = await community.as_member("sofia").slash("event edit", event=1, start="3.12. 16:00")
    assert "“3.12. 16:00” in Europe/Lisbon time, the event's time zone" in edited.content


async def test_a_poll_close_read_in_the_default_zone_says_so(community: LocalCommunity) -> None:
    result = await create_poll(community, member="olli", closes="huomenna klo 12")
    assert "vyöhykkeellä Europe/Brussels" in result.content
