"""The sandbox against the unmodified discord.py client: what a member does, what Discord shows."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.local_process import FORM_TIME, BotProcess
from bot.sandbox import permissions as perm
from bot.sandbox.driver import SandboxUsageError
from bot.sandbox.render import render_message
from bot.sandbox.server import Sandbox
from tests.sandbox.conftest import SandboxBot, World


def text_channel(bot: SandboxBot, world: World) -> discord.TextChannel:
    channel = bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_bot_connects_syncs_and_sees_the_guild(bot: SandboxBot, world: World) -> None:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.name == "Community"
    assert {m.name for m in guild.members} >= {"alice", "bob", "s3cop"}
    assert guild.get_channel(world.hidden.id) is not None
    synced = {c.name for c in world.sb.backend.list_commands(world.guild.id)}
    assert synced == {"ping", "secret", "vote", "feedback", "slow", "twice", "event", "admin"}


async def test_login_with_another_token_fails(sandbox: Sandbox, world: World) -> None:
    from bot.discord_urls import point_discord_at

    point_discord_at(sandbox.api_base, sandbox.gateway_url)
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()


async def test_slash_answer_is_public(bot: SandboxBot, world: World) -> None:
    result = await world.sb.as_member(world.alice).slash("ping")
    assert (result.kind, result.content, result.ephemeral) == ("message", "pong", False)
    assert world.sb.messages(world.general)[-1] is result.message


async def test_ephemeral_answer_carries_member_locale(bot: SandboxBot, world: World) -> None:
    result = await world.sb.as_member(world.alice).slash("secret")
    assert result.ephemeral and result.content == "hi fi"
    assert world.sb.messages(world.general) == []
    assert world.sb.ephemerals(world.alice) == [result.message]
    assert "(only you)" in render_message(result.message)  # type: ignore[arg-type]


async def test_subcommand_options_are_typed_and_resolved(bot: SandboxBot, world: World) -> None:
    result = await world.sb.as_member(world.alice).slash(
        "event create", title="Retro", seats=12, where=world.general, host=world.bob
    )
    assert result.content == "Retro|12|general|bob|Member"


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({"title": "x", "seats": 1, "where": None}, "option"),
        ({"title": "x", "seats": 0}, "min_value"),
        ({"title": "x"}, "needs option"),
        ({"title": "x", "seats": 1, "colour": "red"}, "no option"),
    ],
)
async def test_impossible_commands_are_test_bugs(
    bot: SandboxBot, world: World, options: dict[str, object], why: str
) -> None:
    options = {k: (world.bob if k == "host" else v) for k, v in options.items()}
    if "where" in options:
        options["where"] = world.alice  # a member is not a channel
    with pytest.raises(SandboxUsageError):
        await world.sb.as_member(world.alice).slash("event create", **options)


async def test_nested_group_and_cache_after_add_roles(bot: SandboxBot, world: World) -> None:
    result = await world.sb.as_member(world.alice).slash(
        "admin role give", member=world.bob, role=world.helper
    )
    assert "helper" in result.content
    member = bot.get_guild(world.guild.id).get_member(world.bob.user.id)  # type: ignore[union-attr]
    assert [r.name for r in member.roles] == ["@everyone", "helper"]  # type: ignore[union-attr]
    assert world.helper.id in world.bob.roles


async def test_create_role_is_in_the_cache_at_once(bot: SandboxBot, world: World) -> None:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    for n in range(5):
        role = await guild.create_role(name=f"team {n}")
        assert guild.get_role(role.id) is role or guild.get_role(role.id) is not None
    channel = await guild.create_text_channel("plans")
    assert guild.get_channel(channel.id) is not None


async def test_button_select_and_modal_round_trips(bot: SandboxBot, world: World) -> None:
    alice = world.sb.as_member(world.alice)
    vote = await alice.slash("vote")
    assert vote.message is not None
    clicked = await alice.click(vote.message, "Yes")
    assert clicked.kind == "update" and vote.message.content == "alice voted yes"
    picked = await alice.select(vote.message, ["Blue"])
    assert picked.ephemeral and picked.content == "picked ['b']"
    opened = await alice.slash("feedback")
    assert opened.kind == "modal" and opened.modal is not None
    submitted = await alice.submit_modal(opened, {"Your feedback": "great"})
    assert submitted.content == "thanks: great"


async def test_a_form_is_submitted_no_sooner_than_a_member_could_fill_it(
    bot: SandboxBot, world: World, tmp_path: Path
) -> None:
    """discord.py listens for a form only after reading the answer that opened it; a bot in
    another process reads that on its own time, so a submit in the same millisecond was
    discarded (the member saw "thinking…" forever and the crash test lost an event: its ids
    then named another event). Members of such a bot take ``form_time`` to fill a form."""
    BotProcess(world.sb, world.guild.id, tmp_path)
    assert world.sb.backend.form_time >= FORM_TIME > 0
    alice = world.sb.as_member(world.alice)
    opened = await alice.slash("feedback")
    submitted = await alice.submit_modal(opened, {"Your feedback": "great"})
    assert submitted.interaction.created - opened.interaction.modal_shown >= FORM_TIME
    assert submitted.content == "thanks: great"


async def test_autocomplete(bot: SandboxBot, world: World) -> None:
    choices = await world.sb.as_member(world.alice).autocomplete("event info", "name", "Kick")
    assert [c["name"] for c in choices] == ["Kickoff", "Kick-out"]


async def test_deferred_answer_is_filled_by_the_followup(bot: SandboxBot, world: World) -> None:
    result = await world.sb.as_member(world.alice).slash("slow")
    assert result.kind == "deferred"
    done = await result.wait_followup()
    assert done is result.message and done.content == "done"


async def test_unanswered_interaction_fails(bot: SandboxBot, world: World) -> None:
    world.sb.interaction_deadline = 0.2
    result = await world.sb.as_member(world.alice).slash("slow", seconds=0.4)
    assert result.failed and result.kind == "failed"
    assert world.sb.failed_interactions == [result.interaction]
    await world.sb.wait_until(lambda: bot.failures)
    assert isinstance(bot.failures[0], discord.NotFound) and bot.failures[0].code == 10062


async def test_second_initial_response_is_refused(bot: SandboxBot, world: World) -> None:
    await world.sb.as_member(world.alice).slash("twice")
    await world.sb.wait_until(lambda: bot.failures)
    assert isinstance(bot.failures[0], discord.HTTPException) and bot.failures[0].code == 40060


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": "x" * 2001},
        {"embeds": [discord.Embed(description="x" * 4000), discord.Embed(description="y" * 2001)]},
        {
            "view": discord.ui.View().add_item(
                discord.ui.Select(options=[discord.SelectOption(label=str(i)) for i in range(26)])
            )
        },
        {"view": discord.ui.View().add_item(discord.ui.Button(label="x", custom_id="c" * 101))},
    ],
    ids=["content-2001", "embeds-6001", "select-26", "custom-id-101"],
)
async def test_limits_are_refused(bot: SandboxBot, world: World, kwargs: dict[str, object]) -> None:
    with pytest.raises(discord.HTTPException) as caught:
        await text_channel(bot, world).send(**kwargs)  # type: ignore[arg-type]
    assert caught.value.status == 400 and caught.value.code == 50035


class Finnish(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: object
    ) -> str | None:
        return "Tietoja" if locale is discord.Locale.finnish and string.message == "about" else None


async def test_command_limits_are_refused(bot: SandboxBot, world: World) -> None:
    guild = discord.Object(world.guild.id)

    async def about(interaction: discord.Interaction) -> None: ...

    bot.tree.add_command(
        app_commands.Command(
            name=app_commands.locale_str("about"), description="About", callback=about
        ),
        guild=guild,
    )
    await bot.tree.set_translator(Finnish())
    with pytest.raises(discord.HTTPException) as caught:
        await bot.tree.sync(guild=guild)
    assert caught.value.code == 50035 and "name_localizations" in str(caught.value)
    await bot.tree.set_translator(None)
    bot.tree.remove_command("about", guild=guild)
    bot.tree.add_command(
        app_commands.Command(name="long", description="d" * 120, callback=about), guild=guild
    )
    with pytest.raises(discord.HTTPException) as caught:
        await bot.tree.sync(guild=guild)
    assert caught.value.code == 50035 and "description" in str(caught.value)


async def test_send_survives_429_and_one_500(bot: SandboxBot, world: World) -> None:
    world.sb.faults.rate_limit("POST /channels/*/messages", count=2, retry_after=0.05)
    started = time.monotonic()
    await text_channel(bot, world).send("after 429")
    assert time.monotonic() - started < 1
    world.sb.faults.server_error("POST /channels/*/messages")
    await text_channel(bot, world).send("after 500")
    assert [m.content for m in world.sb.messages(world.general)] == ["after 429", "after 500"]
    assert world.sb.faults.injected == 3


@pytest.mark.parametrize("fault", ["reconnect", "drop", "invalid-resumable"])
async def test_bot_resumes_and_gets_missed_events(
    bot: SandboxBot, world: World, fault: str
) -> None:
    sb = world.sb
    if fault == "reconnect":
        sb.faults.gateway_reconnect()
    elif fault == "drop":
        sb.faults.drop_connection()
    else:
        sb.faults.invalid_session(resumable=True)
    role = sb.add_role(world.guild, "missed")  # may happen while disconnected
    await sb.wait_until(lambda: sb.gateway.resumes == 1 and sb.gateway.connected)
    await sb.wait_until(lambda: bot.get_guild(world.guild.id).get_role(role.id))  # type: ignore[union-attr]
    assert sb.gateway.identifies == 1
    result = await sb.as_member(world.alice).slash("ping")
    assert result.content == "pong"


async def test_bot_identifies_again_after_invalid_session(bot: SandboxBot, world: World) -> None:
    sb = world.sb
    sb.faults.invalid_session(resumable=False)
    await sb.wait_until(lambda: sb.gateway.identifies == 2 and sb.gateway.connected)
    assert sb.gateway.resumes == 0
    assert (await sb.as_member(world.alice).slash("ping")).content == "pong"


async def test_missing_permission_is_forbidden(bot: SandboxBot, world: World) -> None:
    world.sb.set_bot_permissions(world.guild, perm.VIEW_CHANNEL | perm.SEND_MESSAGES)
    everyone = world.guild.roles[world.guild.id]
    world.sb.set_role_permissions(everyone, perm.VIEW_CHANNEL | perm.SEND_MESSAGES)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    with pytest.raises(discord.Forbidden) as caught:
        await guild.create_role(name="nope")
    assert caught.value.code == 50013
    with pytest.raises(discord.Forbidden):
        await guild.create_scheduled_event(
            name="x",
            start_time=discord.utils.utcnow().replace(year=2099),
            end_time=discord.utils.utcnow().replace(year=2100),
            entity_type=discord.EntityType.external,
            location="Somewhere",
            privacy_level=discord.PrivacyLevel.guild_only,
        )


async def test_closed_dms_are_forbidden(bot: SandboxBot, world: World) -> None:
    bob = bot.get_guild(world.guild.id).get_member(world.bob.user.id)  # type: ignore[union-attr]
    assert bob is not None
    with pytest.raises(discord.Forbidden) as caught:
        await bob.send("hello")
    assert caught.value.code == 50007
    alice = bot.get_guild(world.guild.id).get_member(world.alice.user.id)  # type: ignore[union-attr]
    waiting = asyncio.create_task(world.sb.wait_for_message(dm_to=world.alice))
    await alice.send("hello")  # type: ignore[union-attr]
    assert (await waiting).content == "hello"
    assert [m.content for m in world.sb.dms(world.alice)] == ["hello"]


async def test_members_only_see_allowed_channels(bot: SandboxBot, world: World) -> None:
    sb = world.sb
    assert world.hidden not in sb.visible_channels(world.alice)
    with pytest.raises(SandboxUsageError):
        await sb.as_member(world.alice).slash("ping", in_channel=world.hidden)
    sb.set_overwrite(world.hidden, world.alice, allow=perm.VIEW_CHANNEL)
    assert world.hidden in sb.visible_channels(world.alice)
    assert (
        await sb.as_member(world.alice).slash("ping", in_channel=world.hidden)
    ).content == "pong"


async def test_scheduled_events_and_files(bot: SandboxBot, world: World) -> None:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    start = discord.utils.utcnow().replace(microsecond=0) + __import__("datetime").timedelta(days=3)
    event = await guild.create_scheduled_event(
        name="Kickoff",
        start_time=start,
        end_time=start.replace(hour=(start.hour + 1) % 24)
        if start.hour < 23
        else start.replace(minute=59),
        entity_type=discord.EntityType.external,
        location="Main hall",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    assert guild.get_scheduled_event(event.id) is not None
    assert [e.name for e in world.sb.scheduled_events(world.guild)] == ["Kickoff"]
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_scheduled_event(
            name="x" * 101,
            start_time=start,
            entity_type=discord.EntityType.external,
            location="y",
            end_time=start.replace(year=start.year + 1),
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    assert caught.value.code == 50035
    sent = await text_channel(bot, world).send(
        "calendar", file=discord.File(__import__("io").BytesIO(b"BEGIN:VCALENDAR"), "event.ics")
    )
    stored = world.sb.messages(world.general)[-1]
    assert stored.attachments[0].data == b"BEGIN:VCALENDAR"
    assert await sent.attachments[0].read() == b"BEGIN:VCALENDAR"
    assert "📎 event.ics (15 bytes)" in render_message(stored)


async def test_setup_after_connect_reaches_the_bot(bot: SandboxBot, world: World) -> None:
    sb = world.sb
    carol = sb.add_member(world.guild, "carol")
    news = sb.add_channel(world.guild, "news", topic="Latest")
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    await sb.wait_until(lambda: guild.get_member(carol.user.id) and guild.get_channel(news.id))
    result = await sb.as_member(carol).slash("ping", in_channel=news)
    assert result.content == "pong"
    waiting = asyncio.create_task(sb.wait_for_message(news, predicate=lambda m: "ann" in m.content))
    channel = guild.get_channel(news.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("announcement")
    assert (await waiting).content == "announcement"


async def test_member_messages_arrive_without_content(bot: SandboxBot, world: World) -> None:
    seen: list[discord.Message] = []

    async def on_message(message: discord.Message) -> None:
        seen.append(message)

    bot.add_listener(on_message)
    posted = world.sb.as_member(world.alice).say("secret plans")
    await world.sb.wait_until(lambda: seen)
    assert seen[0].id == posted.id and seen[0].content == ""
    assert world.sb.messages(world.general)[-1].content == "secret plans"
