"""Reminders: in the channel and by DM, opt-out, closed DMs, and exactly once across restarts."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.events_helpers import announcement, create_event


def reminders_in(community: LocalCommunity) -> list[str]:
    messages = community.sandbox.messages(community.channels["events"])
    return [m.content for m in messages if m.content.startswith("⏰")]


async def due_now(community: LocalCommunity) -> None:
    assert community.bot is not None
    await community.bot.scheduler.run_due()


async def test_reminder_in_channel_and_by_dm(community: LocalCommunity, clock: FakeClock) -> None:
    # The clock stands at 10:00 UTC; the event starts at 13:00 UTC with a 1 h reminder.
    await create_event(community, start="in 3 hours", reminders="1h")
    message = announcement(community)
    for name in ("aino", "marco", "lena"):
        await community.as_member(name).click(message, "Going")
    await community.as_member("sofia").click(message, "Maybe")
    await community.as_member("lena").slash("reminders off")

    clock.advance(timedelta(hours=1, minutes=59))
    await due_now(community)
    assert reminders_in(community) == []  # not yet

    clock.advance(timedelta(minutes=1))
    await due_now(community)
    assert len(reminders_in(community)) == 1
    assert "Kick-off" in reminders_in(community)[0]
    aino_dm = community.sandbox.dms(community.members["aino"])
    assert len(aino_dm) == 1 and aino_dm[0].content.startswith("⏰ Muistutus")  # in Finnish
    # absolute time first: read later, the bracketed "(3 tuntia sitten)" does not make it untrue
    starts = int(clock.now().replace(hour=13, minute=0, second=0, microsecond=0).timestamp())
    assert f"alkaa <t:{starts}:F> (<t:{starts}:R>)" in aino_dm[0].content
    assert len(community.sandbox.dms(community.members["marco"])) == 1
    assert community.sandbox.dms(community.members["lena"]) == []  # turned DMs off
    assert community.sandbox.dms(community.members["sofia"]) == []  # only "Going" is reminded

    clock.advance(timedelta(hours=1))
    await due_now(community)
    starting = [
        m.content
        for m in community.sandbox.messages(community.channels["events"])
        if "starting now" in m.content
    ]
    assert starting == ["▶️ **Kick-off** is starting now.\n🔗 https://meet.example.org/kickoff"]


async def test_closed_dms_are_skipped_and_others_still_get_theirs(
    community: LocalCommunity, clock: FakeClock
) -> None:
    closed = community.sandbox.add_member(community.guild, "Closed", dms_open=False)
    community.members["closed"] = closed
    await create_event(community, start="in 3 hours", reminders="1h")
    message = announcement(community)
    await community.as_member("closed").click(message, "Going")
    await community.as_member("aino").click(message, "Going")
    clock.advance(timedelta(hours=2))
    await due_now(community)
    assert community.sandbox.dms(closed) == []
    assert len(community.sandbox.dms(community.members["aino"])) == 1
    assert community.db is not None
    row = await community.db.fetchone(
        "SELECT status FROM scheduled_actions WHERE kind = 'event.remind'"
    )
    assert row is not None and row[0] == "done"


async def test_restart_between_due_time_and_send_delivers_once(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_event(community, start="in 3 hours", reminders="1h")
    await community.as_member("aino").click(announcement(community), "Going")
    await community.stop_bot()  # the bot goes down before the reminder is due...

    clock.advance(timedelta(hours=2, minutes=10))  # ...and its due time passes while it is down
    await community.start_bot()  # start-up re-arms the overdue reminder and sends it
    await community.sandbox.wait_until(lambda: len(reminders_in(community)) == 1)
    assert "(Sent late" in reminders_in(community)[0]
    await community.sandbox.wait_until(
        lambda: len(community.sandbox.dms(community.members["aino"])) == 1
    )

    await community.restart_bot()  # another restart delivers nothing more
    await due_now(community)
    assert len(reminders_in(community)) == 1
    assert len(community.sandbox.dms(community.members["aino"])) == 1


async def test_reminder_beyond_the_grace_window_is_missed_not_sent(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_event(community, start="in 5 hours", reminders="4h")
    await community.stop_bot()
    clock.advance(timedelta(hours=3))  # due 2 h ago; grace is 1 h
    await community.start_bot()
    await due_now(community)
    assert reminders_in(community) == []
    assert community.db is not None
    row = await community.db.fetchone(
        "SELECT status, note FROM scheduled_actions WHERE kind = 'event.remind'"
    )
    assert row is not None and row[0] == "missed" and "missed" in row[1]


async def test_rsvp_buttons_work_after_a_restart(community: LocalCommunity) -> None:
    await create_event(community)
    await community.restart_bot()
    answer = await community.as_member("marco").click(announcement(community), "Going")
    assert "Going" in answer.content


async def test_reminders_go_to_the_events_discussion_thread(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_event(community, start="in 3 hours", reminders="1h", thread=True)
    message = announcement(community)
    threads = [
        c
        for c in community.guild.channels.values()
        if c.is_thread and c.parent_id == community.channels["events"].id
    ]
    assert [t.name for t in threads] == ["Kick-off"]
    await community.as_member("aino").click(message, "Going")
    clock.advance(timedelta(hours=2))
    await due_now(community)
    in_thread = [m.content for m in community.sandbox.messages(threads[0])]
    assert len(in_thread) == 1 and in_thread[0].startswith("⏰")
    assert reminders_in(community) == []  # the events channel stays clean


async def test_reminders_on_after_off_brings_the_dm_back(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_event(community, start="in 3 hours", reminders="1h")
    await community.as_member("lena").click(announcement(community), "Going")
    lena = community.as_member("lena")
    await lena.slash("reminders off")
    again = await lena.slash("reminders on")
    assert again.ephemeral and again.content
    clock.advance(timedelta(hours=2))
    await due_now(community)
    [dm] = community.sandbox.dms(community.members["lena"])
    assert dm.content.startswith("⏰ Reminder")


async def test_reminders_of_a_live_event_say_where(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_event(
        community, start="in 3 hours", reminders="1h", format="hybrid", venue="Room 101"
    )
    clock.advance(timedelta(hours=2))
    await due_now(community)
    (reminder,) = reminders_in(community)
    assert "📍 Room 101" in reminder and "🔗 https://meet.example.org/kickoff" in reminder
