"""The public announcement as members see it: one edit per burst of answers, mentions limited to
the audience role, and what stays on it when it is cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity, local_community
from bot.sandbox.transcript import pass_time
from tests.e2e.events_helpers import announcement, confirmed, create_event, fields

REFRESH = 0.5  # the default announcement_refresh_seconds


@pytest.fixture
async def paced(tmp_path: Path, clock: FakeClock) -> AsyncIterator[LocalCommunity]:
    """A community with the announcement refresh at its default, as in production."""
    events = {"announcement_refresh_seconds": REFRESH}
    async with local_community(tmp_path, clock=clock, events=events) as running:
        yield running


async def test_a_burst_longer_than_the_refresh_delay_is_one_edit(paced: LocalCommunity) -> None:
    """Clicks keep coming for longer than the refresh delay, never pausing that long: the
    announcement is edited once, after the burst, with every answer counted. (Editing a fixed
    delay after the first click, as before, gave one edit per delay the burst lasted.)"""
    await create_event(paced, capacity=1000)
    message = announcement(paced)
    crowd = [
        paced.sandbox.add_member(paced.guild, f"crowd{i:03d}", locale="en-GB") for i in range(120)
    ]
    waves = [crowd[i : i + 12] for i in range(0, len(crowd), 12)]
    loop = asyncio.get_running_loop()
    began = loop.time()
    for wave in waves:
        await asyncio.gather(*(paced.sandbox.as_member(m).click(message, "Going") for m in wave))
        await asyncio.sleep(REFRESH / 6)
    assert loop.time() - began > REFRESH * 1.5  # the burst outlasts the delay
    await paced.sandbox.wait_until(
        lambda: fields(announcement(paced))["Answers"].startswith("Going: 120 ")
    )
    await asyncio.sleep(REFRESH * 2)  # a second edit, if any, would come within this
    assert announcement(paced).edits == 1


async def test_a_thousand_clicks_at_once_are_one_edit(paced: LocalCommunity) -> None:
    """1,000 members press Going at the same moment: one edit, with every answer counted.
    (While storing them, the bot may spend longer than the delay between two clicks it
    stores; the edit also waits for clicks being stored. That rule fails without its fix in
    tests/unit/test_announcement_refresh.py; here a loaded machine showed it only sometimes.)"""
    await create_event(paced, capacity=600)
    message = announcement(paced)
    crowd = [
        paced.sandbox.add_member(paced.guild, f"crowd{i:04d}", locale="en-GB") for i in range(1000)
    ]
    loop = asyncio.get_running_loop()
    began = loop.time()
    await asyncio.gather(*(paced.sandbox.as_member(m).click(message, "Going") for m in crowd))
    assert loop.time() - began > REFRESH  # the burst outlasts the delay
    expected = "Going: 600 · Maybe: 0 · Can't go: 0 · On the waitlist: 400"
    await paced.sandbox.wait_until(lambda: fields(announcement(paced))["Answers"] == expected)
    await asyncio.sleep(REFRESH * 2)  # a second edit, if any, would come within this
    assert announcement(paced).edits == 1


async def test_the_announcement_may_ping_its_audience_role_only(
    community: LocalCommunity,
) -> None:
    """The payload the sandbox received, on the post and on every edit: allowed_mentions
    names the audience role by id and parses nothing (no @everyone, no users, no other roles);
    the announcement notified that role only."""
    role = community.roles["Organisers"]
    await create_event(
        community,
        title="@everyone come",
        description=f"Hosted by <@{community.members['aino'].user.id}> for <@&{role.id}> @here",
        audience=role,
    )
    await community.as_member("aino").click(announcement(community), "Going")
    await community.sandbox.wait_until(lambda: announcement(community).edits >= 1)
    message = announcement(community)
    assert message.content == f"<@&{role.id}>"
    expected = {"parse": [], "roles": [role.id]}
    assert len(message.mention_rules) == 1 + message.edits
    assert all(rules == expected for rules in message.mention_rules), message.mention_rules
    assert message.notified() == (False, {role.id}, set())


async def test_without_an_audience_the_announcement_pings_nobody(
    community: LocalCommunity,
) -> None:
    await create_event(community)
    message = announcement(community)
    assert message.mention_rules == [{"parse": []}]
    assert message.notified() == (False, set(), set())


START = int(datetime(2026, 12, 3, 13, 0, tzinfo=UTC).timestamp())  # 14:00 in Brussels
END = START + 3600


async def test_a_cancelled_event_keeps_its_date_place_and_final_counts(
    community: LocalCommunity,
) -> None:
    await create_event(community, capacity=5)
    aino = await community.as_member("aino").click(announcement(community), "Going")
    marco = community.as_member("marco")
    await marco.click(announcement(community), "Maybe")
    sofia = await community.as_member("sofia").click(announcement(community), "Can't go")
    cancelled = await confirmed(community.as_member("sofia"), "event cancel", event=1)
    assert cancelled.ephemeral and "Cancelled" in cancelled.content

    message = await community.sandbox.wait_until(
        lambda: (m := announcement(community)).embeds[0]["title"] == "Cancelled: Kick-off" and m
    )
    shown = fields(message)
    assert shown["When"] == f"~~<t:{START}:F> – <t:{END}:t>~~"  # the date, struck through
    assert "https://meet.example.org/kickoff" in shown["Where"]
    assert shown["Places"] == "1 of 5 taken"
    assert shown["Final answers"] == "Going: 1 · Maybe: 1 · Can't go: 1"
    assert message.components == []  # no buttons that look as if they still worked
    # /event info shows the same.
    info = await marco.slash("event info", event=1)
    assert fields(info.message)["Final answers"] == "Going: 1 · Maybe: 1 · Can't go: 1"  # type: ignore[arg-type]

    # The buttons on an earlier answer get a clear answer, in each member's language.
    late = await community.as_member("aino").click(aino.message, "Tulen")  # type: ignore[arg-type]
    assert late.ephemeral and late.content == "**Kick-off** on peruttu; vastaaminen on suljettu."
    again = await community.as_member("sofia").click(sofia.message, "Going")  # type: ignore[arg-type]
    assert again.content == "**Kick-off** was cancelled; answers are closed."
    assert fields(announcement(community))["Final answers"] == "Going: 1 · Maybe: 1 · Can't go: 1"


async def test_a_cancelled_date_of_a_series_stays_on_its_announcement(
    community: LocalCommunity,
) -> None:
    await create_event(community, repeat="weekly")
    first = await community.as_member("aino").click(announcement(community), "Going")
    own = await community.as_member("sofia").click(announcement(community), "Maybe")
    await confirmed(community.as_member("sofia"), "event cancel", event=1, occurrence="3.12.2026")

    week = 7 * 24 * 3600
    message = await community.sandbox.wait_until(
        lambda: (
            (m := announcement(community)) and f"<t:{START + week}:F>" in fields(m)["When"] and m
        )
    )
    assert message.embeds[0]["title"] == "Kick-off"  # the series goes on
    shown = fields(message)
    assert shown["Cancelled dates"] == (
        f"~~<t:{START}:F> – <t:{END}:t>~~: Going: 1 · Maybe: 1 · Can't go: 0"
    )
    assert shown["Answers"] == "Going: 0 · Maybe: 0 · Can't go: 0"  # the next date's
    labels = [c["label"] for row in message.components for c in row["components"]]
    assert labels == ["Going", "Maybe", "Can't go"]  # for the next date

    late = await community.as_member("aino").click(first.message, "Tulen")  # type: ignore[arg-type]
    assert late.content.startswith(f"**Kick-off** <t:{START}:F> on peruttu")
    english = await community.as_member("sofia").click(own.message, "Going")  # type: ignore[arg-type]
    assert english.content == (
        f"**Kick-off** on <t:{START}:F> was cancelled; answers for it are closed. "
        "Its announcement shows the next date."
    )
    # The next date still takes answers.
    going = await community.as_member("marco").click(message, "Going")
    assert f"<t:{START + week}:f>" in going.content


async def test_the_announcement_loses_its_buttons_when_the_event_ends_across_a_restart(
    community: LocalCommunity, clock: FakeClock
) -> None:
    """Review: the buttons stayed after the end until something redrew the announcement. The
    end is a scheduled action, stored, so a restart in between does not lose it."""
    await create_event(community, start="in 2 hours", capacity=3)
    await community.as_member("aino").click(announcement(community), "Going")
    await pass_time(community, clock, clock.now() + timedelta(hours=2, minutes=30))
    under_way = announcement(community)
    labels = [c["label"] for row in under_way.components for c in row["components"]]
    assert labels == ["Going", "Maybe", "Can't go"]  # while it runs, answers still count
    await community.restart_bot()
    await pass_time(community, clock, clock.now() + timedelta(hours=1))
    ended = await community.sandbox.wait_until(
        lambda: (m := announcement(community)).components == [] and m
    )
    shown = fields(ended)
    assert shown["When"].endswith("(ended)")
    assert shown["Final answers"] == "Going: 1 · Maybe: 0 · Can't go: 0"
    assert shown["Places"] == "1 of 3 taken"
