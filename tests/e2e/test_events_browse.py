"""Browsing and mirrors: /event list, info, attendees with CSV, autocomplete, time zones,
Discord's scheduled events kept in step, and a missing permission reported once."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity
from bot.sandbox import permissions as perm
from tests.e2e.events_helpers import announcement, confirmed, create_event, event_rows


async def test_list_pages_and_shows_your_own_answer(community: LocalCommunity) -> None:
    for day in range(1, 8):
        await create_event(community, title=f"Meeting {day}", start=f"{day}.12.2026 10:00")
    first = community.sandbox.messages(community.channels["events"])[0]
    await community.as_member("aino").click(first, "Going")
    page = await community.as_member("marco").slash("event list")
    assert page.ephemeral
    embed = page.message.embeds[0]  # type: ignore[union-attr]
    assert [f["name"] for f in embed["fields"]][:2] == ["#1 Meeting 1", "#2 Meeting 2"]
    assert embed["footer"]["text"] == "Page 1 of 2"
    later = await community.as_member("marco").click(page.message, "Later ▶")  # type: ignore[arg-type]
    assert later.kind == "update"
    assert later.message.embeds[0]["footer"]["text"] == "Page 2 of 2"  # type: ignore[union-attr]
    mine = await community.as_member("aino").slash("event list")
    first_field = mine.message.embeds[0]["fields"][0]["value"]  # type: ignore[union-attr]
    assert "Tulen" in first_field or "Going" in first_field


async def test_info_and_attendees_with_csv(community: LocalCommunity) -> None:
    await create_event(community, capacity=1)
    message = announcement(community)
    await community.as_member("aino").click(message, "Going")
    await community.as_member("lena").click(message, "Going")
    await community.as_member("marco").click(message, "Maybe")
    info = await community.as_member("marco").slash("event info", event=1)
    assert info.message.embeds[0]["title"] == "Kick-off"  # type: ignore[union-attr]
    refused = await community.as_member("marco").slash("event attendees", event=1)
    assert "Only organisers" in refused.content
    listing = await community.as_member("sofia").slash("event attendees", event=1)
    fields = {f["name"]: f["value"] for f in listing.message.embeds[0]["fields"]}  # type: ignore[union-attr]
    assert fields["Going (1)"] == "Aino"
    assert fields["On the waitlist (1)"] == "Lena"
    assert fields["Maybe (1)"] == "Marco"
    attachment = listing.message.attachments[0]  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(attachment.data.decode())))
    assert [(r["name"], r["answer"]) for r in rows] == [
        ("Aino", "going"),
        ("Lena", "waitlist"),
        ("Marco", "maybe"),
    ]


async def test_autocomplete_offers_events_and_unknown_ones_are_refused(
    community: LocalCommunity,
) -> None:
    await create_event(community, title="Kick-off")
    await create_event(community, title="Peer review")
    choices = await community.as_member("aino").autocomplete("event info", "event", "peer")
    assert choices == [{"name": "#2 Peer review", "value": 2}]
    unknown = await community.as_member("aino").slash("event info", event=99)
    assert unknown.ephemeral and "#99" in unknown.content


async def test_personal_time_zone_reads_times(community: LocalCommunity) -> None:
    zones = await community.as_member("sofia").autocomplete("timezone set", "zone", "helsin")
    assert {"name": "Europe/Helsinki", "value": "Europe/Helsinki"} in zones
    await community.as_member("sofia").slash("timezone set", zone="Europe/Helsinki")
    shown = await community.as_member("sofia").slash("timezone show")
    assert "Europe/Helsinki" in shown.content
    result = await create_event(community, start="2026-12-03 14:00")
    start = int(datetime(2026, 12, 3, 12, 0, tzinfo=UTC).timestamp())  # 14:00 in Helsinki
    assert f"<t:{start}:F>" in result.content


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Helsinki", "Europe/Helsinki"),
        ("helsinki", "Europe/Helsinki"),
        ("Suomi", "Europe/Helsinki"),
        ("Finland", "Europe/Helsinki"),
        ("Brussels", "Europe/Brussels"),
        ("Bryssel", "Europe/Brussels"),
        ("Belgia", "Europe/Brussels"),
    ],
)
async def test_time_zones_are_found_by_city_and_country_in_both_languages(
    community: LocalCommunity, typed: str, zone: str
) -> None:
    aino = community.as_member("aino")
    choices = await aino.autocomplete("timezone set", "zone", typed)
    assert choices[0]["value"] == zone
    await aino.slash("timezone set", zone=typed)  # typed without picking from the list
    shown = await aino.slash("timezone show")
    assert zone in shown.content and "oletus" not in shown.content


async def test_timezone_show_says_when_the_zone_is_the_servers_default(
    community: LocalCommunity,
) -> None:
    shown = await community.as_member("sofia").slash("timezone show")
    assert "Europe/Brussels, the server's default" in shown.content
    # In Finnish, the command to set one's own is named as a Finnish member calls it.
    finnish = await community.as_member("aino").slash("timezone show")
    assert "palvelimen oletuksella" in finnish.content
    assert finnish.content.endswith("/aikavyöhyke aseta.")


async def test_discord_scheduled_event_follows_edits_and_cancel(
    community: LocalCommunity,
) -> None:
    sandbox = community.sandbox
    await create_event(community, format="hybrid", venue="Berlaymont, Brussels")
    [mirrored] = await sandbox.wait_until(lambda: sandbox.scheduled_events(community.guild))
    assert mirrored.name == "Kick-off" and mirrored.location == "Berlaymont, Brussels"
    assert mirrored.entity_type == 3  # external
    await community.as_member("sofia").slash(
        "event edit", event=1, title="Kick-off 2027", start="2026-12-04 14:00"
    )
    await sandbox.wait_until(lambda: mirrored.name == "Kick-off 2027")
    assert mirrored.scheduled_start_time == datetime(2026, 12, 4, 13, 0, tzinfo=UTC)
    await confirmed(community.as_member("sofia"), "event cancel", event=1)
    await sandbox.wait_until(lambda: mirrored.status == 4)  # canceled


async def test_missing_manage_events_is_reported_once(community: LocalCommunity) -> None:
    # On Discord, @everyone may create events by default: take that away too.
    everyone = community.guild.roles[community.guild.id]
    community.sandbox.set_role_permissions(everyone, perm.EVERYONE_DEFAULT & ~perm.CREATE_EVENTS)
    community.sandbox.set_bot_permissions(
        community.guild, perm.BOT_DEFAULT & ~(perm.MANAGE_EVENTS | perm.CREATE_EVENTS)
    )
    await create_event(community, title="One")
    await create_event(community, title="Two")
    assert await event_rows(community) == 2  # everything else keeps working
    assert community.sandbox.scheduled_events(community.guild) == []
    # The mirror is tried after the organiser's answer: wait for its note.
    notes = await community.sandbox.wait_until(
        lambda: community.sandbox.messages(community.channels["admin-log"])
    )
    assert len(notes) == 1 and "Manage Events" in notes[0].content


async def test_announcement_refused_by_permissions_leaves_nothing_behind(
    community: LocalCommunity,
) -> None:
    channel = community.channels["announcements"]
    community.sandbox.set_overwrite(
        channel, community.sandbox.backend.bot_role(community.guild), deny=perm.SEND_MESSAGES
    )
    result = await create_event(community, channel=channel)
    assert result.ephemeral and "permission" in result.content
    assert await event_rows(community) == 0


async def test_an_event_that_is_over_keeps_its_attendees_date_and_final_answers(
    community: LocalCommunity, clock: FakeClock
) -> None:
    """Once an event is over its organiser still needs who came (sign-in sheet, reporting):
    /event attendees lists its last date, and /event info shows that date, marked ended, with
    the final answers (review #10)."""
    await create_event(community, capacity=1)  # 3 December 14:00-15:00 in Brussels
    await community.as_member("aino").click(announcement(community), "Going")
    await community.as_member("marco").click(announcement(community), "Maybe")
    clock.set(datetime(2026, 12, 3, 18, 0, tzinfo=UTC))
    listing = await community.as_member("sofia").slash("event attendees", event=1)
    fields = {f["name"]: f["value"] for f in listing.message.embeds[0]["fields"]}  # type: ignore[union-attr]
    assert fields["Going (1)"] == "Aino" and fields["Maybe (1)"] == "Marco"
    attachment = listing.message.attachments[0]  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(attachment.data.decode())))
    assert [(r["name"], r["answer"]) for r in rows] == [("Aino", "going"), ("Marco", "maybe")]
    start = int(datetime(2026, 12, 3, 13, 0, tzinfo=UTC).timestamp())
    end = start + 3600
    info = await community.as_member("marco").slash("event info", event=1)
    shown = {f["name"]: f["value"] for f in info.message.embeds[0]["fields"]}  # type: ignore[union-attr]
    assert shown["When"] == f"<t:{start}:F> – <t:{end}:t> (ended)"
    assert shown["Final answers"] == "Going: 1 · Maybe: 1 · Can't go: 0"
    assert shown["Places"] == "1 of 1 taken"
    finnish = await community.as_member("aino").slash("event info", event=1)
    shown = {f["name"]: f["value"] for f in finnish.message.embeds[0]["fields"]}  # type: ignore[union-attr]
    assert shown["Milloin"] == f"<t:{start}:F> – <t:{end}:t> (päättynyt)"
    assert shown["Lopulliset vastaukset"] == "Tulen: 1 · Ehkä: 1 · En pääse: 0"
