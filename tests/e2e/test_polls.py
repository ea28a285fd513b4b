"""Polls end to end: each mode, secrecy, results, electorate, closing, reminders and quorum."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity
from bot.logs import configure_logging
from db import groups as stored_groups
from db.groups import Groups, NewGroup, Profile
from tests.e2e.events_helpers import confirmed
from tests.e2e.polls_helpers import (
    EIGHT_ACTIONS,
    create_poll,
    fields,
    poll_message,
    rank,
    vote,
)
from tests.unit.test_poll_storage import member_id_forms, read_files

ACTIONS = EIGHT_ACTIONS.splitlines()


async def turnout_is(community: LocalCommunity, text: str) -> None:
    await community.sandbox.wait_until(lambda: fields(poll_message(community))["Turnout"] == text)


async def close_poll(community: LocalCommunity, poll: int = 1) -> dict[str, str]:
    answer = await confirmed(community.as_member("sofia"), "poll close", poll=poll)
    assert "is closed" in answer.content, answer.content
    message = await community.sandbox.wait_until(
        lambda: (m := poll_message(community)).embeds[0]["title"].startswith("Closed") and m
    )
    assert message.components == []  # no Vote button after close
    assert [a.filename for a in message.attachments] == ["results.png"]
    assert message.attachments[0].data.startswith(b"\x89PNG")
    return fields(message)


async def test_single_choice_public_live(community: LocalCommunity) -> None:
    created = await create_poll(
        community, question="Lunch?", options="Soup\nSalad", secret=False, results="live"
    )
    assert "Poll #1 is open" in created.content, created.content
    message = poll_message(community)
    assert message.embeds[0]["title"] == "Lunch?"
    shown = fields(message)
    assert shown["How to vote"] == "Choose one option."
    assert shown["Ballot"] == "Public"
    assert shown["Turnout"] == "0 of 5 have voted (0 %)"
    receipt = await vote(community, "marco", ["Soup"])
    assert receipt.ephemeral and "Recorded for **Lunch?**: Soup" in receipt.content
    await turnout_is(community, "1 of 5 have voted (20 %)")
    assert "Soup — 1 vote (100 %)" in fields(poll_message(community))["Results so far"]
    # Changing the vote replaces it: still one ballot.
    assert receipt.message is not None and receipt.message.components == []
    changed = await vote(community, "marco", ["Salad"])
    assert "Salad" in changed.content
    await community.sandbox.wait_until(
        lambda: "Salad — 1 vote" in fields(poll_message(community))["Results so far"]
    )
    assert fields(poll_message(community))["Turnout"] == "1 of 5 have voted (20 %)"
    final = await close_poll(community)
    assert "✅ Salad — 1 vote (100 %)" in final["Results"]
    export = await community.as_member("sofia").slash("poll export", poll=1)
    assert export.message is not None
    csv_text = export.message.attachments[0].data.decode("utf-8-sig")
    assert csv_text.splitlines() == ["voter,Soup,Salad", "Marco,0,1"]


async def test_three_of_eight_secret_hidden(community: LocalCommunity) -> None:
    await create_poll(
        community,
        options=EIGHT_ACTIONS,
        mode="multiple",
        minimum=3,
        maximum=3,
        winners=3,
        secret=True,
        results="hidden",
    )
    shown = fields(poll_message(community))
    assert shown["How to vote"] == "Choose exactly 3 options. 3 options win."
    assert shown["Ballot"] == "Secret"
    aino = await vote(community, "aino", ACTIONS[:3])
    assert "salainen" in aino.content.lower()  # told in Finnish that the ballot is secret
    await vote(community, "marco", [ACTIONS[0], ACTIONS[1], ACTIONS[4]])
    await vote(community, "lena", [ACTIONS[0], ACTIONS[5], ACTIONS[6]])
    await turnout_is(community, "3 of 5 have voted (60 %)")
    assert "Results so far" not in fields(poll_message(community))
    hidden = await community.as_member("lena").slash("poll results", poll=1)
    assert "hidden until it closes" in hidden.content
    final = await close_poll(community)
    results = final["Results"]
    assert "✅ Peer review of regional strategies — 3 votes (100 %)" in results
    assert "✅ Matchmaking events — 2 votes (67 %)" in results
    # Joint pilot projects, the investment pipeline, the toolkit and the guide tie on 1 vote.
    assert "⚖️ Tied for the last place: Joint pilot projects, " in results
    assert "no tie is broken by chance" in results
    asked = await community.as_member("lena").slash("poll results", poll=1)
    shown_later = await asked.wait_followup()
    assert "Peer review" in shown_later.content
    assert shown_later.attachments[0].filename == "results.png"
    export = await community.as_member("sofia").slash("poll export", poll=1)
    assert export.message is not None
    rows = export.message.attachments[0].data.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("ballot,") and len(rows) == 4
    assert not any(name in "\n".join(rows) for name in ("Aino", "Marco", "Lena"))


async def test_ranked_choice_rounds(community: LocalCommunity) -> None:
    await create_poll(
        community,
        question="Conference theme?",
        options="Green\nDigital\nHealth",
        mode="ranked",
        results="live",
    )
    assert fields(poll_message(community))["How to vote"] == (
        "Rank up to 3 options in order of preference."
    )
    done = await rank(community, "sofia", ["Green"])
    assert "Recorded for **Conference theme?**: 1. Green" in done.content
    await rank(community, "olli", ["Green", "Digital"])
    await rank(community, "marco", ["Digital", "Green"])
    await rank(community, "lena", ["Health", "Digital"])
    await rank(community, "aino", ["Digital", "Health"])
    final = await close_poll(community)
    # Round 1: Green 2, Digital 2, Health 1 -> Health out; Lena's ballot moves to Digital.
    assert "✅ **2.** Digital — 3 votes" in final["Results"]
    assert "Ties:" not in final["Results"]  # no tie decided anything: the rule is not stated
    rounds = final["Rounds"]
    assert "R2" in rounds
    # Options by their number, as the message lists them (1. Green, 3. Health).
    table = [line.split() for line in rounds.splitlines() if line.startswith(("1.", "3."))]
    assert table == [["1.", "2", "2"], ["3.", "1", "–"]]


async def test_ranked_ballot_clear_and_current_vote(community: LocalCommunity) -> None:
    await create_poll(community, options="A\nB\nC", mode="ranked", maximum=2)
    driver = community.as_member("marco")
    step = await driver.click(poll_message(community), "Vote")
    assert "No vote recorded yet." in step.content
    step = await driver.select(step.message, ["B"])  # type: ignore[arg-type]
    assert "Your ranking so far: 1. B" in step.content
    step = await driver.click(step.message, "Clear")  # type: ignore[arg-type]
    assert "ranking so far" not in step.content
    await rank(community, "marco", ["C", "A"])
    again = await driver.click(poll_message(community), "Vote")
    assert "Current vote: 1. C, 2. A" in again.content


async def test_a_crafted_ballot_is_refused_and_nothing_recorded(
    community: LocalCommunity,
) -> None:
    await create_poll(community, options=EIGHT_ACTIONS, mode="multiple", minimum=3, maximum=3)
    driver = community.as_member("marco")
    ballot = await driver.click(poll_message(community), "Vote")
    assert ballot.message is not None
    select = ballot.message.components[0]["components"][0]
    for values in (["0", "1", "2", "3"], ["0", "1", "8"], ["0", "1", "x"]):
        # What a modified client could send: the select's own bounds are not the guard.
        crafted = await driver._component_interaction(
            ballot.message,
            {"custom_id": select["custom_id"], "component_type": 3, "values": values},
        )
        assert crafted.ephemeral
        assert "exactly 3" in crafted.content or "not in this poll" in crafted.content
    assert community.db is not None
    row = await community.db.fetchone("SELECT count(*) FROM poll_ballots")
    assert row is not None and row[0] == 0


async def test_vote_after_close_is_refused(community: LocalCommunity) -> None:
    await create_poll(community)
    ballot = await community.as_member("marco").click(poll_message(community), "Vote")
    await close_poll(community)
    late = await community.as_member("marco").select(ballot.message, ["Yes"])  # type: ignore[arg-type]
    assert "This poll has closed" in late.content


async def test_role_electorate_and_outsiders_are_told(community: LocalCommunity) -> None:
    await create_poll(community, electorate="role", role=community.roles["Organisers"])
    assert fields(poll_message(community))["Turnout"] == "0 of 2 have voted (0 %)"
    outsider = await community.as_member("marco").click(poll_message(community), "Vote")
    assert "not in this poll's electorate" in outsider.content
    assert outsider.message is not None and outsider.message.components == []
    inside = await vote(community, "olli", ["Yes"])
    assert "Yes" in inside.content


async def test_creation_refusals(community: LocalCommunity) -> None:
    refused = await create_poll(community, "marco")
    assert "Only organisers" in refused.content
    past = await create_poll(community, closes="2020-01-01 10:00")
    assert "in the past" in past.content
    quorum = await create_poll(community, quorum=120)
    assert "0 to 100" in quorum.content
    bounds = await create_poll(community, mode="multiple", minimum=4, maximum=3)
    assert "minimum 4 is above the maximum 3" in bounds.content
    dup = await create_poll(community, options="Tea\ntea")
    assert "listed twice" in dup.content
    too_many = await create_poll(community, options="A\nB", mode="multiple", maximum=3)
    assert "maximum 3 is more than the 2 options" in too_many.content
    assert community.db is not None
    row = await community.db.fetchone("SELECT count(*) FROM polls")
    assert row is not None and row[0] == 0


async def test_quorum_missed_names_no_winner(community: LocalCommunity) -> None:
    await create_poll(community, quorum=60)
    await vote(community, "marco", ["Yes"])
    final = await close_poll(community)
    assert "Quorum not met: 1 ballots, 3 needed. No winner is named." in final["Results"]
    assert "✅" not in final["Results"]


async def test_quorum_met_names_the_winner(community: LocalCommunity) -> None:
    await create_poll(community, quorum=40)
    await vote(community, "marco", ["Yes"])
    await vote(community, "lena", ["Yes"])
    final = await close_poll(community)
    assert "Quorum met: 2 ballots, 2 needed." in final["Results"]
    assert "✅ Yes" in final["Results"]


async def test_scheduled_close_survives_a_restart_and_happens_once(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await create_poll(community, closes="2026-11-29 12:00", remind="2h")
    await vote(community, "marco", ["No"])
    # Only members who have not voted are reminded.
    clock.advance(timedelta(hours=24))
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    reminded = {
        name
        for name in ("sofia", "olli", "aino", "marco", "lena")
        if any(
            "not voted yet" in m.content or "äänestänyt" in m.content
            for m in community.sandbox.dms(community.members[name])
        )
    }
    assert reminded == {"sofia", "olli", "aino", "lena"}
    await community.restart_bot()
    clock.advance(timedelta(hours=1))
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    message = await community.sandbox.wait_until(
        lambda: (m := poll_message(community)).embeds[0]["title"].startswith("Closed") and m
    )
    assert "✅ No" in fields(message)["Results"]
    await community.restart_bot()
    assert community.bot is not None
    assert await community.bot.scheduler.run_due() == 0
    assert community.db is not None
    rows = await community.db.fetchall(
        "SELECT status, count(*) FROM scheduled_actions WHERE kind = 'poll.close' GROUP BY status"
    )
    assert [tuple(r) for r in rows] == [("done", 1)]
    # The reminder went once: a restart did not send it again.
    dms = community.sandbox.dms(community.members["lena"])
    assert sum("not voted yet" in m.content for m in dms) == 1


@pytest.fixture
async def partnership(community: LocalCommunity) -> int:
    """A thematic partnership: Sofia leads; Aino and Olli from Lapland, Marco from Lombardy,
    Lena from Bavaria (each region one vote)."""
    assert community.db is not None
    now = community.clock.now()
    group = await community.db.write(
        stored_groups.create,
        NewGroup(
            community.guild.id,
            "Smart Tourism",
            "Älykäs matkailu",
            "partnership",
            "",
            "open",
            "public",
            community.members["sofia"].user.id,
        ),
        ["smart tourism", "älykäs matkailu"],
        community.members["sofia"].user.id,
        now,
    )
    regions = {"aino": "FI-10", "olli": "FI-10", "marco": "IT-25", "lena": "DE-BY"}
    for name, code in regions.items():
        user_id = community.members[name].user.id
        await community.db.write(stored_groups.add_member, group, user_id, now)
        await community.db.write(
            stored_groups.set_profile,
            Profile(community.guild.id, user_id, country=code[:2], region_code=code),
            now,
        )
    return group.id


async def test_group_electorate(community: LocalCommunity, partnership: int) -> None:
    await create_poll(community, electorate="group", group="Smart Tourism")
    assert fields(poll_message(community))["Turnout"] == "0 of 5 have voted (0 %)"
    assert "Smart Tourism" in fields(poll_message(community))["Who votes"]


async def test_one_vote_per_region(community: LocalCommunity, partnership: int) -> None:
    await create_poll(
        community,
        options=EIGHT_ACTIONS,
        mode="multiple",
        minimum=3,
        maximum=3,
        winners=3,
        electorate="region",
        group="Smart Tourism",
    )
    assert fields(poll_message(community))["Turnout"] == "0 of 3 regions have voted (0 %)"
    first = await vote(community, "aino", ACTIONS[:3])
    assert "Lappi" in first.content or "Lapland" in first.content
    # Olli, from the same region, sees Lapland's ballot and changes it; Aino is told who did.
    ballot = await community.as_member("olli").click(poll_message(community), "Vote")
    assert "Peer review" in ballot.content
    await community.as_member("olli").select(ballot.message, ACTIONS[5:8])  # type: ignore[arg-type]
    await community.sandbox.wait_until(
        lambda: any(
            "Olli" in m.content and "Lappi" in m.content
            for m in community.sandbox.dms(community.members["aino"])
        )
    )
    await turnout_is(community, "1 of 3 regions have voted (33 %)")
    # Sofia leads but has no region in her profile: she is not in this electorate.
    outsider = await community.as_member("sofia").click(poll_message(community), "Vote")
    assert "not in this poll's electorate" in outsider.content


async def test_a_regions_dm_is_stored_with_its_ballot_and_arrives_once(
    community: LocalCommunity, partnership: int, clock: FakeClock
) -> None:
    """Aino's ballot for Lapland and Olli's DM about it are one write: a bot gone right after
    the commit sends the DM when it is back (bot/notices.py), and only once."""
    await create_poll(community, electorate="region", group="Smart Tourism")
    assert community.bot is not None
    await community.bot.scheduler.stop()  # the bot is gone right after its next commit
    await vote(community, "aino", ["Yes"])
    await asyncio.sleep(0.2)  # a direct DM would have gone by now
    olli = community.members["olli"]
    assert community.sandbox.dms(olli) == []

    await community.restart_bot()
    await community.sandbox.wait_until(lambda: len(community.sandbox.dms(olli)) == 1)
    [told] = community.sandbox.dms(olli)
    assert "Aino" in told.content and "Lappi" in told.content  # Olli reads Finnish
    assert community.sandbox.dms(community.members["marco"]) == []  # another region's
    clock.advance(timedelta(hours=1))
    await community.restart_bot()
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    assert len(community.sandbox.dms(olli)) == 1


async def test_the_group_is_named_in_the_members_language(
    community: LocalCommunity, partnership: int
) -> None:
    """group: takes a group by name, offered as the member types in their own language."""
    sofia, olli = community.as_member("sofia"), community.as_member("olli")
    offered = await sofia.autocomplete("poll create", "group", "tour", electorate="group")
    assert [c["name"] for c in offered] == ["Smart Tourism"]
    offered = await olli.autocomplete("poll create", "group", "matk", electorate="group")
    assert [c["name"] for c in offered] == ["Älykäs matkailu"]
    # The value autocomplete sends (the id) and a name typed in either language all work.
    picked = offered[0]["value"]
    for ref in (picked, "älykäs MATKAILU"):
        created = await create_poll(community, "olli", electorate="group", group=ref)
        assert "Äänestys #" in created.content and "on auki" in created.content, created.content
    assert fields(poll_message(community))["Who votes"] == "the members of Smart Tourism"


async def test_an_unknown_group_is_refused_and_nothing_is_stored(
    community: LocalCommunity, partnership: int
) -> None:
    refused = await community.as_member("sofia").slash(
        "poll create", electorate="group", group="Nowhere", channel=community.channels["events"]
    )
    assert refused.modal is None and refused.ephemeral
    assert "I don't know the group “Nowhere”: pick one from the list as you type." in (
        refused.content
    )
    finnish = await community.as_member("olli").slash(
        "poll create", electorate="group", group="Ei ole", channel=community.channels["events"]
    )
    assert finnish.modal is None and "En tunne ryhmää ”Ei ole”" in finnish.content
    assert "I don't know" not in finnish.content  # Olli reads it in Finnish
    assert community.db is not None
    row = await community.db.fetchone("SELECT count(*) FROM polls")
    assert row is not None and row[0] == 0


async def test_a_groups_lead_creates_its_poll(community: LocalCommunity, partnership: int) -> None:
    assert community.db is not None
    groups = Groups(community.db)
    group = await groups.get(partnership)
    assert group is not None
    await community.db.write(
        stored_groups.add_member,
        group,
        community.members["lena"].user.id,
        community.clock.now(),
        lead=True,
    )
    refused = await create_poll(community, "lena")
    assert "Only organisers" in refused.content
    created = await create_poll(community, "lena", electorate="group", group="Smart Tourism")
    assert "Poll #1 is open" in created.content


async def test_logs_never_name_a_secret_voter_with_their_choice(
    community: LocalCommunity, caplog: pytest.LogCaptureFixture
) -> None:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("discord.gateway").level)
    configure_logging("DEBUG")  # as a deployment with the most talkative logs
    root.addHandler(caplog.handler)
    try:
        await create_poll(community, options=EIGHT_ACTIONS, mode="multiple", minimum=3, maximum=3)
        await vote(community, "marco", ACTIONS[2:5])
        await close_poll(community)
    finally:
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])
        logging.getLogger("discord.gateway").setLevel(saved[2])
    marco = str(community.members["marco"].user.id)
    assert caplog.records, "the check reads real log lines"
    for record in caplog.records:
        text = record.getMessage()
        assert not (marco in text and any(action in text for action in ACTIONS[2:5])), text


async def test_after_a_close_through_discord_the_files_link_no_member_to_a_ballot(
    community: LocalCommunity,
) -> None:
    await create_poll(community, options=EIGHT_ACTIONS, mode="multiple", minimum=3, maximum=3)
    voters = {"aino": ACTIONS[:3], "marco": ACTIONS[2:5], "lena": ACTIONS[5:8]}
    for name, picks in voters.items():
        await vote(community, name, picks)
    await vote(community, "aino", ACTIONS[1:4])  # changed: the first ballot must leave no trace
    await close_poll(community)
    # Copied while the bot runs, as someone with access to the server's disk could.
    raw_db, raw_wal = read_files(community.settings.database.path)
    ids = [community.members[name].user.id for name in voters]
    pages = [raw_db[i : i + 4096] for i in range(0, len(raw_db), 4096)]
    # The close truncated the log; what was written after it (the once-only reply saying the
    # poll closed) is read page by page like the database: 32-byte header, 24 bytes per frame.
    pages += [raw_wal[i + 24 : i + 24 + 4096] for i in range(32, len(raw_wal), 24 + 4096)]
    ballots = [b"[1, 2, 3]", b"[2, 3, 4]", b"[5, 6, 7]"]
    assert all(any(b in page for page in pages) for b in ballots), "the real ballots are read"
    assert not any(b"[0, 1, 2]" in page for page in pages)
    for number, page in enumerate(pages):
        holds_ballot = any(b in page for b in ballots)
        holds_member = any(form in page for i in ids for form in member_id_forms(i))
        assert not (holds_ballot and holds_member), f"page {number}: a member id beside a ballot"


async def test_list_and_live_results(community: LocalCommunity) -> None:
    await create_poll(community, question="Lunch?", options="Soup\nSalad", results="live")
    await vote(community, "marco", ["Soup"])
    await create_poll(community, question="Venue?", options="Brussels\nSeville")
    listed = await community.as_member("aino").slash("poll list")
    assert "#1" in listed.content and "Lunch?" in listed.content and "Venue?" in listed.content
    asked = await community.as_member("lena").slash("poll results", poll=1)
    shown = await asked.wait_followup()
    assert "Soup — 1 vote (100 %)" in shown.content and shown.attachments
