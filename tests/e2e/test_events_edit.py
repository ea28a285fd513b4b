"""/event edit changes every option /event create has, shows back every time it understood, and
refuses bad input with the database unchanged; lowering the capacity asks what to do."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity
from bot.sandbox import permissions as perm
from tests.e2e.events_helpers import announcement, confirmed, create_event, dm_containing, fields

START = int(datetime(2026, 12, 3, 13, 0, tzinfo=UTC).timestamp())  # 14:00 in Brussels


async def event_row(community: LocalCommunity) -> tuple[Any, ...]:
    """Event #1 as stored, once its mirror in Discord's events list is (that comes after the
    organiser's answer)."""
    assert community.db is not None
    for _attempt in range(100):
        row = await community.db.fetchone("SELECT * FROM events WHERE id = 1")
        assert row is not None
        if row["discord_event_id"] is not None:
            return tuple(row)
        await asyncio.sleep(0.02)
    raise AssertionError("event #1 was never mirrored")


async def shown_when(
    community: LocalCommunity, check: Any, channel: str = "events"
) -> dict[str, str]:
    """The announcement's fields once ``check(fields)`` holds (it is edited after the answer)."""
    found: dict[str, str] = await community.sandbox.wait_until(
        lambda: (f := fields(announcement(community, channel))) and check(f) and f
    )
    return found


async def answers(community: LocalCommunity) -> dict[str, str]:
    """Each member's stored answer to the event, by name."""
    assert community.db is not None
    rows = await community.db.fetchall("SELECT user_id, answer FROM rsvps WHERE event_id = 1")
    names = {m.user.id: name for name, m in community.members.items()}
    return {names[r[0]]: r[1] for r in rows}


async def test_edit_end_format_and_venue_shows_every_time_understood(
    community: LocalCommunity,
) -> None:
    await create_event(community)
    await community.as_member("aino").click(announcement(community), "Going")
    result = await community.as_member("sofia").slash(
        "event edit", event=1, format="hybrid", venue="Berlaymont, Brussels", end="2026-12-03 16:30"
    )
    end = START + int(2.5 * 3600)
    assert result.ephemeral and "Event #1 is updated." in result.content
    assert f"It starts <t:{START}:F> (<t:{START}:R>) and ends <t:{end}:F>." in result.content
    shown = await shown_when(community, lambda f: "Berlaymont" in f["Where"])
    assert shown["When"] == f"<t:{START}:F> – <t:{end}:t> (<t:{START}:R>)"
    assert "Berlaymont, Brussels" in shown["Where"] and "https://meet" in shown["Where"]
    told = await dm_containing(community, "aino", "Muoto:")  # aino reads Finnish
    assert "Muoto: etätapahtuma → hybriditapahtuma" in told.content, told.content


async def test_edit_repeat_and_time_zone(community: LocalCommunity) -> None:
    await create_event(community)
    sofia = community.as_member("sofia")
    weekly = await sofia.slash("event edit", event=1, repeat="weekly")
    assert f"<t:{START}:F>" in weekly.content
    await shown_when(community, lambda f: f.get("Repeats") == "every week")
    # A new zone alone: the start keeps its clock time (14:00) there.
    helsinki = await sofia.slash("event edit", event=1, timezone="Europe/Helsinki")
    moved = START - 3600  # 14:00 in Helsinki is 12:00 UTC
    assert f"It starts <t:{moved}:F>" in helsinki.content
    shown = await shown_when(community, lambda f: f"<t:{moved}:F>" in f["When"])
    assert shown["Repeats"] == "every week"


async def test_edit_moves_the_announcement_to_another_channel(community: LocalCommunity) -> None:
    sandbox = community.sandbox
    await create_event(community, thread=True)
    old = announcement(community)
    [old_thread] = sandbox.threads(community.channels["events"])
    await community.as_member("aino").click(old, "Going")
    await sandbox.wait_until(lambda: sandbox.scheduled_events(community.guild))
    result = await community.as_member("sofia").slash(
        "event edit", event=1, channel=community.channels["announcements"]
    )
    assert "The announcement moved:" in result.content and f"<t:{START}:F>" in result.content
    new = await sandbox.wait_until(
        lambda: [m for m in sandbox.messages(community.channels["announcements"]) if m.embeds]
    )
    moved = new[-1]
    assert fields(moved)["Answers"] == "Going: 1 · Maybe: 0 · Can't go: 0"  # answers follow
    assert f"/{moved.channel_id}/{moved.id}" in result.content  # the link to it
    # The old announcement says where the event went, without buttons.
    await sandbox.wait_until(lambda: old.embeds[0]["title"] == "Moved: Kick-off")
    assert str(moved.id) in old.embeds[0]["description"] and old.components == []
    # The discussion follows: a new thread under the new announcement, the old one closed.
    [new_thread] = await sandbox.wait_until(
        lambda: sandbox.threads(community.channels["announcements"])
    )
    assert new_thread.name == "Kick-off"
    assert old_thread.archived
    assert str(moved.id) in sandbox.messages(old_thread)[-1].content
    # The new buttons work; the native event is still there.
    going = await community.as_member("marco").click(moved, "Going")
    assert "Your answer for **Kick-off**" in going.content
    assert [e.name for e in sandbox.scheduled_events(community.guild)] == ["Kick-off"]


async def test_edit_audience_thread_and_clearing(community: LocalCommunity) -> None:
    sandbox = community.sandbox
    role = community.roles["Organisers"]
    await create_event(community, capacity=10)
    sofia = community.as_member("sofia")
    await sofia.slash("event edit", event=1, audience=role, thread=True)
    message = await sandbox.wait_until(
        lambda: (m := announcement(community)).content == f"<@&{role.id}>" and m
    )
    assert message.mention_rules[-1] == {"parse": [], "roles": [role.id]}
    [thread] = await sandbox.wait_until(lambda: sandbox.threads(community.channels["events"]))
    assert thread.name == "Kick-off"

    cleared = await sofia.slash("event edit", event=1, clear="capacity")
    assert "updated" in cleared.content
    await shown_when(community, lambda f: "Places" not in f)
    await sofia.slash("event edit", event=1, clear="audience", thread=False)
    await sandbox.wait_until(lambda: announcement(community).content == "")
    await sandbox.wait_until(lambda: thread.archived)
    assert "closed this discussion" in sandbox.messages(thread)[-1].content


BAD_EDITS = {
    "end before start": (
        {"end": "2026-12-03 12:00"},
        "The end must come after the start.",
    ),
    "end and duration disagree": (
        {"end": "2026-12-03 16:00", "duration": "1h"},
        "disagree",
    ),
    "unknown repeat": ({"repeat": "every blue moon"}, ""),
    "hybrid without a venue": (
        {"format": "hybrid"},
        "A live or hybrid event needs a venue",
    ),
    "unknown time zone": ({"timezone": "Mars/Olympus"}, ""),
    "capacity 0": ({"capacity": 0}, "use clear: capacity"),
    "capacity and clear it": ({"capacity": 5, "clear": "capacity"}, "not both"),
    "clear the link of an online event": ({"clear": "link"}, "needs a link"),
    "nothing to change": ({"thread": False}, "Tell me what to change"),
    "start in the past": ({"start": "2026-11-01 10:00"}, "is in the past"),
    "start off the rule's days": ({"repeat": "weekly on monday"}, ""),
}


@pytest.mark.parametrize(("options", "says"), BAD_EDITS.values(), ids=BAD_EDITS.keys())
async def test_bad_edits_are_refused_and_change_nothing(
    community: LocalCommunity, options: dict[str, Any], says: str
) -> None:
    await create_event(community, capacity=5)
    before = await event_row(community)
    result = await community.as_member("sofia").slash("event edit", event=1, **options)
    assert result.ephemeral and says in result.content, result.content
    assert not result.content.startswith("Event #1 is updated"), result.content
    assert await event_row(community) == before
    assert announcement(community).edits == 0


async def crowd_of_three(community: LocalCommunity) -> None:
    await create_event(community, capacity=3)
    for name in ("aino", "marco", "lena"):
        await community.as_member(name).click(announcement(community), "Going")


async def test_lowering_capacity_asks_and_keeping_everyone_shows_full(
    community: LocalCommunity,
) -> None:
    await crowd_of_three(community)
    before = await event_row(community)
    asked = await community.as_member("sofia").slash("event edit", event=1, capacity=1)
    assert "The new limit is 1, and more members than that are going." in asked.content
    assert f"<t:{START}:F>: 3 going" in asked.content
    assert await event_row(community) == before  # nothing stored until the choice
    kept = await community.as_member("sofia").click(asked.message, "Keep everyone")  # type: ignore[arg-type]
    assert "Event #1 is updated." in kept.content and f"<t:{START}:F>" in kept.content
    await community.sandbox.wait_until(
        lambda: fields(announcement(community)).get("Places") == "Full: 3 going, the limit is 1"
    )
    assert await answers(community) == {"aino": "going", "marco": "going", "lena": "going"}
    # A fourth member waits; someone leaving frees no place while the event is over its limit.
    olli = await community.as_member("olli").click(announcement(community), "Going")
    assert "jonotuslist" in olli.content.lower()
    await community.as_member("aino").click(announcement(community), "Can't go")
    assert (await answers(community))["olli"] == "waitlist"


async def test_lowering_capacity_can_move_the_latest_answers_to_the_waitlist(
    community: LocalCommunity,
) -> None:
    await crowd_of_three(community)
    asked = await community.as_member("sofia").slash("event edit", event=1, capacity=1)
    moved = await community.as_member("sofia").click(
        asked.message,  # type: ignore[arg-type]
        "Move the latest 2 to the waitlist",
    )
    assert "Event #1 is updated." in moved.content
    assert moved.message is not None and moved.message.components == []  # asked once
    assert await answers(community) == {"aino": "going", "marco": "waitlist", "lena": "waitlist"}
    await dm_containing(community, "marco", "you are on the waitlist now")
    await dm_containing(community, "lena", "you are on the waitlist now")
    await community.sandbox.wait_until(
        lambda: (
            fields(announcement(community))["Answers"]
            == "Going: 1 · Maybe: 0 · Can't go: 0 · On the waitlist: 2"
        )
    )
    assert fields(announcement(community))["Places"] == "1 of 1 taken"
    # Told exactly once each, and the one who kept her place not at all about the waitlist.
    await asyncio.sleep(0.3)  # a second DM, if any, would come within this
    for name, count in (("marco", 1), ("lena", 1), ("aino", 0)):
        dms = community.sandbox.dms(community.members[name])
        assert sum("waitlist" in m.content or "jonotuslistalla" in m.content for m in dms) == count
    # The waitlist keeps the answer order: a freed place goes to marco first.
    await community.as_member("aino").click(announcement(community), "Can't go")
    assert (await answers(community))["marco"] == "going"


async def test_a_choice_made_after_the_event_changed_is_refused(
    community: LocalCommunity,
) -> None:
    await crowd_of_three(community)
    sofia = community.as_member("sofia")
    asked = await sofia.slash("event edit", event=1, capacity=1)
    await sofia.slash("event edit", event=1, title="Kick-off, renamed")
    late = await sofia.click(asked.message, "Keep everyone")  # type: ignore[arg-type]
    assert late.content == "Event #1 changed meanwhile: run /event edit again."
    await shown_when(community, lambda f: f["Places"] == "3 of 3 taken")


async def test_the_question_survives_a_restart_with_the_edit_it_asked_about(
    community: LocalCommunity,
) -> None:
    await crowd_of_three(community)
    sofia = community.as_member("sofia")
    asked = await sofia.slash("event edit", event=1, capacity=1, title="Kick-off, smaller")
    before = await event_row(community)
    await community.restart_bot()
    assert await event_row(community) == before  # still nothing stored until the choice
    moved = await sofia.click(asked.message, "Move the latest 2 to the waitlist")  # type: ignore[arg-type]
    assert "Event #1 is updated." in moved.content
    assert moved.message is not None and moved.message.components == []
    assert await answers(community) == {"aino": "going", "marco": "waitlist", "lena": "waitlist"}
    await shown_when(community, lambda f: f["Places"] == "1 of 1 taken")
    assert announcement(community).embeds[0]["title"] == "Kick-off, smaller"


async def test_after_a_restart_a_press_on_a_changed_or_old_question_is_refused(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await crowd_of_three(community)
    sofia = community.as_member("sofia")
    changed = await sofia.slash("event edit", event=1, capacity=1)
    await sofia.slash("event edit", event=1, title="Kick-off, renamed")
    old = await sofia.slash("event edit", event=1, capacity=2)
    await community.restart_bot()
    late = await sofia.click(changed.message, "Keep everyone")  # type: ignore[arg-type]
    assert late.content == "Event #1 changed meanwhile: run /event edit again."
    clock.advance(timedelta(minutes=16))
    stale = await sofia.click(old.message, "Keep everyone")  # type: ignore[arg-type]
    assert stale.content == (
        "This question was asked more than 15 minutes ago, so I did nothing: run the command again."
    )
    await shown_when(community, lambda f: f["Places"] == "3 of 3 taken")


async def test_finnish_organiser_is_asked_in_finnish(community: LocalCommunity) -> None:
    await crowd_of_three(community)
    asked = await community.as_member("olli").slash("event edit", event=1, capacity=2)
    assert asked.message is not None
    labels = [c["label"] for row in asked.message.components for c in row["components"]]
    assert labels == ["Pidä kaikki", "Siirrä viimeisimmät 1 jonotuslistalle"]


async def test_a_move_to_a_channel_the_bot_cannot_post_in_is_refused(
    community: LocalCommunity,
) -> None:
    sandbox = community.sandbox
    closed = sandbox.add_channel(
        community.guild, "closed", overwrites={sandbox.bot_user: (0, perm.SEND_MESSAGES)}
    )
    await create_event(community)
    before = await event_row(community)
    result = await community.as_member("sofia").slash("event edit", event=1, channel=closed)
    assert result.ephemeral and "I can't post in" in result.content
    assert await event_row(community) == before
    assert sandbox.messages(closed) == []
    assert announcement(community).embeds[0]["title"] == "Kick-off"


async def test_edit_offers_zones_as_create_does(community: LocalCommunity) -> None:
    choices = await community.as_member("sofia").autocomplete("event edit", "timezone", "helsin")
    assert choices[0]["value"] == "Europe/Helsinki"


async def test_one_date_of_a_series_takes_a_new_end(community: LocalCommunity) -> None:
    await create_event(community, repeat="weekly")
    week = 7 * 24 * 3600
    result = await community.as_member("sofia").slash(
        "event edit", event=1, occurrence="10.12.2026", end="2026-12-10 16:00"
    )
    ends = START + week + 2 * 3600  # 16:00 in Brussels
    assert f"It starts <t:{START + week}:F> (<t:{START + week}:R>) and ends <t:{ends}:F>." in (
        result.content
    )
    info = await community.as_member("sofia").slash("event info", event=1)
    assert info.message is not None
    assert f"<t:{START}:F>" in fields(info.message)["When"]  # the other dates keep theirs


async def full_with_a_waitlist(community: LocalCommunity) -> None:
    """Event #1 with one place: aino is going, olli (Finnish) and marco wait for a place."""
    await create_event(community, capacity=1)
    for name in ("aino", "olli", "marco"):
        await community.as_member(name).click(announcement(community), "Going")
    assert (await answers(community))["olli"] == "waitlist"


async def test_the_waitlist_is_told_when_the_event_is_cancelled(
    community: LocalCommunity,
) -> None:
    await full_with_a_waitlist(community)
    await confirmed(community.as_member("sofia"), "event cancel", event=1)
    await dm_containing(community, "aino", "on peruttu")
    await dm_containing(community, "marco", "is cancelled")
    await dm_containing(community, "olli", "on peruttu")


async def test_the_waitlist_is_told_a_new_time_and_that_it_still_waits(
    community: LocalCommunity,
) -> None:
    await full_with_a_waitlist(community)
    await community.as_member("sofia").slash("event edit", event=1, start="2026-12-03 15:00")
    going = await dm_containing(community, "aino", "on tullut muutoksia")
    assert "jonotuslista" not in going.content
    waiting = await dm_containing(community, "marco", "has changed")
    assert "You are still on the waitlist: I'll message you if a place opens." in waiting.content
    olli = await dm_containing(community, "olli", "on tullut muutoksia")
    assert "Olet yhä jonotuslistalla: lähetän viestin, jos paikka vapautuu." in olli.content


async def test_a_description_change_quotes_the_new_text(community: LocalCommunity) -> None:
    """Review #33: the notice said only "The description was updated."."""
    await full_with_a_waitlist(community)
    sofia = community.as_member("sofia")
    await sofia.slash("event edit", event=1, description="New agenda\n" + "x" * 400)
    told = await dm_containing(community, "marco", "The description is now:")
    quoted = told.content.split("The description is now:\n", 1)[1]
    quoted = quoted.split("\nYou are still on the waitlist", 1)[0]  # Marco waits for a place
    assert quoted.startswith("> New agenda\n> xxx") and quoted.endswith("…")
    assert len(quoted) < 320
    finnish = await dm_containing(community, "aino", "Kuvaus on nyt:")
    assert "> New agenda" in finnish.content
