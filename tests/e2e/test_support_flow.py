"""A support request through the real client and the sandbox: asking, the private thread and
the card, claim, resolve with an outcome and a transcript, reopen, and DMs at each step."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from bot.clock import FakeClock
from bot.local import LocalCommunity
from bot.sandbox.driver import SandboxUsageError
from bot.sandbox.models import PRIVATE_THREAD
from db.support import SupportRequests
from tests.e2e.support_helpers import (
    FORM,
    ask,
    ask_and_read,
    buttons,
    card_fields,
    cards,
    dm_texts,
    threads,
    triage_lines,
)

T = TypeVar("T")


async def eventually(read: Callable[[], Awaitable[list[T]]], limit: float = 5.0) -> list[T]:
    """What ``read`` returns once it is not empty (work the bot does after answering)."""
    for _tick in range(int(limit / 0.01)):
        found = await read()
        if found:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"still nothing after {limit} s")


def repo(community: LocalCommunity) -> SupportRequests:
    assert community.db is not None
    return SupportRequests(community.db)


async def test_request_claim_resolve_reopen_with_dms_at_each_step(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    aino, sofia = community.as_member("aino"), community.as_member("sofia")

    told = await ask_and_read(community, group="Agrifood partnership")
    [thread] = threads(community)
    assert told.startswith("Pyyntö #1 on avoinna") and f"<#{thread.id}>" in told  # Finnish
    assert thread.type == PRIVATE_THREAD
    assert thread.thread_members >= {aino.user.id, sofia.user.id}
    opening = aino.read(thread)[0]
    assert f"<@{aino.user.id}>" in opening.content and "yksityinen ketju" in opening.content
    assert opening.embeds[0]["description"] == (
        "We are revising our S3 and need an expert on monitoring indicators."
    )
    [card] = cards(community)
    shown = card_fields(card)
    assert card.embeds[0]["title"] == "#1 Smart specialisation strategy review"
    assert shown["Region"] == "Lapland" and shown["Group or partnership"] == "Agrifood partnership"
    assert shown["Status"] == "New" and shown["Thread"] == f"<#{thread.id}>"
    assert buttons(card) == ["Claim", "Resolve"]
    [notes] = sb.threads(community.channels["support-triage"])
    assert not aino.can_see(notes) and sofia.can_see(notes)  # staff-only notes
    assert "New support request #1" in triage_lines(community)[0]
    await sb.wait_until(lambda: len(dm_texts(community, "aino")) == 1)  # sent by the scheduler
    assert dm_texts(community, "aino")[-1].startswith("Tukipyyntösi #1")

    claimed = await sofia.click(card, "Claim")
    assert claimed.ephemeral and "You are handling request #1" in claimed.content
    await sb.wait_until(lambda: card_fields(card)["Status"].startswith("Claimed"))
    assert card_fields(card)["Status"] == f"Claimed (handled by <@{sofia.user.id}>)"
    assert buttons(card) == ["Resolve"]
    await sb.wait_until(lambda: len(dm_texts(community, "aino")) == 2)
    assert "hoitaa nyt pyyntöä #1" in aino.read(thread)[-1].content
    assert "hoitaa nyt pyyntöä #1" in dm_texts(community, "aino")[-1]

    aino.say("Here is our current plan.", thread, files=[("plan.pdf", b"%PDF-1.7 our plan")])
    form = await sofia.click(card, "Resolve")
    assert form.modal is not None
    resolved = await form.submit_modal({"outcome": "Expert from JRC introduced; call on 3 Dec."})
    told = (await resolved.wait_followup()).content
    assert "resolved" in told and "(messages: 4, files: 1)" in told
    await sb.wait_until(lambda: card_fields(card)["Status"].startswith("Resolved"))
    assert card_fields(card)["Outcome"] == "Expert from JRC introduced; call on 3 Dec."
    assert buttons(card) == ["Reopen"]
    await sb.wait_until(lambda: len(dm_texts(community, "aino")) == 3)
    # The DM names the thread on its own line, so its name does not read as the outcome's end.
    *outcome, link = dm_texts(community, "aino")[-1].splitlines()
    assert outcome[-1].endswith("call on 3 Dec.") and link == f"Ketju: <#{thread.id}>"
    closing = aino.read(thread)[-1]
    assert "ratkaisi" in closing.content and buttons(closing) == ["Avaa uudelleen"]
    kept = await eventually(lambda: repo(community).transcript(1))  # kept after the answer
    assert "Here is our current plan." in [m.content for m in kept]
    [copied] = await repo(community).files(1)
    assert (copied.filename, copied.data) == ("plan.pdf", b"%PDF-1.7 our plan")

    reopened = await aino.click(closing, "Avaa uudelleen")
    assert reopened.ephemeral and "#1" in reopened.content
    await sb.wait_until(lambda: card_fields(card)["Status"].startswith("Reopened"))
    assert buttons(card) == ["Claim", "Resolve"]
    await sb.wait_until(lambda: len(dm_texts(community, "aino")) == 4)
    assert "avasi pyynnön #1 uudelleen" in dm_texts(community, "aino")[-1]
    await sb.wait_until(lambda: any("was reopened by" in line for line in triage_lines(community)))

    # The secretariat retrieves the transcript later, with the copied file.
    transcript = await sofia.slash("support transcript", request=1)
    assert transcript.ephemeral
    names = [a.filename for a in transcript.message.attachments] if transcript.message else []
    assert names == ["request-1.txt", "plan.pdf"]
    text = transcript.message.attachments[0].data.decode() if transcript.message else ""
    assert "Aino: Here is our current plan." in text and "(file: plan.pdf)" in text


async def test_an_outsider_cannot_read_the_thread(community: LocalCommunity) -> None:
    await ask_and_read(community)
    [thread] = threads(community)
    marco = community.as_member("marco")
    assert not marco.can_see(thread)
    try:
        marco.read(thread)
    except SandboxUsageError:
        pass
    else:
        raise AssertionError("an outsider read a private support thread")
    assert not marco.can_see(community.channels["support-triage"])


async def test_two_staff_claiming_at_once(community: LocalCommunity) -> None:
    sb = community.sandbox
    sb.give_role(community.members["olli"], community.roles["Secretariat"])
    await ask_and_read(community)
    [card] = cards(community)
    sofia, olli = community.as_member("sofia"), community.as_member("olli")
    first, second = await asyncio.gather(sofia.click(card, "Claim"), olli.click(card, "Claim"))
    answers = sorted([first.content, second.content])
    winners = [a for a in answers if "#1" in a and ("handling" in a or "hoidat" in a)]
    losers = [a for a in answers if "already claimed" in a or "on jo ottanut" in a]
    assert len(winners) == 1 and len(losers) == 1, answers
    stored = await repo(community).get(1)
    assert stored is not None and stored.status == "claimed"
    assert f"<@{stored.claimed_by}>" in losers[0]
    history = await repo(community).history(1)
    assert [h.action for h in history] == ["open", "claim"]


async def test_only_the_secretariat_claims_and_the_requester_cannot(
    community: LocalCommunity,
) -> None:
    await ask_and_read(community)
    [card] = cards(community)
    assert not community.as_member("aino").can_see(community.channels["support-triage"])
    # A member who is not staff but can see the triage channel (moved there by mistake).
    sb = community.sandbox
    sb.set_overwrite(
        community.channels["support-triage"], community.members["marco"], allow=1 << 10
    )
    refused = await community.as_member("marco").click(card, "Claim")
    assert refused.ephemeral and "Only the secretariat" in refused.content
    stored = await repo(community).get(1)
    assert stored is not None and stored.status == "new"


async def test_status_and_list(community: LocalCommunity) -> None:
    await ask_and_read(community)
    await ask_and_read(community, "marco", topic="Interregional partnership", region="Veneto")
    mine = await community.as_member("aino").slash("support status")
    assert "#1" in mine.content and "#2" not in mine.content
    listed = await community.as_member("sofia").slash("support list")
    assert "#1" in listed.content and "#2" in listed.content
    refused = await community.as_member("aino").slash("support list")
    assert "Vain" in refused.content  # "Only the secretariat ..." in Finnish
    result = await ask(community, "lena")
    assert (await result.wait_followup()).content.startswith("Request #3 is open")


async def test_the_region_comes_from_the_profile_and_can_be_changed(
    community: LocalCommunity,
) -> None:
    aino = community.as_member("aino")
    await aino.slash("profile set", country="FI", region="FI-10")
    opened = await aino.slash("support request")
    assert opened.modal is not None
    inputs = {c["custom_id"]: c for row in opened.modal["components"] for c in row["components"]}
    assert inputs["region"].get("value") == "Lappi"  # her profile's region, in her language
    without = await community.as_member("marco").slash("support request")
    assert without.modal is not None
    inputs = {c["custom_id"]: c for row in without.modal["components"] for c in row["components"]}
    assert not inputs["region"].get("value")  # no profile: typed in the form
    result = await opened.submit_modal({**{k: v for k, v in FORM.items() if k != "region"}})
    await result.wait_followup()
    stored = await repo(community).get(1)
    assert stored is not None and stored.region == "Lappi"


async def test_export_counts_business_hours_to_claim_and_resolve_by_region_and_topic(
    community: LocalCommunity, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 12, 28, 8, tzinfo=UTC))  # Monday 09:00 in Brussels
    await ask_and_read(community)
    await ask_and_read(community, "marco", topic="Interregional partnership", region="Veneto")
    sofia = community.as_member("sofia")
    clock.set(datetime(2026, 12, 28, 10, tzinfo=UTC))  # two business hours later
    card = cards(community)[0]
    await sofia.click(card, "Claim")
    clock.set(datetime(2026, 12, 29, 8, tzinfo=UTC))  # Tuesday 09:00: a full day later
    form = await sofia.click(card, "Resolve")
    await (await form.submit_modal({"outcome": "Expert found."})).wait_followup()
    exported = await sofia.slash("support export")
    assert exported.ephemeral and exported.message is not None
    assert exported.message.content.startswith("Requests exported: 2. Times are business hours")
    files = {a.filename: a.data.decode() for a in exported.message.attachments}
    rows = list(csv.DictReader(io.StringIO(files["support-requests.csv"])))
    assert [(r["id"], r["region"], r["status"]) for r in rows] == [
        ("1", "Lapland", "resolved"),
        ("2", "Veneto", "new"),
    ]
    assert (rows[0]["business_hours_to_claim"], rows[0]["business_hours_to_resolve"]) == (
        "2.00",
        "8.00",
    )
    assert rows[0]["claimed_by"] == "Sofia" and rows[0]["outcome"] == "Expert found."
    assert (rows[1]["business_hours_to_claim"], rows[1]["business_hours_to_resolve"]) == ("", "")
    summary = {
        (r["by"], r["value"]): r for r in csv.DictReader(io.StringIO(files["support-summary.csv"]))
    }
    assert summary[("region", "Lapland")]["median_business_hours_to_resolve"] == "8.00"
    assert summary[("region", "Veneto")]["requests"] == "1"
    assert summary[("region", "Veneto")]["resolved"] == "0"
    refused = await community.as_member("aino").slash("support export")
    assert refused.message is not None and not refused.message.attachments


async def test_hand_over_to_another_secretariat_member(community: LocalCommunity) -> None:
    sb = community.sandbox
    sb.give_role(community.members["olli"], community.roles["Secretariat"])
    await ask_and_read(community)
    sofia = community.as_member("sofia")
    await sofia.click(cards(community)[0], "Claim")
    passed = await sofia.slash("support handover", request=1, to=community.members["olli"])
    assert passed.ephemeral and "now handled by" in passed.content
    stored = await repo(community).get(1)
    assert stored is not None and stored.claimed_by == community.members["olli"].user.id
    [thread] = threads(community)
    assert community.members["olli"].user.id in thread.thread_members
    await sb.wait_until(lambda: any("siirrettiin" in t for t in dm_texts(community, "aino")))
    refused = await sofia.slash("support handover", request=1, to=community.members["marco"])
    assert "only be handed to the secretariat" in refused.content
