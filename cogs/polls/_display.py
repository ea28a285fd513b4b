"""How polls look in Discord: the poll message, the rule line, results, rounds and the chart."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import cast

import discord

from bot.i18n import _, translate
from cogs.polls._count import Mode, Result, RunoffCount
from cogs.polls._rules import BallotRules, rule_key, rule_params
from db.polls import PollRecord

COLOUR = discord.Colour.from_rgb(0, 51, 153)
CLOSED_COLOUR = discord.Colour.dark_grey()
ORDINALS = (_("1st choice"), _("2nd choice"), _("3rd choice"))
NTH_CHOICE = _("{n}th choice")
# Stated with every result: how ties are treated.
ELIMINATION_RULE = _(
    "Ties: in each round every option tied for the fewest votes is eliminated together; if all "
    "remaining options tie, the tie is reported, never broken by chance."
)
CUTOFF_RULE = _(
    "Ties: options tied for the last place are all named and that place stays open; no tie is "
    "broken by chance."
)
CHART_NAME = "results.png"


@dataclass(frozen=True)
class Electorate:
    """Who may vote, as the poll message names it (a group's name is looked up by the caller)."""

    text: str  # an English catalog string with {ref}
    ref: str
    per_region: bool


def electorate_of(poll: PollRecord, group_name: str | None) -> Electorate:
    kind = poll.electorate_kind
    if kind == "channel":
        return Electorate(_("everyone who can see {ref}"), f"<#{poll.electorate_ref}>", False)
    if kind == "role":
        return Electorate(_("members with the {ref} role"), f"<@&{poll.electorate_ref}>", False)
    if kind == "group":
        return Electorate(_("the members of {ref}"), group_name or "?", False)
    return Electorate(_("one vote per region of {ref}"), group_name or "?", True)


def ordinal(language: str, n: int) -> str:
    """'1st choice', '2nd choice'... in the member's language (n counts from 1)."""
    if n <= len(ORDINALS):
        return translate(language, ORDINALS[n - 1])
    return translate(language, NTH_CHOICE, n=n)


def ballot_rules(poll: PollRecord, *, open: bool) -> BallotRules:
    mode = cast(Mode, poll.mode)
    return BallotRules(mode, len(poll.options), poll.min_choices, poll.max_choices, open)


def rule_line(language: str, poll: PollRecord) -> str:
    """'Choose exactly 3 options.' and, with several winners, how many win."""
    rules = ballot_rules(poll, open=True)
    line = translate(language, rule_key(rules), **rule_params(rules))
    if poll.winners > 1:
        line += " " + translate(language, _("{winners} options win."), winners=poll.winners)
    return line


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def turnout_line(language: str, poll: PollRecord, turnout: int) -> str:
    key = (
        _("{turnout} of {size} regions have voted ({percent} %)")
        if poll.electorate_kind == "region"
        else _("{turnout} of {size} have voted ({percent} %)")
    )
    return translate(
        language,
        key,
        turnout=turnout,
        size=poll.electorate_size,
        percent=percent(turnout, poll.electorate_size),
    )


def close_line(language: str, poll: PollRecord) -> str:
    if not poll.is_open and poll.closed_at is not None:
        return translate(language, _("Closed <t:{when}:F>"), when=int(poll.closed_at.timestamp()))
    if poll.closes_at is None:
        return translate(language, _("When its creator closes it"))
    return f"<t:{int(poll.closes_at.timestamp())}:F> (<t:{int(poll.closes_at.timestamp())}:R>)"


def poll_embed(
    language: str,
    poll: PollRecord,
    turnout: int,
    electorate: Electorate,
    result: Result | None,
) -> discord.Embed:
    """The public poll message. ``result`` is shown when given: live, or final after close."""
    lines = [poll.description] if poll.description else []
    lines += [f"**{i}.** {option}" for i, option in enumerate(poll.options, start=1)]
    title = (
        poll.question
        if poll.is_open
        else translate(language, _("Closed: {question}"), question=poll.question)
    )
    embed = discord.Embed(
        title=title[:256],
        description="\n".join(lines)[:4096],
        colour=COLOUR if poll.is_open else CLOSED_COLOUR,
    )
    embed.add_field(name=translate(language, _("How to vote")), value=rule_line(language, poll))
    embed.add_field(
        name=translate(language, _("Who votes")),
        value=translate(language, electorate.text, ref=electorate.ref),
    )
    embed.add_field(
        name=translate(language, _("Ballot")),
        value=translate(language, _("Secret") if poll.secret else _("Public")),
    )
    embed.add_field(
        name=translate(language, _("Turnout")),
        value=turnout_line(language, poll, turnout),
        inline=False,
    )
    embed.add_field(
        name=translate(language, _("Closes") if poll.is_open else _("Status")),
        value=close_line(language, poll),
    )
    if poll.quorum_percent:
        embed.add_field(
            name=translate(language, _("Quorum")),
            value=translate(
                language,
                _("{percent} % of the electorate"),
                percent=poll.quorum_percent,
            ),
        )
    if result is not None:
        embed.add_field(
            name=translate(language, _("Results") if not poll.is_open else _("Results so far")),
            value="\n".join(result_lines(language, poll, result))[:1024],
            inline=False,
        )
        if result.counts:
            embed.add_field(
                name=translate(language, _("Rounds")),
                value=rounds_table(language, poll, result.counts)[:1024],
                inline=False,
            )
    if not poll.is_open and result is not None:
        embed.set_image(url=f"attachment://{CHART_NAME}")
    return embed


def _votes(language: str, n: int) -> str:
    return translate(language, _("1 vote") if n == 1 else _("{n} votes"), n=n)


def result_lines(language: str, poll: PollRecord, result: Result) -> list[str]:
    """Winners marked, ties named, quorum stated; a poll that missed quorum names no winner."""
    lines: list[str] = []
    quorum = result.quorum
    if quorum.percent:
        key = (
            _("Quorum met: {turnout} ballots, {required} needed.")
            if quorum.met
            else _("Quorum not met: {turnout} ballots, {required} needed. No winner is named.")
        )
        lines.append(translate(language, key, turnout=quorum.turnout, required=quorum.required))
    if result.mode == "ranked":
        rounds = result.counts[0].rounds if result.counts else ()
        final = rounds[-1].tallies if rounds else {}
        out = {o: n for n, r in enumerate(rounds, start=1) for o in r.eliminated}
        shown = sorted(
            range(len(poll.options)), key=lambda o: (-final.get(o, -1), -out.get(o, 0), o)
        )
        for option in shown:
            mark = "✅ " if option in result.elected else "⚖️ " if option in result.tied else ""
            votes = final.get(option)
            tail = (
                f" — {_votes(language, votes)}"
                if votes is not None
                else " — " + translate(language, _("out in round {n}"), n=out[option])
                if option in out
                else ""
            )
            lines.append(f"{mark}{poll.options[option]}{tail}")
    else:
        for option in sorted(result.tallies, key=lambda o: (-result.tallies[o], o)):
            votes = result.tallies[option]
            mark = "✅ " if option in result.elected else "⚖️ " if option in result.tied else ""
            lines.append(
                f"{mark}{poll.options[option]} — {_votes(language, votes)} "
                f"({percent(votes, result.ballots)} %)"
            )
    if result.tied:
        lines.append(
            translate(
                language,
                _("⚖️ Tied for {seats} remaining place(s): {options}."),
                seats=result.seats_open,
                options=", ".join(poll.options[o] for o in result.tied),
            )
        )
    if not result.ballots:
        lines.append(translate(language, _("No votes were cast.")))
    lines.append(translate(language, ELIMINATION_RULE if result.mode == "ranked" else CUTOFF_RULE))
    return lines


def rounds_table(language: str, poll: PollRecord, counts: tuple[RunoffCount, ...]) -> str:
    """The instant-runoff rounds of each count as a fixed-width table (one column per round)."""
    blocks = []
    for number, count in enumerate(counts, start=1):
        header = [translate(language, _("Option"))[:18].ljust(18)]
        header += [
            translate(language, _("R{n}"), n=i).rjust(4) for i in range(1, len(count.rounds) + 1)
        ]
        rows = [" ".join(header)]
        options = sorted(count.rounds[0].tallies)
        for option in options:
            cells = [poll.options[option][:18].ljust(18)]
            for round_ in count.rounds:
                value = round_.tallies.get(option)
                cells.append(("–" if value is None else str(value)).rjust(4))
            rows.append(" ".join(cells))
        exhausted = [translate(language, _("Exhausted"))[:18].ljust(18)]
        exhausted += [str(r.exhausted).rjust(4) for r in count.rounds]
        rows.append(" ".join(exhausted))
        title = (
            translate(language, _("Count {n} (seat {n})"), n=number) + "\n"
            if len(counts) > 1
            else ""
        )
        blocks.append(f"{title}```\n" + "\n".join(rows) + "\n```")
    return "\n".join(blocks)


def chart_png(language: str, poll: PollRecord, result: Result) -> bytes:
    """The results as a PNG: bars for choice polls, the rounds as a table for ranked ones.

    matplotlib is imported here, not at start-up (it costs about half a second), and drawn on
    its own Figure with the Agg canvas: no pyplot global state, so it can run in a thread.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = [o if len(o) <= 40 else o[:39] + "…" for o in poll.options]
    if result.mode == "ranked" and result.counts:
        count = result.counts[0]
        options = sorted(count.rounds[0].tallies)
        columns = [
            translate(language, _("Round {n}"), n=i) for i in range(1, len(count.rounds) + 1)
        ]
        cells = [
            [str(r.tallies[o]) if o in r.tallies else "–" for r in count.rounds] for o in options
        ]
        cells.append([str(r.exhausted) for r in count.rounds])
        rows = [names[o] for o in options] + [translate(language, _("Exhausted"))]
        figure = Figure(figsize=(2.5 + 1.1 * len(columns), 1.0 + 0.35 * len(rows)), dpi=100)
        axes = figure.add_subplot()
        axes.axis("off")
        table = axes.table(cellText=cells, rowLabels=rows, colLabels=columns, loc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(9)
        for option_index, option in enumerate(options, start=1):
            if option in result.elected:
                for column in range(len(columns)):
                    table[option_index, column].set_facecolor("#cfe8cf")
        axes.set_title(translate(language, _("Instant-runoff rounds")), fontsize=11)
    else:
        order = sorted(result.tallies, key=lambda o: (result.tallies[o], -o))
        figure = Figure(figsize=(7, 1.2 + 0.4 * len(order)), dpi=100)
        axes = figure.add_subplot()
        colours = [
            "#2e7d32" if o in result.elected else "#f9a825" if o in result.tied else "#90a4ae"
            for o in order
        ]
        axes.barh([names[o] for o in order], [result.tallies[o] for o in order], color=colours)
        axes.set_xlabel(translate(language, _("Votes")))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(poll.question[:80], fontsize=11)
    figure.tight_layout()
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()
