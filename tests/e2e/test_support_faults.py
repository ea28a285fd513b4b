"""Bad input and faults: a clear answer in the member's language, nothing lost, nothing doubled,
and the admin log told where an admin must act."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.local import LocalCommunity
from bot.sandbox import permissions as perm
from bot.sandbox.models import PRIVATE_THREAD
from db.support import SupportRequests
from tests.e2e.support_helpers import (
    FORM,
    ask,
    ask_and_read,
    card_fields,
    cards,
    dm_texts,
    stored_when,
    threads,
)


def repo(community: LocalCommunity) -> SupportRequests:
    assert community.db is not None
    return SupportRequests(community.db)


def admin_log(community: LocalCommunity) -> list[str]:
    return [m.content for m in community.sandbox.messages(community.channels["admin-log"])]


async def test_thread_creation_fails_then_succeeds_on_retry_with_one_request_and_one_thread(
    community: LocalCommunity, clock: FakeClock
) -> None:
    sb = community.sandbox
    support = community.channels["support"]
    sb.set_overwrite(support, sb.bot_user, deny=perm.CREATE_PRIVATE_THREADS)  # an admin's slip

    told = await ask_and_read(community)
    assert told.startswith("Pyyntö #1 on tallennettu") and "Mitään ei menetetty" in told
    assert threads(community) == [] and cards(community) == []
    [problem] = admin_log(community)
    assert "Create Private Threads" in problem and "#1" in problem
    saved = await repo(community).get(1)
    assert saved is not None and not saved.posted and saved.need == FORM["need"]

    clock.advance(timedelta(minutes=1))  # the first retry, still refused: nothing doubles
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    assert threads(community) == [] and len(admin_log(community)) == 1

    sb.set_overwrite(support, sb.bot_user)  # fixed
    clock.advance(timedelta(minutes=2))
    await community.bot.scheduler.run_due()
    [thread] = threads(community)
    assert thread.type == PRIVATE_THREAD and community.members["aino"].user.id in (
        thread.thread_members
    )
    assert len(cards(community)) == 1
    assert len(await repo(community).in_guild(community.guild.id)) == 1
    await sb.wait_until(lambda: len(dm_texts(community, "aino")) == 1)  # the scheduler's notice
    assert dm_texts(community, "aino")[-1].startswith("Tukipyyntösi #1")
    clock.advance(timedelta(hours=2))  # no retry is left to open a second thread
    await community.bot.scheduler.run_due()
    assert len(threads(community)) == 1 and len(cards(community)) == 1


async def test_a_deleted_thread_is_opened_again_and_the_admins_told(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await ask_and_read(community)
    [old] = threads(community)
    sb.delete_channel(old)
    restored = await stored_when(community, 1, lambda r: r.thread_id not in (None, old.id))
    [thread] = threads(community)
    assert thread.id == restored.thread_id
    aino = community.as_member("aino")
    await sb.wait_until(lambda: aino.can_see(thread) and aino.read(thread))  # added, welcomed
    assert "poistettiin" in aino.read(thread)[0].content
    await sb.wait_until(lambda: any("was deleted" in line for line in admin_log(community)))
    [card] = cards(community)
    await sb.wait_until(lambda: card_fields(card)["Status"] == "New")


async def test_a_deleted_card_is_posted_again_and_the_admins_told(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await ask_and_read(community)
    [card] = cards(community)
    sb.delete_message(card)
    await sb.wait_until(lambda: len(cards(community)) == 1 and cards(community)[0].id != card.id)
    stored = await stored_when(community, 1, lambda r: r.card_message_id != card.id)
    assert stored.card_message_id == cards(community)[0].id
    await sb.wait_until(
        lambda: any("card of support request #1" in x for x in admin_log(community))
    )
    claimed = await community.as_member("sofia").click(cards(community)[0], "Claim")
    assert "#1" in claimed.content


async def test_too_many_open_requests_and_excluded_roles_are_refused_before_the_form(
    community: LocalCommunity,
) -> None:
    sofia = community.as_member("sofia")
    done = await sofia.slash(
        "support settings", max_open=1, exclude_role=community.roles["Organisers"]
    )
    assert "1" in done.content and str(community.roles["Organisers"].id) in done.content
    await ask_and_read(community)
    again = await community.as_member("aino").slash("support request")
    assert again.modal is None and again.ephemeral
    assert "Sinulla on jo 1 avointa pyyntöä" in again.content
    olli = await community.as_member("olli").slash("support request")  # an organiser
    assert olli.modal is None and "Et voi tehdä tukipyyntöjä" in olli.content
    assert len(await repo(community).in_guild(community.guild.id)) == 1
    refused = await community.as_member("aino").slash("support settings", max_open=5)
    assert refused.ephemeral and "Vain" in refused.content


async def test_empty_fields_are_refused_and_nothing_is_stored(community: LocalCommunity) -> None:
    result = await ask(community, topic="   ")
    assert result.ephemeral and "Anna pyynnöllesi aihe" in result.content
    result = await ask(community, "marco", region="  ")
    assert "region" in result.content
    assert await repo(community).in_guild(community.guild.id) == []
    assert threads(community) == []


async def test_closed_dms_lose_nothing_the_thread_has_it_all(community: LocalCommunity) -> None:
    sb = community.sandbox
    closed = sb.add_member(community.guild, "Kaisa", locale="fi", dms_open=False)
    community.members["kaisa"] = closed
    await sb.wait_until(
        lambda: (
            community.bot is not None
            and community.bot.get_guild(community.guild.id) is not None
            and community.bot.get_guild(community.guild.id).get_member(closed.user.id) is not None
        )  # type: ignore[union-attr]
    )
    told = await ask_and_read(community, "kaisa")
    assert told.startswith("Pyyntö #1 on avoinna")
    [card] = cards(community)
    await community.as_member("sofia").click(card, "Claim")
    [thread] = threads(community)
    kaisa = community.as_member("kaisa")
    await sb.wait_until(lambda: "hoitaa nyt" in kaisa.read(thread)[-1].content)
    assert sb.dms(closed) == []


async def test_a_lost_answer_from_discord_leaves_one_thread(community: LocalCommunity) -> None:
    # Discord makes the thread but its answer is lost; discord.py asks again and Discord makes
    # a second one. The request keeps the first, and the second is deleted.
    community.sandbox.faults.lost_answer("POST /channels/*/threads")
    told = await ask_and_read(community)
    [thread] = threads(community)
    assert f"<#{thread.id}>" in told
    stored = await repo(community).get(1)
    assert stored is not None and stored.thread_id == thread.id and stored.posted
    assert community.as_member("aino").can_see(thread)


async def test_a_card_posted_but_not_stored_is_not_posted_twice(
    community: LocalCommunity, clock: FakeClock
) -> None:
    # The card is posted, then storing where it is fails, as when the bot dies between the two:
    # the posting retry posts it again with the card's nonce, and Discord returns the first.
    assert community.db is not None
    await community.db.execute(
        "CREATE TRIGGER lost_card BEFORE UPDATE OF card_message_id ON support_requests "
        "WHEN NEW.card_message_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    await ask(community)
    await community.sandbox.wait_until(lambda: len(cards(community)) == 1)
    await community.db.execute("DROP TRIGGER lost_card")
    clock.advance(timedelta(minutes=2))
    assert community.bot is not None
    await community.bot.scheduler.run_due()
    stored = await stored_when(community, 1, lambda r: r.posted)
    [card] = cards(community)
    assert stored.card_message_id == card.id


async def test_a_quiet_thread_that_archived_still_hears_the_claim_and_is_kept(
    community: LocalCommunity,
) -> None:
    # A week without messages and Discord archives the thread; discord.py forgets it.
    sb = community.sandbox
    await ask_and_read(community)
    [thread] = threads(community)
    sb.backend.edit_channel(thread.id, {"archived": True})
    assert community.bot is not None
    guild = community.bot.get_guild(community.guild.id)
    assert guild is not None
    await sb.wait_until(lambda: guild.get_thread(thread.id) is None)
    await community.as_member("sofia").click(cards(community)[0], "Claim")
    aino = community.as_member("aino")
    await sb.wait_until(lambda: "hoitaa nyt" in aino.read(thread)[-1].content)
    assert not thread.archived and len(threads(community)) == 1  # the message woke it up
    assert not any("deleted" in line for line in admin_log(community))
