"""An application's decision reaches the applicant exactly once, and only with the decision.

The decision DM is a durable notice (bot/notices.py): stored in the write that stores the
decision, sent by the scheduler with the nonce of its once-key. So a process that dies after
the decision and before (or during) the DM sends it when it is back, and Discord's nonce check
returns the DM made the first time instead of a second one.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity
from tests.e2e.events_helpers import dm_containing
from tests.e2e.groups_helpers import (
    application_group,
    apply,
    create_group,
    fields,
    group_named,
    lead_copy,
    repo,
    speak,
)


async def notices(community: LocalCommunity) -> list[tuple[str, int]]:
    """(status, attempts) of every notice stored, oldest first."""
    assert community.db is not None
    rows = await community.db.fetchall(
        "SELECT status, attempts FROM scheduled_actions WHERE kind = 'notice' ORDER BY id"
    )
    return [(row[0], row[1]) for row in rows]


async def applied(community: LocalCommunity) -> int:
    """Marco applies to Lapland tourism; the group's id, once Olli has his copy."""
    await application_group(community)
    group = await group_named(community, "Lapland tourism")
    await apply(community, "marco", group.id)
    await community.sandbox.wait_until(
        lambda: [m for m in community.sandbox.dms(community.members["olli"]) if m.embeds]
    )
    return group.id


def told(community: LocalCommunity, word: str) -> list[str]:
    return [
        m.content
        for m in community.sandbox.dms(community.members["marco"])
        if "Lapland tourism" in m.content and word in m.content
    ]


async def test_a_decision_dm_made_as_the_bot_stopped_is_not_sent_twice_after_the_restart(
    community: LocalCommunity, clock: FakeClock
) -> None:
    """The worst moment: Discord made the DM, the bot never heard (its answer lost), and the
    bot stops before it records the send. After the restart the notice is sent again with
    the same nonce, and Discord returns the DM made the first time: Marco reads it once."""
    await applied(community)
    community.sandbox.faults.lost_answer("POST /channels/*/messages", status=503)
    approved = await community.as_member("olli").click(lead_copy(community, "olli"), "Hyväksy")
    assert approved.kind == "update"
    for _ in range(500):  # bounded: the first try is made, its answer lost, the notice put off
        if await notices(community) == [("pending", 1)]:
            break
        await asyncio.sleep(0.01)
    assert await notices(community) == [("pending", 1)]
    assert len(told(community, "was approved")) == 1  # made, though the bot does not know

    bot = await community.restart_bot()
    clock.advance(timedelta(minutes=1, seconds=5))  # the scheduler's retry falls due
    await bot.scheduler.run_due()
    assert await notices(community) == [("done", 1)]
    assert len(told(community, "was approved")) == 1
    assert community.sandbox.backend.nonces.repeats == 1  # the retry got the first DM back


async def test_a_decision_stored_while_the_bot_stops_is_sent_once_after_the_restart(
    community: LocalCommunity, clock: FakeClock
) -> None:
    """The DM could not be made before the bot stopped (Discord down): it waits with the
    decision and goes out after the restart, once, with the leads' reason."""
    group_id = await applied(community)
    community.sandbox.faults.server_error("POST /channels/*/messages", status=503)
    form = await community.as_member("sofia").click(lead_copy(community, "sofia"), "Decline")
    done = await form.submit_modal({"reason": "Only regions of the partnership"})
    assert done.kind == "update"
    for _ in range(500):  # bounded
        if await notices(community) == [("pending", 1)]:
            break
        await asyncio.sleep(0.01)
    assert told(community, "declined") == []

    bot = await community.restart_bot()
    clock.advance(timedelta(minutes=1, seconds=5))
    await bot.scheduler.run_due()
    [note] = told(community, "declined")
    assert "Only regions of the partnership" in note
    clock.advance(timedelta(hours=1))
    await bot.scheduler.run_due()
    assert len(told(community, "declined")) == 1
    assert await repo(community).pending(group_id, community.members["marco"].user.id) is None


@pytest.mark.parametrize(
    ("refused", "trigger"),
    [
        (
            "the decision",
            "BEFORE UPDATE OF status ON applications BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ),
        (
            "the notice",
            "BEFORE INSERT ON scheduled_actions WHEN NEW.kind = 'notice' "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ),
    ],
)
async def test_the_decision_and_its_notice_are_stored_together_or_not_at_all(
    community: LocalCommunity, refused: str, trigger: str
) -> None:
    """When the database refuses either half of a decision (here a trigger does), neither is
    stored: the application still waits, nobody is told, and the lead gets the apology. Once
    the database takes writes again, the same button decides it and Marco is told once."""
    group_id = await applied(community)
    assert community.db is not None
    await community.db.execute(f"CREATE TRIGGER refuse {trigger}")
    copy = lead_copy(community, "olli")
    failed = await community.as_member("olli").click(copy, "Hyväksy")
    assert "error id" in failed.content or "virhetunnus" in failed.content, failed.content
    marco = community.members["marco"].user.id
    assert await repo(community).pending(group_id, marco) is not None
    assert await repo(community).membership(group_id, marco) is None
    assert await notices(community) == [], f"{refused} refused, yet a notice was stored"

    await community.db.execute("DROP TRIGGER refuse")
    approved = await community.as_member("olli").click(copy, "Hyväksy")
    assert approved.kind == "update"
    await dm_containing(community, "marco", "was approved")
    assert await repo(community).membership(group_id, marco) is not None
    assert len(await notices(community)) == 1
    assert len(told(community, "was approved")) == 1


async def test_an_applicant_with_closed_dms_learns_the_decline_and_the_lead_hears_why(
    community: LocalCommunity,
) -> None:
    """Marco accepts no DMs from the bot: the lead who declines is told so in the answer, and
    Marco reads the decline, with its date and reason, in /group info and when he tries to
    join or withdraw again."""
    group_id = await applied(community)
    community.members["marco"].user.dms_open = False
    form = await community.as_member("sofia").click(lead_copy(community, "sofia"), "Decline")
    done = await form.submit_modal({"reason": "Only regions of the partnership"})
    assert done.kind == "update"
    told_lead = (await done.wait_followup()).content
    assert "could not be told by direct message" in told_lead, told_lead
    assert f"<@{community.members['marco'].user.id}>" in told_lead
    assert community.sandbox.dms(community.members["marco"]) == []

    marco = community.as_member("marco")
    info = await marco.slash("group info", group=str(group_id))
    assert info.message is not None
    mine = fields(info.message)["Your application"]
    assert "was declined on <t:" in mine and "Only regions of the partnership" in mine
    for command in ("group join", "group withdraw"):
        refused = await marco.slash(command, group=str(group_id))
        assert "was declined on <t:" in refused.content, refused.content
        assert "Only regions of the partnership" in refused.content
    # Others see no one's application in /group info.
    aino = await community.as_member("aino").slash("group info", group=str(group_id))
    assert aino.message is not None and "Your application" not in fields(aino.message)


async def test_a_lead_hears_nothing_more_when_the_applicant_was_told(
    community: LocalCommunity,
) -> None:
    """Olli approves in Finnish; Marco's DMs are open: no word about closed DMs follows."""
    await applied(community)
    approved = await community.as_member("olli").click(lead_copy(community, "olli"), "Hyväksy")
    assert approved.kind == "update"
    await dm_containing(community, "marco", "was approved")
    with pytest.raises(TimeoutError):
        await approved.wait_followup(timeout=1)


async def test_a_lead_who_never_used_the_bot_reads_the_application_in_every_language(
    community: LocalCommunity,
) -> None:
    """Aino (Finnish) leads, but has never used the bot, so her language is unknown: her copy
    is in the community's language with Finnish beside it, buttons too. Once she has used the
    bot, the next copy is in Finnish only."""
    await create_group(
        community,
        name="Hydrogen Valleys",
        name_fi="Vetylaaksot",
        kind="partnership",
        joining="application",
        visibility="private",
        lead=community.members["aino"],
    )
    group = await group_named(community, "Hydrogen Valleys")
    await apply(community, "marco", group.id)
    copy = await community.sandbox.wait_until(
        lambda: next(
            (m for m in community.sandbox.dms(community.members["aino"]) if m.embeds), None
        )
    )
    assert (
        copy.embeds[0]["title"] == "Application to Hydrogen Valleys · Hakemus ryhmään Vetylaaksot"
    )
    assert "Applicant · Hakija" in fields(copy)
    approved = await community.as_member("aino").click(copy, "Approve · Hyväksy")
    assert approved.kind == "update"

    await speak(community, "aino")
    await apply(community, "lena", group.id)
    second = await community.sandbox.wait_until(
        lambda: next(
            (m for m in community.sandbox.dms(community.members["aino"]) if m.embeds and m != copy),
            None,
        )
    )
    assert second.embeds[0]["title"] == "Hakemus ryhmään Vetylaaksot"
    assert {c["label"] for row in second.components for c in row["components"]} == {
        "Hyväksy",
        "Hylkää",
    }
