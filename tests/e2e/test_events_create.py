"""Creating events: the announcement members see, who may create, and bad input refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.local import LocalCommunity
from tests.e2e.events_helpers import announcement, create_event, event_rows, fields


async def test_organiser_announces_an_event(community: LocalCommunity) -> None:
    result = await create_event(
        community, description="Agenda: priorities for 2027.", capacity=30, reminders="1d, 1h"
    )
    assert result.ephemeral
    assert "Event #1 is announced" in result.content
    start = int(datetime(2026, 12, 3, 13, 0, tzinfo=UTC).timestamp())  # 14:00 in Brussels
    assert f"<t:{start}:F>" in result.content  # the time understood, shown back

    message = announcement(community)
    embed = message.embeds[0]
    assert embed["title"] == "Kick-off"
    assert embed["description"] == "Agenda: priorities for 2027."
    shown = fields(message)
    assert f"<t:{start}:F>" in shown["When"] and f"<t:{start}:R>" in shown["When"]
    assert "https://meet.example.org/kickoff" in shown["Where"]
    assert shown["Places"] == "0 of 30 taken"
    assert shown["Answers"] == "Going: 0 · Maybe: 0 · Can't go: 0"
    labels = [c["label"] for row in message.components for c in row["components"]]
    assert labels == ["Going", "Maybe", "Can't go"]
    assert not message.content  # nobody pinged unless an audience role is chosen


async def test_audience_role_is_pinged_and_title_mentions_are_not(
    community: LocalCommunity,
) -> None:
    await create_event(community, title="@everyone come", audience=community.roles["Organisers"])
    message = announcement(community)
    assert message.content == f"<@&{community.roles['Organisers'].id}>"
    assert message.embeds[0]["title"] == "@everyone come"


async def test_finnish_organiser_gets_finnish_answers(community: LocalCommunity) -> None:
    result = await create_event(community, member="olli", start="3.12. klo 14")
    assert "Tapahtumasta #1 on ilmoitettu" in result.content


async def test_member_without_organiser_role_is_refused(community: LocalCommunity) -> None:
    result = await community.as_member("marco").slash(
        "event create",
        title="Mine",
        start="tomorrow 14:00",
        format="online",
        link="https://x.example.org",
    )
    assert result.ephemeral and result.modal is None
    assert "Only organisers" in result.content
    assert await event_rows(community) == 0


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"start": "whenever"}, "couldn't read"),
        ({"start": "2026-11-01 10:00"}, "in the past"),
        ({"end": "2026-12-03 13:00"}, "end must come after"),
        ({"capacity": 0}, "at least 1"),
        ({"link": "ftp://files.example.org"}, "https://"),
        ({"format": "live", "link": None}, "needs a venue"),
        ({"title": "x" * 101}, "within 100"),
        ({"start": "2027-03-28 03:30", "timezone": "Europe/Helsinki"}, "does not exist"),
        ({"timezone": "Mars/Olympus"}, "not a time zone"),
        ({"reminders": "soonish"}, ""),
        ({"repeat": "FREQ=SECONDLY"}, ""),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    community: LocalCommunity, options: dict[str, object], fragment: str
) -> None:
    options = {k: v for k, v in options.items()}
    result = await create_event(community, **options)
    assert result.ephemeral and result.modal is None
    assert fragment in result.content
    assert result.content
    assert await event_rows(community) == 0
    assert community.sandbox.messages(community.channels["events"]) == []


async def test_ambiguous_time_takes_the_first_and_says_so(community: LocalCommunity) -> None:
    result = await create_event(community, start="2027-10-31 03:30", timezone="Europe/Helsinki")
    assert "twice" in result.content
    first = int(datetime(2027, 10, 31, 0, 30, tzinfo=UTC).timestamp())  # 03:30 EEST
    assert f"<t:{first}:F>" in result.content


async def test_description_over_the_limit_is_refused(community: LocalCommunity) -> None:
    result = await community.as_member("sofia").slash(
        "event create",
        title="Long",
        start="tomorrow 14:00",
        format="online",
        link="https://x.example.org",
    )
    assert result.modal is not None
    # Discord's modal caps the field at our limit; the sandbox refuses longer input like it.
    field = result.modal["components"][0]["components"][0]
    assert field["max_length"] == 1000
