"""The bot on the sandbox: connects and syncs, /about and /help in two languages, the error
handler's two paths, sends that survive 429s and 5xx, and resuming after a reconnect."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.local import LocalCommunity
from db import prefs


async def test_bot_connects_and_syncs_guild_commands(community: LocalCommunity) -> None:
    names = {
        c.name
        for c in community.sandbox.backend.commands.values()
        if c.guild_id == community.guild.id
    }
    assert {"about", "help", "event", "timezone", "reminders", "calendar"} <= names


@pytest.mark.parametrize(
    ("member", "title_word", "field"),
    [("sofia", "s3cop", "Uptime"), ("aino", "s3cop", "Käynnissä")],
)
async def test_about_answers_in_the_members_language(
    community: LocalCommunity, member: str, title_word: str, field: str
) -> None:
    result = await community.as_member(member).slash("about")
    assert result.ephemeral
    embed = result.message.embeds[0]  # type: ignore[union-attr]
    assert title_word in embed["title"]
    assert field in [f["name"] for f in embed["fields"]]


async def test_help_lists_commands_by_feature_in_finnish(community: LocalCommunity) -> None:
    english = await community.as_member("sofia").slash("help")
    finnish = await community.as_member("aino").slash("help")
    en_fields = {f["name"]: f["value"] for f in english.message.embeds[0]["fields"]}  # type: ignore[union-attr]
    fi_fields = {f["name"]: f["value"] for f in finnish.message.embeds[0]["fields"]}  # type: ignore[union-attr]
    assert "/event create" in en_fields["Events"]
    assert "Tapahtumat" in fi_fields
    assert "/tapahtuma luo" in fi_fields["Tapahtumat"]
    # A feature too long for one field keeps its heading in the next one.
    assert all(name.strip("\u200b ") for name in (*en_fields, *fi_fields))
    assert any(name.endswith("(continued)") for name in en_fields)
    assert any(name.endswith("(jatkuu)") for name in fi_fields)


async def test_user_facing_error_is_an_ephemeral_message(community: LocalCommunity) -> None:
    result = await community.as_member("marco").slash("timezone set", zone="Mars/Olympus")
    assert result.ephemeral
    assert "Mars/Olympus" in result.content and "Europe/Helsinki" in result.content


async def test_unexpected_error_is_logged_with_an_id(
    community: LocalCommunity, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(conn: sqlite3.Connection, guild_id: int, user_id: int) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(prefs, "get", broken)
    result = await community.as_member("aino").slash("timezone show")
    assert result.ephemeral
    assert "virhe" in result.content.lower()  # the apology is in Finnish for Aino
    error_id = result.content.split()[-1].strip(".")
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_send_survives_429_and_a_5xx(community: LocalCommunity) -> None:
    bot = community.bot
    assert bot is not None
    channel = bot.get_channel(community.channels["announcements"].id)
    community.sandbox.faults.rate_limit(count=2, retry_after=0.05)
    await channel.send("after two 429s")  # type: ignore[union-attr]
    community.sandbox.faults.server_error(count=1)
    await channel.send("after one 500")  # type: ignore[union-attr]
    contents = [m.content for m in community.sandbox.messages(community.channels["announcements"])]
    assert contents == ["after two 429s", "after one 500"]


async def test_bot_resumes_after_reconnect_request(community: LocalCommunity) -> None:
    bot = community.bot
    assert bot is not None
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    community.sandbox.faults.gateway_reconnect()
    await asyncio.wait_for(resumed.wait(), 10)
    result = await community.as_member("sofia").slash("about")
    assert result.kind == "message"
