"""Times are kept to the whole minute (issue 13): a start pasted with seconds still works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.events_helpers import announcement, create_event, fields


async def test_pasted_discord_timestamp_with_seconds(
    community: LocalCommunity, clock: FakeClock
) -> None:
    exact = datetime(2026, 11, 28, 13, 29, 14, tzinfo=UTC)  # 15:29:14 in Helsinki
    minute = int(exact.replace(second=0).timestamp())
    result = await create_event(community, start=f"<t:{int(exact.timestamp())}:F>", reminders="1h")
    assert f"<t:{minute}:F>" in result.content
    assert (
        f"<t:{minute}:t>" in result.content and f"<t:{int(exact.timestamp())}:T>" in result.content
    )
    assert "rounded" in result.content
    message = announcement(community)
    assert f"<t:{minute}:F>" in fields(message)["When"]

    answer = await community.as_member("aino").click(message, "Going")
    assert "Tulen" in answer.content, answer.content  # accepted, in Finnish

    clock.advance(timedelta(hours=2, minutes=29))  # 12:29 UTC: the 1 h reminder is due
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    dms = community.sandbox.dms(community.members["aino"])
    assert len(dms) == 1 and dms[0].content.startswith("⏰"), dms
    assert f"<t:{minute}:F>" in dms[0].content
    assert community.db is not None
    failed = await community.db.fetchone(
        "SELECT count(*) FROM scheduled_actions WHERE status != 'pending' AND status != 'done'"
    )
    assert failed is not None and failed[0] == 0


async def test_a_start_in_the_second_pass_of_a_repeated_hour_survives_a_restart(
    community: LocalCommunity,
) -> None:
    # 2027-10-31 01:30 UTC is 03:30 in Helsinki the second time (the clocks went back at 04:00).
    second_pass = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    result = await create_event(
        community, start=f"<t:{int(second_pass.timestamp())}:F>", timezone="Europe/Helsinki"
    )
    assert f"<t:{int(second_pass.timestamp())}:F>" in result.content
    await community.restart_bot()  # the start is read back from the database
    message = announcement(community)
    assert f"<t:{int(second_pass.timestamp())}:F>" in fields(message)["When"]
    answer = await community.as_member("marco").click(message, "Going")
    assert f"<t:{int(second_pass.timestamp())}:f>" in answer.content, answer.content

    refused = await create_event(
        community,
        start=f"<t:{int(second_pass.timestamp())}:F>",
        timezone="Europe/Helsinki",
        repeat="weekly",
    )
    assert "clocks turn back" in refused.content


async def test_a_range_sets_the_end_and_the_answers_show_every_time_understood(
    community: LocalCommunity,
) -> None:
    # The community's zone is Brussels (UTC+1 in December).
    result = await create_event(community, start="3.12.2026 klo 14-16")
    start = int(datetime(2026, 12, 3, 13, 0, tzinfo=UTC).timestamp())
    end = int(datetime(2026, 12, 3, 15, 0, tzinfo=UTC).timestamp())
    assert f"It starts <t:{start}:F> (<t:{start}:R>) and ends <t:{end}:F>." in result.content
    assert f"<t:{end}:t>" in fields(announcement(community))["When"]

    edited = await community.as_member("sofia").slash(
        "event edit", event=1, start="4.12.2026 klo 9:30-11"
    )
    moved, until = (
        int(datetime(2026, 12, 4, h, m, tzinfo=UTC).timestamp()) for h, m in ((8, 30), (10, 0))
    )
    assert "Event #1 is updated." in edited.content  # nobody answered: still shown back
    assert f"It starts <t:{moved}:F> (<t:{moved}:R>) and ends <t:{until}:F>." in edited.content


async def test_end_and_duration_must_agree(community: LocalCommunity) -> None:
    refused = await create_event(
        community, start="2026-12-03 14:00", end="2026-12-03 16:00", duration="1h"
    )
    assert "disagree" in refused.content and refused.modal is None
    agreed = await create_event(
        community, start="2026-12-03 14:00", end="2026-12-03 16:00", duration="2h"
    )
    assert "is announced" in agreed.content
    both = await create_event(community, start="2026-12-03 klo 14-16", duration="2h")
    assert "already says when it ends" in both.content


async def test_a_bare_hour_is_asked_about_not_guessed(community: LocalCommunity) -> None:
    refused = await create_event(community, start="tomorrow at 2")
    assert "can be read as" in refused.content and refused.content.count("<t:") == 2
