"""Slash commands for polls: thin, they check input with the rules, read through the queries and
change through the service.

Who may do what: organisers create polls for anyone, a group's leads for their group (its
members, or one vote per region); a poll's creator or an organiser closes it; everyone reads
results (live polls anytime, hidden ones after close) and lists open polls.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import defer
from bot.client import S3Bot
from bot.errors import UserFacingError
from bot.i18n import C_, _, translate
from bot.members import asker
from bot.timeparse import parse_duration, parse_when
from bot.tree import interaction_language, reply
from cogs.polls._announce import Announcer
from cogs.polls._count import Mode
from cogs.polls._display import turnout_line
from cogs.polls._queries import PollQueries
from cogs.polls._rules import (
    MODES,
    check_close_and_quorum,
    check_quick,
    check_reminder,
    check_spec,
    choice_bounds,
)
from cogs.polls._service import PollService
from cogs.polls._views import (
    CLOSING,
    FEATURE,
    ChoiceSelect,
    CloseButton,
    PollForm,
    QuickButton,
    RankButton,
    RankSelect,
    VoteButton,
    ask_close,
    quick_view,
    require_creator_or_organiser,
)
from db.polls import NewPoll

CREATING = _("create polls")
EXPORTING = _("export this poll's ballots")

OPTION_NAMES = (
    C_("command", "mode"),
    C_("command", "minimum"),
    C_("command", "maximum"),
    C_("command", "winners"),
    C_("command", "secret"),
    C_("command", "results"),
    C_("command", "electorate"),
    C_("command", "channel"),
    C_("command", "role"),
    C_("command", "group"),
    C_("command", "closes"),
    C_("command", "quorum"),
    C_("command", "remind"),
    C_("command", "poll"),
    C_("command", "question"),
    C_("command", "answers"),
    C_("command", "hours"),
    C_("command", "multiple"),
)


class PollsCog(commands.Cog, name="Polls"):
    """Polls and decisions: k of n, ranked choice, secret ballots, electorates, deadlines."""

    # i18n: the feature heading /help shows for poll commands
    feature = _("Polls")

    poll = app_commands.Group(name=C_("command", "poll"), description=_("Polls and decisions"))

    def __init__(self, bot: S3Bot) -> None:
        self.bot = bot
        self.queries = PollQueries(bot)
        self.service = PollService(bot, self.queries, Announcer(bot, self.queries))

    async def cog_load(self) -> None:
        self.bot.features[FEATURE] = self.service  # what the persistent components reach
        self.bot.add_dynamic_items(
            VoteButton, ChoiceSelect, RankSelect, RankButton, QuickButton, CloseButton
        )
        self.service.register()

    async def cog_unload(self) -> None:
        await self.service.close_service()

    # -- /poll create -------------------------------------------------------------------------

    @poll.command(
        name=C_("command", "create"),
        description=_("Open a poll; a form asks the question and options"),
    )
    @app_commands.describe(
        mode=_("Single choice, multiple choice (with a minimum and maximum) or ranked choice"),
        minimum=_("Multiple or ranked: the fewest options a ballot holds (default 1)"),
        maximum=_("Multiple or ranked: the most options a ballot holds (default all)"),
        winners=_("How many options win (default 1)"),
        secret=_("Secret ballot: nobody can see who voted what (default yes)"),
        results=_("Show results while the poll is open, or only after it closes"),
        electorate=_(
            "Who votes: everyone who can see the channel, a role, a group, or one vote per region"
        ),
        channel=_("Where to post the poll (default: here, or a group's poll in its channel)"),
        role=_("For a role electorate: the role whose members vote"),
        group=_("For a group or region electorate: the group"),
        closes=_(
            "When voting closes, e.g. 2026-12-10 17:00 or in 3 days (default: closed by hand)"
        ),
        quorum=_("The share of the electorate that must vote, in percent"),
        remind=_("Remind members who have not voted this long before the close, e.g. 24h"),
    )
    @app_commands.choices(
        mode=[
            app_commands.Choice(name=_("single choice"), value="single"),
            app_commands.Choice(name=_("multiple choice"), value="multiple"),
            app_commands.Choice(name=_("ranked choice"), value="ranked"),
        ],
        results=[
            app_commands.Choice(name=_("shown while open"), value="live"),
            app_commands.Choice(name=_("hidden until close"), value="hidden"),
        ],
        electorate=[
            app_commands.Choice(name=_("everyone who can see the channel"), value="channel"),
            app_commands.Choice(name=_("a role"), value="role"),
            app_commands.Choice(name=_("a group"), value="group"),
            app_commands.Choice(name=_("one vote per region"), value="region"),
        ],
    )
    async def create(
        self,
        interaction: discord.Interaction[S3Bot],
        mode: str = "single",
        minimum: int | None = None,
        maximum: int | None = None,
        winners: int = 1,
        secret: bool = True,
        results: str = "hidden",
        electorate: str = "channel",
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        group: str | None = None,
        closes: str | None = None,
        quorum: int | None = None,
        remind: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        language = interaction_language(interaction)
        team = (
            await self.queries.named_group(interaction.guild_id, group)
            if group and electorate in ("group", "region")
            else None
        )
        group_id = team.id if team else None
        await self.bot.members.require(
            interaction,
            self.bot.members.organisers,
            *await self.queries.creators(team),
            action=CREATING,
        )
        if mode not in MODES:
            raise UserFacingError(_("The mode must be single, multiple or ranked."))
        if team is not None and channel is None:
            # As /event create group: does: the group's own channel, where its members read.
            channel = self.bot.get_channel(team.channel_id or 0)  # type: ignore[assignment]
            if channel is None:
                raise UserFacingError(
                    _("The group's channel is missing: ask an admin to recreate it.")
                )
        target = channel or interaction.channel
        if not isinstance(target, discord.TextChannel):
            raise UserFacingError(_("Pick a text channel for the poll."))
        zone, zone_note = await self.bot.members.reading_zone(
            interaction.guild.id, interaction.user.id
        )
        closing = (
            parse_when(
                closes, tz=zone, now=self.queries.now(), language=language, zone_note=zone_note
            )
            if closes
            else None
        )
        closes_at = closing.utc if closing else None
        remind_minutes = int(parse_duration(remind).total_seconds() // 60) if remind else None
        check_close_and_quorum(closes_at, quorum, self.queries.now())
        check_reminder(closes_at, remind_minutes, remind or "", self.queries.now())
        if mode != "single" and minimum is not None and maximum is not None:
            choice_bounds(mode, max(maximum, minimum), minimum, maximum)  # min > max, early
        electors = await self.queries.electorate(
            interaction.guild, electorate, channel=target, role=role, group_id=group_id
        )
        electorate_ref = {
            "channel": target.id,
            "role": role.id if role else 0,
        }.get(electorate, group_id or 0)

        async def submitted(
            modal_interaction: discord.Interaction[Any], question: str, options: str, text: str
        ) -> None:
            check_reminder(closes_at, remind_minutes, remind or "", self.queries.now())
            spec = check_spec(
                question=question,
                options_text=options,
                description=text,
                mode=cast(Mode, mode),
                minimum=minimum,
                maximum=maximum,
                winners=winners,
                secret=secret,
                live_results=results == "live",
                closes_at=closes_at,
                quorum_percent=quorum,
                now=self.queries.now(),
            )
            new = NewPoll(
                guild_id=interaction.guild_id or 0,
                channel_id=target.id,
                creator_id=interaction.user.id,
                group_id=group_id,
                question=spec.question,
                description=spec.description,
                options=spec.options,
                mode=spec.mode,
                min_choices=spec.min_choices,
                max_choices=spec.max_choices,
                winners=spec.winners,
                secret=spec.secret,
                live_results=spec.live_results,
                electorate_kind=electorate,
                electorate_ref=electorate_ref,
                quorum_percent=spec.quorum_percent,
                closes_at=spec.closes_at,
                remind_minutes=remind_minutes,
            )
            record, url = await self.service.publish(new, electors)
            answered_in = interaction_language(modal_interaction)
            notes = closing.explain(answered_in) if closing else []  # e.g. the zone it was read in
            await reply(
                modal_interaction,
                "\n".join(
                    [
                        translate(
                            answered_in,
                            _("Poll #{id} is open: {url}\n{turnout}"),
                            id=record.id,
                            url=url,
                            turnout=turnout_line(answered_in, record, 0),
                        ),
                        *notes,
                    ]
                ),
            )

        await interaction.response.send_modal(PollForm(language, submitted))

    # -- /poll quick -------------------------------------------------------------------------

    @poll.command(
        name=C_("command", "quick"),
        description=_("A quick public question as Discord's own poll (up to 10 answers)"),
        extras={"public": True},  # a slow answer is deferred in public (bot/answering.py)
    )
    @app_commands.describe(
        question=_("The question"),
        answers=_("The answers, separated by ; (2 to 10)"),
        hours=_("How long it stays open, in hours (default 24)"),
        multiple=_("Allow choosing more than one answer"),
    )
    async def quick(
        self,
        interaction: discord.Interaction[S3Bot],
        question: str,
        answers: str,
        hours: int = 24,
        multiple: bool = False,
    ) -> None:
        await self.bot.members.require(interaction, self.bot.members.organisers, action=CREATING)
        text, options = check_quick(question, answers, hours)
        native = discord.Poll(question=text, duration=timedelta(hours=hours), multiple=multiple)
        for option in options:
            native.add_answer(text=option)
        view = quick_view(self.queries.guild_language(), interaction.user.id)
        await reply(interaction, ephemeral=False, poll=native, view=view)

    # -- /poll close --------------------------------------------------------------------------

    @poll.command(
        name=C_("command", "close"),
        description=_("Close a poll now and show its results (asks first)"),
    )
    @app_commands.describe(poll=_("The poll to close"))
    async def close(self, interaction: discord.Interaction[S3Bot], poll: int) -> None:
        record = await self.queries.load(interaction.guild_id, poll)
        await require_creator_or_organiser(interaction, record, CLOSING)
        if not record.is_open:
            raise UserFacingError(_("Poll #{id} is already closed."), id=record.id)
        await ask_close(interaction, record)

    # -- /poll results ------------------------------------------------------------------------

    @poll.command(name=C_("command", "results"), description=_("A poll's results, with its chart"))
    @app_commands.describe(poll=_("The poll"))
    async def results(self, interaction: discord.Interaction[S3Bot], poll: int) -> None:
        language = interaction_language(interaction)
        record = await self.queries.load_seen(interaction, poll)
        if record.is_open and not record.live_results:
            raise UserFacingError(
                _("The results of poll #{id} are hidden until it closes."), id=record.id
            )
        await defer(interaction)
        text, chart = await self.queries.results_answer(record, language)
        await reply(interaction, text, file=chart)

    # -- /poll export -------------------------------------------------------------------------

    @poll.command(
        name=C_("command", "export"), description=_("A closed poll's ballots as a CSV file")
    )
    @app_commands.describe(poll=_("The poll"))
    async def export(self, interaction: discord.Interaction[S3Bot], poll: int) -> None:
        record = await self.queries.load(interaction.guild_id, poll)
        await require_creator_or_organiser(interaction, record, EXPORTING)
        if record.is_open:
            # While open, two exports a vote apart would show which ballot is new.
            raise UserFacingError(
                _("Ballots can be exported once poll #{id} has closed."), id=record.id
            )
        language = interaction_language(interaction)
        await reply(
            interaction,
            translate(
                language,
                _("The ballots of poll #{id}, in random order, without names."),
                id=record.id,
            )
            if record.secret
            else translate(language, _("The ballots of poll #{id}."), id=record.id),
            file=await self.queries.export_file(record, language),
        )

    # -- /poll list ---------------------------------------------------------------------------

    @poll.command(name=C_("command", "list"), description=_("Open polls, by group"))
    async def list_polls(self, interaction: discord.Interaction[S3Bot]) -> None:
        language = interaction_language(interaction)
        text = await self.queries.open_polls_text(
            interaction.guild_id, language, asker(interaction)
        )
        await reply(interaction, text or translate(language, _("No polls are open.")))

    # -- autocomplete -------------------------------------------------------------------------

    @close.autocomplete("poll")
    @results.autocomplete("poll")
    @export.autocomplete("poll")
    async def _poll_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[int]]:
        who = asker(interaction)
        return [
            app_commands.Choice(name=label, value=value)
            for label, value in await self.queries.poll_choices(interaction.guild_id, current, who)
        ]

    @create.autocomplete("group")
    async def _group_choices(
        self, interaction: discord.Interaction[S3Bot], current: str
    ) -> list[app_commands.Choice[str]]:
        language = interaction_language(interaction)
        found = await self.queries.group_choices(interaction.guild_id, language, current)
        return [app_commands.Choice(name=name, value=value) for name, value in found]
