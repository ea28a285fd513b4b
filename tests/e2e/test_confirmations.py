"""What cannot be undone is asked first (review #13): /event cancel and /poll close answer with
an only-you question naming what will happen, and act only on its confirm button. A press on a
question about an event or poll that changed since, or one over 15 minutes old, is refused and
changes nothing, after a restart too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.events_helpers import announcement, create_event, dm_containing, fields
from tests.e2e.polls_helpers import create_poll, poll_message, vote

START = int(datetime(2026, 12, 3, 13, 0, tzinfo=UTC).timestamp())  # 14:00 in Brussels


def labels(message: object) -> list[str]:
    rows = getattr(message, "components", [])
    return [c["label"] for row in rows for c in row["components"]]


async def test_cancel_asks_first_naming_the_event_and_who_will_be_told(
    community: LocalCommunity,
) -> None:
    await create_event(community)
    for name in ("aino", "marco"):
        await community.as_member(name).click(announcement(community), "Going")
    await community.as_member("lena").click(announcement(community), "Can't go")
    sofia = community.as_member("sofia")
    asked = await sofia.slash("event cancel", event=1)
    assert asked.ephemeral
    assert asked.content == (
        f"Cancel **Kick-off** on <t:{START}:F>?\n"
        "Members who answered this date will be told: 2. This cannot be undone."
    )
    assert labels(asked.message) == ["Cancel it", "Keep it"]
    assert announcement(community).embeds[0]["title"] == "Kick-off"  # nothing done yet

    kept = await sofia.click(asked.message, "Keep it")  # type: ignore[arg-type]
    assert kept.content == "Nothing was cancelled." and labels(kept.message) == []
    assert announcement(community).embeds[0]["title"] == "Kick-off"
    assert community.sandbox.dms(community.members["aino"]) == []

    again = await sofia.slash("event cancel", event=1)
    other = await sofia.slash("event cancel", event=1)  # asked twice, e.g. in two windows
    done = await sofia.click(again.message, "Cancel it")  # type: ignore[arg-type]
    assert done.content == "Cancelled; I'm telling the attendees." and labels(done.message) == []
    await community.sandbox.wait_until(
        lambda: announcement(community).embeds[0]["title"] == "Cancelled: Kick-off"
    )
    await dm_containing(community, "marco", "is cancelled")
    # The answered question has no buttons left; the other can't cancel twice.
    twice = await sofia.click(other.message, "Cancel it")  # type: ignore[arg-type]
    assert twice.content == "Event #1 is already cancelled."


async def test_a_finnish_organiser_is_asked_in_finnish_about_one_date_of_a_series(
    community: LocalCommunity,
) -> None:
    await create_event(community, repeat="weekly")
    asked = await community.as_member("olli").slash(
        "event cancel", event=1, occurrence="10.12.2026"
    )
    week = 7 * 24 * 3600
    assert asked.content == (
        f"Peruutetaanko **Kick-off** <t:{START + week}:F> vain tältä kerralta? Sarjan muut "
        "päivät pysyvät.\nKukaan ei ole vielä vastannut tähän päivään. Tätä ei voi perua."
    )
    assert labels(asked.message) == ["Peru se", "Älä peru"]
    whole = await community.as_member("sofia").slash("event cancel", event=1)
    assert whole.content.startswith(
        f"Cancel the whole series **Kick-off**, every date from <t:{START}:F> on?"
    )


async def test_a_press_after_the_event_changed_is_refused_and_changes_nothing(
    community: LocalCommunity,
) -> None:
    await create_event(community)
    await community.as_member("aino").click(announcement(community), "Going")
    sofia = community.as_member("sofia")
    asked = await sofia.slash("event cancel", event=1)
    await sofia.slash("event edit", event=1, start="2026-12-04 14:00")
    late = await sofia.click(asked.message, "Cancel it")  # type: ignore[arg-type]
    assert late.content == (
        "Event #1 changed since you were asked, so nothing was cancelled: run /event cancel "
        "again to see it as it is now."
    )
    await community.sandbox.wait_until(
        lambda: fields(announcement(community))["Answers"].startswith("Going: 1")
    )
    assert announcement(community).embeds[0]["title"] == "Kick-off"


async def test_a_question_survives_a_restart_but_not_15_minutes(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_event(community)
    sofia = community.as_member("sofia")
    old = await sofia.slash("event cancel", event=1)
    clock.advance(timedelta(minutes=16))
    fresh = await sofia.slash("event cancel", event=1)
    await community.restart_bot()

    stale = await sofia.click(old.message, "Cancel it")  # type: ignore[arg-type]
    assert stale.content == (
        "This question was asked more than 15 minutes ago, so I did nothing: run the command again."
    )
    assert announcement(community).embeds[0]["title"] == "Kick-off"
    done = await sofia.click(fresh.message, "Cancel it")  # type: ignore[arg-type]
    assert done.content == "Cancelled; I'm telling the attendees."


async def test_only_an_organiser_can_confirm(community: LocalCommunity) -> None:
    await create_event(community)
    refused = await community.as_member("marco").slash("event cancel", event=1)
    assert refused.content.startswith("Only organisers (the Organisers role) can cancel events.")
    assert labels(refused.message) == []


async def test_close_asks_first_with_the_turnout_and_the_deadline(
    community: LocalCommunity,
) -> None:
    await create_poll(community, question="Lunch?", options="Pizza\nSushi", closes="in 2 days")
    await vote(community, "marco", ["Pizza"])
    sofia = community.as_member("sofia")
    asked = await sofia.slash("poll close", poll=1)
    assert asked.ephemeral
    lines = asked.content.splitlines()
    assert lines[0] == "Close poll #1 **Lunch?** now?"
    assert lines[1].startswith("1 of ") and lines[1].endswith(" have voted (20 %).")
    assert lines[2].startswith("Otherwise it closes <t:")
    assert lines[3] == (
        "Nobody can vote after this and the results are shown. This cannot be undone."
    )
    assert labels(asked.message) == ["Close it now", "Keep it open"]

    kept = await sofia.click(asked.message, "Keep it open")  # type: ignore[arg-type]
    assert kept.content == "The poll stays open."
    assert not poll_message(community).embeds[0]["title"].startswith("Closed")

    again = await sofia.slash("poll close", poll=1)
    other = await sofia.slash("poll close", poll=1)
    done = await sofia.click(again.message, "Close it now")  # type: ignore[arg-type]
    if labels(done.message):
        await done.wait_edit(timeout=15)
    assert done.content == "Poll #1 is closed; its message shows the results."
    await community.sandbox.wait_until(
        lambda: poll_message(community).embeds[0]["title"].startswith("Closed")
    )
    twice = await sofia.click(other.message, "Close it now")  # type: ignore[arg-type]
    assert twice.content == "Poll #1 is already closed."


async def test_a_close_question_in_finnish_and_after_a_restart(
    community: LocalCommunity,
) -> None:
    await create_poll(community, "olli", question="Kahvi?", options="Kyllä\nEi")
    asked = await community.as_member("olli").slash("poll close", poll=1)
    assert asked.content.startswith("Suljetaanko äänestys #1 **Kahvi?** nyt?")
    assert labels(asked.message) == ["Sulje nyt", "Pidä auki"]
    await community.restart_bot()
    done = await community.as_member("olli").click(asked.message, "Sulje nyt")  # type: ignore[arg-type]
    if labels(done.message):
        await done.wait_edit(timeout=15)
    assert done.content.startswith("Äänestys #1 on suljettu")
