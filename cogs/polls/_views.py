"""The poll's components: the persistent Vote button, the ballot and the creation form.

Every component is a DynamicItem whose custom_id carries what it needs (the poll, and for a ranked
ballot the picks so far), so a ballot left open across a restart still works. Whatever a
component sends, the service checks the ballot against the poll's rules again.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot import components
from bot.answering import defer, reply, update
from bot.errors import UserFacingError
from bot.i18n import _, translate
from bot.members import Who
from bot.tree import interaction_language
from cogs.polls._display import (
    close_question,
    opened_ballot_text,
    ordinal,
    ranking_text,
    receipt_text,
)

if TYPE_CHECKING:
    from cogs.polls._service import PollService
    from db.polls import PollRecord

log = logging.getLogger(__name__)

FEATURE = "polls"
PREFIX = "poll"  # every polls custom_id starts "poll:"

# What the refusal names when someone who may not asks.
CLOSING = _("close this poll")


class PollButton(components.Button, feature=FEATURE, prefix=PREFIX):
    """The polls feature's persistent buttons."""


class PollSelect(components.Select, feature=FEATURE, prefix=PREFIX):
    """The polls feature's persistent select menus."""


def _service(interaction: discord.Interaction[Any]) -> PollService:
    """The service setup() registered (bot.features["polls"])."""
    service: PollService = PollButton.state(interaction)
    return service


async def require_creator_or_organiser(
    interaction: discord.Interaction[Any], poll: PollRecord, action: str
) -> None:
    """The poll's creator or an organiser; anyone else is refused, naming ``action``."""

    async def is_creator(member: discord.Member) -> bool:
        return member.id == poll.creator_id

    members = interaction.client.members
    creator = Who(_("the poll's creator"), is_creator)
    await members.require(interaction, creator, members.organisers, action=action)


def picks_text(picks: tuple[int, ...]) -> str:
    return ".".join(map(str, picks))


def parse_picks(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p)


def _values(interaction: discord.Interaction[Any]) -> list[str]:
    data: dict[str, Any] = dict(interaction.data or {})
    return [str(v) for v in data.get("values", [])]


def option_number(value: str) -> int:
    """A select value as an option number; anything else (a crafted value) as -1, which the
    rules refuse as an unknown option rather than silently dropping it."""
    return int(value) if value.isdigit() else -1


class VoteButton(PollButton, template=r"(?P<poll>\d+):vote"):
    """The poll message's Vote button: opens the member's ballot."""

    def __init__(self, poll_id: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary, custom_id=f"poll:{poll_id}:vote"
            )
        )
        self.poll_id = poll_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> VoteButton:
        return cls(int(match["poll"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        language = interaction_language(interaction)
        poll, unit, current = await _service(interaction).open_ballot(interaction, self.poll_id)
        view = (
            ranked_view(language, poll, ())
            if poll.mode == "ranked"
            else choice_view(language, poll, current)
        )
        await reply(interaction, opened_ballot_text(language, poll, unit, current), view=view)


class ChoiceSelect(PollSelect, template=r"(?P<poll>\d+):pick"):
    """A single or multiple choice ballot, bounded by the poll's minimum and maximum."""

    def __init__(self, poll_id: int, select: discord.ui.Select[Any] | None = None) -> None:
        super().__init__(select or discord.ui.Select(custom_id=f"poll:{poll_id}:pick"))
        self.poll_id = poll_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ChoiceSelect:
        return cls(int(match["poll"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        choices = [option_number(v) for v in _values(interaction)]
        await cast(interaction, self.poll_id, choices)


class RankSelect(PollSelect, template=r"(?P<poll>\d+):rank:(?P<picks>[\d.]*)"):
    """A ranked ballot's next pick: the options not ranked yet."""

    def __init__(
        self, poll_id: int, picks: tuple[int, ...], select: discord.ui.Select[Any] | None = None
    ) -> None:
        super().__init__(
            select or discord.ui.Select(custom_id=f"poll:{poll_id}:rank:{picks_text(picks)}")
        )
        self.poll_id = poll_id
        self.picks = picks

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RankSelect:
        return cls(int(match["poll"]), parse_picks(match["picks"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        picked = [option_number(v) for v in _values(interaction)]
        await rank_step(interaction, self.poll_id, (*self.picks, *picked[:1]))


class RankButton(PollButton, template=r"(?P<poll>\d+):(?P<action>done|clear):(?P<picks>[\d.]*)"):
    """Done (record the ranking so far) or Clear (start the ranking again)."""

    def __init__(self, poll_id: int, action: str, picks: tuple[int, ...], label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.success
                if action == "done"
                else discord.ButtonStyle.secondary,
                custom_id=f"poll:{poll_id}:{action}:{picks_text(picks)}",
                disabled=action == "done" and not picks,
            )
        )
        self.poll_id = poll_id
        self.action = action
        self.picks = picks

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RankButton:
        return cls(int(match["poll"]), match["action"], parse_picks(match["picks"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        if self.action == "done":
            await cast(interaction, self.poll_id, list(self.picks))
        else:
            await rank_step(interaction, self.poll_id, ())


async def rank_step(
    interaction: discord.Interaction[Any], poll_id: int, picks: tuple[int, ...]
) -> None:
    """Show the ranking so far and the next choice, in place of the ballot."""
    language = interaction_language(interaction)
    poll, unit, current = await _service(interaction).rank_step(interaction, poll_id, picks)
    text = ranking_text(language, poll, unit, current, picks)
    await update(interaction, content=text, view=ranked_view(language, poll, picks))


async def cast(interaction: discord.Interaction[Any], poll_id: int, choices: list[int]) -> None:
    """Store the ballot; the receipt replaces it (Vote opens it again to change the vote)."""
    language = interaction_language(interaction)
    done = await _service(interaction).cast(interaction, poll_id, choices)
    text = receipt_text(language, done.poll, done.unit, done.ballot)
    await update(interaction, content=text, view=None)


class QuickButton(PollButton, template=r"quick:(?P<creator_id>\d+):(?P<action>end|voters)"):
    """On a quick poll (Discord's own): End now, or its voters as a CSV file, for the member who
    posted it and organisers. Discord itself shows the counts, and the results at the end."""

    def __init__(self, creator_id: int, action: str, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=QuickButton.custom_id_for("quick", creator_id, action),
            )
        )
        self.creator_id = creator_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> QuickButton:
        return cls(int(match["creator_id"]), match["action"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        if self.action == "end":
            await end_quick(interaction, self.creator_id)
        else:
            await quick_voters(interaction, self.creator_id)


def closes_state(poll: PollRecord) -> str:
    """What a close question was asked about: the poll's deadline (none: 0)."""
    return str(int(poll.closes_at.timestamp())) if poll.closes_at else "0"


async def ask_close(interaction: discord.Interaction[Any], poll: PollRecord) -> None:
    """/poll close's question: the poll, its turnout and what closing does, with Close it now
    / Keep it open. Nothing happens until Close it now (:class:`CloseButton`)."""
    service = _service(interaction)
    language = interaction_language(interaction)
    view = components.confirm_view(
        CloseButton,
        poll.id,
        closes_state(poll),
        int(service.queries.now().timestamp()),
        translate(language, _("Close it now")),
        translate(language, _("Keep it open")),
    )
    # The count's ballots are the turnout (one per member, or per region).
    text = close_question(language, poll, (await service.queries.result(poll)).ballots)
    await reply(interaction, text, view=view)


class CloseButton(
    components.Confirm,
    PollButton,
    template=r"close:(?P<target>\d+):(?P<state>[\w.-]*):(?P<asked>\d+):(?P<choice>yes|keep)",
):
    """/poll close's Close it now / Keep it open: refused when the poll closed (or its deadline
    moved) after the question, or the question is over 15 minutes old, after a restart too."""

    word = "close"
    # i18n: the answer to Keep it open on /poll close's question
    kept = _("The poll stays open.")

    async def confirmed(self, interaction: discord.Interaction[Any]) -> None:
        service = _service(interaction)
        language = interaction_language(interaction)
        poll = await service.queries.load(interaction.guild_id, self.target)
        await require_creator_or_organiser(interaction, poll, CLOSING)
        if not poll.is_open:
            raise UserFacingError(_("Poll #{id} is already closed."), id=poll.id)
        if closes_state(poll) != self.asked_state:
            raise UserFacingError(
                _(
                    "Poll #{id} changed since you were asked, so it is still open: run /poll "
                    "close again to see it as it is now."
                ),
                id=poll.id,
            )
        await defer(interaction, thinking=False)
        await service.finish(poll.id)
        text = translate(
            language, _("Poll #{id} is closed; its message shows the results."), id=poll.id
        )
        await update(interaction, content=text, view=None)


def quick_view(language: str, creator_id: int, *, ended: bool = False) -> discord.ui.View:
    """A quick poll's buttons: End now while it runs, and Voters."""
    view = discord.ui.View(timeout=None)
    if not ended:
        view.add_item(QuickButton(creator_id, "end", translate(language, _("End now"))))
    view.add_item(QuickButton(creator_id, "voters", translate(language, _("Voters (CSV)"))))
    return view


# -- quick polls (Discord's own: nothing of them is stored) --------------------------

ENDING = _("end this poll")
LISTING_VOTERS = _("see who voted in this poll")


async def _quick_poll(
    interaction: discord.Interaction[Any], creator_id: int, action: str
) -> discord.Poll:
    """The quick poll a button sits on, if the member posted it or organises."""

    async def is_creator(member: discord.Member) -> bool:
        return member.id == creator_id

    await interaction.client.members.require(
        interaction,
        Who(_("the poll's creator"), is_creator),
        interaction.client.members.organisers,
        action=action,
    )
    poll = interaction.message.poll if interaction.message else None
    if poll is None:
        raise UserFacingError(_("This message has no poll."))
    return poll


async def end_quick(interaction: discord.Interaction[Any], creator_id: int) -> None:
    """End a quick poll now: Discord makes its results final and posts them under it."""
    poll = await _quick_poll(interaction, creator_id, ENDING)
    ended = quick_view(interaction.client.default_language, creator_id, ended=True)
    if poll.is_finalised():
        await update(interaction, view=ended)
        raise UserFacingError(_("This poll has already ended."))
    try:
        await poll.end()
    except discord.HTTPException as exc:
        log.warning("could not end a quick poll: %s", exc)
        raise UserFacingError(_("Discord did not end the poll; try again.")) from None
    await update(interaction, view=ended)


async def quick_voters(interaction: discord.Interaction[Any], creator_id: int) -> None:
    """Who chose each answer, as a CSV file (Discord shows voters to everyone; the file is
    for the organiser's records). Read 100 voters at a time from Discord."""
    poll = await _quick_poll(interaction, creator_id, LISTING_VOTERS)
    language = interaction_language(interaction)
    await defer(interaction)
    guild_id = interaction.guild_id or 0
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([translate(language, _("answer")), translate(language, _("voter")), "id"])
    voters = 0
    for answer in poll.answers:
        found = [user async for user in answer.voters()]
        for user in sorted(found, key=lambda u: u.id):
            name = interaction.client.members.display_name(guild_id, user.id)
            writer.writerow([answer.text, name, str(user.id)])
        voters += len(found)
    data = buffer.getvalue().encode("utf-8-sig")
    await reply(
        interaction,
        translate(
            language,
            _("Who chose each answer of “{question}” ({votes} votes)."),
            question=poll.question,
            votes=voters,
        ),
        file=discord.File(io.BytesIO(data), filename="poll-voters.csv"),
    )


def poll_view(language: str, poll_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(poll_id, translate(language, _("Vote"))))
    return view


def choice_view(
    language: str, poll: PollRecord, current: tuple[int, ...] | None
) -> discord.ui.View:
    """The choice ballot with the member's current vote selected."""
    chosen = set(current or ())
    select: discord.ui.Select[Any] = discord.ui.Select(
        custom_id=f"poll:{poll.id}:pick",
        min_values=poll.min_choices,
        max_values=poll.max_choices,
        placeholder=translate(language, _("Your choice"))[:150],
        options=[
            discord.SelectOption(label=text[:100], value=str(i), default=i in chosen)
            for i, text in enumerate(poll.options)
        ],
    )
    view = discord.ui.View(timeout=None)
    view.add_item(ChoiceSelect(poll.id, select))
    return view


def ranked_view(language: str, poll: PollRecord, picks: tuple[int, ...]) -> discord.ui.View:
    """One pick at a time: the next choice among the options left, then Done or Clear."""
    view = discord.ui.View(timeout=None)
    left = [i for i in range(len(poll.options)) if i not in picks]
    if left and len(picks) < poll.max_choices:
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"poll:{poll.id}:rank:{picks_text(picks)}",
            placeholder=ordinal(language, len(picks) + 1)[:150],
            options=[discord.SelectOption(label=poll.options[i][:100], value=str(i)) for i in left],
        )
        view.add_item(RankSelect(poll.id, picks, select))
    view.add_item(RankButton(poll.id, "done", picks, translate(language, _("Done"))))
    view.add_item(RankButton(poll.id, "clear", (), translate(language, _("Clear"))))
    return view


class PollForm(components.Modal):
    """The question, the options one per line, and an optional description."""

    def __init__(
        self,
        language: str,
        on_submit: Callable[[discord.Interaction[Any], str, str, str], Awaitable[None]],
    ) -> None:
        super().__init__(title=translate(language, _("New poll"))[:45], timeout=15 * 60)
        self._on_submit = on_submit
        self.question: discord.ui.TextInput[PollForm] = discord.ui.TextInput(
            custom_id="question",
            label=translate(language, _("Question"))[:45],
            max_length=300,
        )
        self.options: discord.ui.TextInput[PollForm] = discord.ui.TextInput(
            custom_id="options",
            label=translate(language, _("Options, one per line (2 to 25)"))[:45],
            style=discord.TextStyle.paragraph,
            max_length=4000,
        )
        self.description: discord.ui.TextInput[PollForm] = discord.ui.TextInput(
            custom_id="description",
            label=translate(language, _("Description"))[:45],
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
        )
        for item in (self.question, self.options, self.description):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self._on_submit(
            interaction, self.question.value, self.options.value, self.description.value
        )
