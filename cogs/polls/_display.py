"""How polls look in Discord: the poll message, the rule line, results, rounds and the chart."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import discord

from bot.i18n import _, translate
from bot.regions import RegionRef
from cogs.polls._count import Mode, Result, RunoffCount
from cogs.polls._rules import BallotRules, rule_key, rule_params
from db.polls import PollRecord

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
# What a message holds, by Discord's limits: an embed field's value, an embed's description, all
# of an embed's text together, a message's content.
FIELD_MAX = 1024
DESCRIPTION_MAX = 4096
EMBED_MAX = 6000
CONTENT_MAX = 2000
TIED_NAMES_MAX = 300  # longer, and the tie line says how many are tied instead of naming them
# Where the lines a message has no room for can be read in full.
MORE_IN_RESULTS = (_("…and 1 more (see /poll results)"), _("…and {n} more (see /poll results)"))
MORE_IN_EXPORT = (
    _("…and 1 more (see the chart and /poll export)"),
    _("…and {n} more (see the chart and /poll export)"),
)


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


def choices_text(poll: PollRecord, choices: tuple[int, ...]) -> str:
    """The chosen options by name; a ranking numbered in its order."""
    if poll.mode == "ranked":
        return ", ".join(f"{n}. {poll.options[c]}" for n, c in enumerate(choices, start=1))
    return ", ".join(poll.options[c] for c in choices)


def ballot_header(
    language: str, poll: PollRecord, unit: str, current: tuple[int, ...] | None
) -> str:
    """The top of a member's ballot: the question, its rule, whose ballot it is for a region,
    and the vote recorded so far."""
    lines = [f"**{poll.question}**", rule_line(language, poll)]
    if poll.electorate_kind == "region":
        lines.append(
            translate(
                language,
                _(
                    "You vote for {region}: any member from it can cast or change its one "
                    "ballot, and the last change stands."
                ),
                region=RegionRef.from_key(unit).display(language),
            )
        )
    if current:
        lines.append(
            translate(language, _("Current vote: {choices}"), choices=choices_text(poll, current))
        )
    else:
        lines.append(translate(language, _("No vote recorded yet.")))
    return "\n".join(lines)


def receipt_text(language: str, poll: PollRecord, unit: str, ballot: tuple[int, ...]) -> str:
    """What the member reads once their ballot is stored: what it says, whose it is for a
    region, whether it is secret, and until when it can change."""
    lines = [
        translate(
            language,
            _("Recorded for **{question}**: {choices}"),
            question=poll.question,
            choices=choices_text(poll, ballot),
        )
    ]
    if poll.electorate_kind == "region":
        lines.append(
            translate(
                language,
                _("This is the ballot of {region}."),
                region=RegionRef.from_key(unit).display(language),
            )
        )
    if poll.secret:
        lines.append(
            translate(language, _("Your ballot is secret: it is stored without your name."))
        )
    until = (
        translate(
            language,
            _("You can change it until <t:{when}:F>."),
            when=int(poll.closes_at.timestamp()),
        )
        if poll.closes_at
        else translate(language, _("You can change it until the poll closes."))
    )
    lines.append(until)
    return "\n".join(lines)


def ranking_text(
    language: str,
    poll: PollRecord,
    unit: str,
    current: tuple[int, ...] | None,
    picks: tuple[int, ...],
) -> str:
    """A ranked ballot part-way: its header, the ranking so far and which choice comes next."""
    lines = [ballot_header(language, poll, unit, current)]
    if picks:
        lines.append(
            translate(
                language, _("Your ranking so far: {ranking}"), ranking=choices_text(poll, picks)
            )
        )
    if len(picks) < min(poll.max_choices, len(poll.options)):
        lines.append(
            translate(
                language,
                _("Pick your {choice}, or press Done."),
                choice=ordinal(language, len(picks) + 1),
            )
        )
    return "\n".join(lines)


def opened_ballot_text(
    language: str, poll: PollRecord, unit: str, current: tuple[int, ...] | None
) -> str:
    """A freshly opened ballot: its header, and for a ranked poll how to rank."""
    header = ballot_header(language, poll, unit, current)
    if poll.mode == "ranked":
        header += "\n" + translate(
            language,
            _("Pick your {choice}, one at a time; then press Done."),
            choice=ordinal(language, 1),
        )
    return header


def reminder_text(language: str, poll: PollRecord) -> str:
    """The DM to a member who has not voted yet, with a link to the poll."""
    link = f"https://discord.com/channels/{poll.guild_id}/{poll.channel_id}/{poll.message_id}"
    return translate(
        language,
        _("Reminder: you have not voted yet in “{question}”. It closes <t:{when}:R>: {link}"),
        question=poll.question,
        when=int(poll.closes_at.timestamp()) if poll.closes_at else 0,
        link=link,
    )


def plural(language: str, forms: tuple[str, str], n: int, /, **params: object) -> str:
    """``forms`` (one, other) for ``n``: English and Finnish both take the first for 1 only."""
    return translate(language, forms[0] if n == 1 else forms[1], n=n, **params)


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def fit(
    language: str,
    lines: list[str],
    limit: int,
    *,
    keep: int = 0,
    tail: tuple[str, ...] = (),
    more: tuple[str, str] = MORE_IN_RESULTS,
) -> str:
    """``lines`` within ``limit`` characters, never cut inside a line: the first ``keep`` lines
    and the ``tail`` always stay, the lines between them are dropped from the end as needed and
    counted in ``more`` ("…and 7 more"). A single line longer than the limit ends in "…"."""
    head, body = lines[:keep], lines[keep:]
    whole = "\n".join([*head, *body, *tail])
    if len(whole) <= limit:
        return whole
    for shown in range(len(body) - 1, -1, -1):
        note = plural(language, more, len(body) - shown)
        text = "\n".join([*head, *body[:shown], note, *tail])
        if len(text) <= limit:
            return text
    return clip(whole, limit)


def clip(text: str, limit: int) -> str:
    """One piece of text within ``limit``, marked with "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def region_ballot_notice(
    name: str, unit: str, question: str, choices: str, replaced: bool, language: str
) -> str:
    """The DM to a region's other members when one of them casts or changes its ballot."""
    return translate(
        language,
        _("{name} changed {region}'s ballot in “{question}”: {choices}")
        if replaced
        else _("{name} cast {region}'s ballot in “{question}”: {choices}"),
        name=name,
        region=RegionRef.from_key(unit).display(language),
        question=question,
        choices=choices,
    )


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


def close_question(language: str, poll: PollRecord, turnout: int) -> str:
    """What /poll close asks before it closes a poll early."""
    lines = [
        translate(
            language, _("Close poll #{id} **{question}** now?"), id=poll.id, question=poll.question
        ),
        turnout_line(language, poll, turnout) + ".",
    ]
    if poll.closes_at is not None:
        lines.append(
            translate(
                language,
                _("Otherwise it closes <t:{when}:R>."),
                when=int(poll.closes_at.timestamp()),
            )
        )
    lines.append(
        translate(
            language,
            _("Nobody can vote after this and the results are shown. This cannot be undone."),
        )
    )
    return "\n".join(lines)


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
    """The public poll message. ``result`` is shown when given: live, or final after close.

    Everything fits Discord's limits by whole lines: what has no room is counted ("…and 7
    more") and can be read in full in /poll results, the chart and the export."""
    lines = [poll.description] if poll.description else []
    lines += [f"**{i}.** {option}" for i, option in enumerate(poll.options, start=1)]
    title = (
        poll.question
        if poll.is_open
        else translate(language, _("Closed: {question}"), question=poll.question)
    )
    embed = discord.Embed(
        title=clip(title, 256),
        description=fit(language, lines, DESCRIPTION_MAX, keep=1 if poll.description else 0),
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
        results_name = translate(
            language, _("Results") if not poll.is_open else _("Results so far")
        )
        rounds_name = translate(language, _("Rounds"))
        room = (
            EMBED_MAX - len(embed) - len(results_name) - (len(rounds_name) if result.counts else 0)
        )
        head, body, tail = result_parts(language, poll, result)
        shown = fit(
            language,
            head + body,
            min(FIELD_MAX, room // 2 if result.counts else room),
            keep=len(head),
            tail=tail,
        )
        embed.add_field(name=results_name, value=shown, inline=False)
        if result.counts:
            embed.add_field(
                name=rounds_name,
                value=rounds_table(
                    language, poll, result.counts, min(FIELD_MAX, room - len(shown))
                ),
                inline=False,
            )
    if not poll.is_open and result is not None:
        embed.set_image(url=f"attachment://{CHART_NAME}")
    return embed


def results_text(language: str, poll: PollRecord, result: Result, turnout: int) -> str:
    """What /poll results says: the question, turnout, results and rounds, in one message."""
    head, body, tail = result_parts(language, poll, result)
    head = [f"**{clip(poll.question, 300)}**", turnout_line(language, poll, turnout), *head]
    rounds = (
        "\n" + rounds_table(language, poll, result.counts, CONTENT_MAX // 2, MORE_IN_EXPORT)
        if result.counts
        else ""
    )
    return (
        fit(
            language,
            head + body,
            CONTENT_MAX - len(rounds),
            keep=len(head),
            tail=tail,
            more=MORE_IN_EXPORT,
        )
        + rounds
    )


def _votes(language: str, n: int) -> str:
    return plural(language, (_("1 vote"), _("{n} votes")), n)


def _seats(language: str, seats: int, options: str) -> str:
    forms = (
        _("⚖️ Tied for the last place: {options}."),
        _("⚖️ Tied for the last {n} places: {options}."),
    )
    return plural(language, forms, seats, options=options)


def result_parts(
    language: str, poll: PollRecord, result: Result
) -> tuple[list[str], list[str], tuple[str, ...]]:
    """The results as (quorum line, one line per option, what follows): winners marked, ties
    named, a missed quorum stated. A ranked poll's options carry their numbers, as in the poll
    message and the rounds table. How ties are treated is said only when a tie decided
    something."""
    head: list[str] = []
    body: list[str] = []
    tail: list[str] = []
    quorum = result.quorum
    if quorum.percent:
        key = (
            _("Quorum met: {turnout} ballots, {required} needed.")
            if quorum.met
            else _("Quorum not met: {turnout} ballots, {required} needed. No winner is named.")
        )
        head.append(translate(language, key, turnout=quorum.turnout, required=quorum.required))
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
            tail_text = (
                f" — {_votes(language, votes)}"
                if votes is not None
                else " — " + translate(language, _("out in round {n}"), n=out[option])
                if option in out
                else ""
            )
            body.append(f"{mark}**{option + 1}.** {poll.options[option]}{tail_text}")
    else:
        for option in sorted(result.tallies, key=lambda o: (-result.tallies[o], o)):
            votes = result.tallies[option]
            mark = "✅ " if option in result.elected else "⚖️ " if option in result.tied else ""
            body.append(
                f"{mark}{poll.options[option]} — {_votes(language, votes)} "
                f"({percent(votes, result.ballots)} %)"
            )
    if result.tied:
        names = ", ".join(poll.options[o] for o in result.tied)
        if len(names) > TIED_NAMES_MAX:  # the tied are marked ⚖️ above; long names, many ties
            names = translate(language, _("the {n} options marked ⚖️"), n=len(result.tied))
        tail.append(_seats(language, result.seats_open, names))
    if not result.ballots:
        tail.append(translate(language, _("No votes were cast.")))
    if result.tie_decided:
        tail.append(
            translate(language, ELIMINATION_RULE if result.mode == "ranked" else CUTOFF_RULE)
        )
    return head, body, tuple(tail)


def rounds_table(
    language: str,
    poll: PollRecord,
    counts: tuple[RunoffCount, ...],
    limit: int = FIELD_MAX,
    more: tuple[str, str] = MORE_IN_RESULTS,
) -> str:
    """The instant-runoff rounds of each count as a fixed-width table (one column per round),
    each option by its number as the poll message lists it. Within ``limit``: rows that do not
    fit are counted after the table, which always keeps its closing fence."""
    blocks = []
    for number, count in enumerate(counts, start=1):
        options = sorted(count.rounds[0].tallies)
        labels = [f"{o + 1}." for o in options]
        exhausted = translate(language, _("Exhausted"))
        heading = translate(language, _("Option"))
        width = max(len(label) for label in [*labels, exhausted, heading])
        header = [heading.ljust(width)]
        header += [
            translate(language, _("R{n}"), n=i).rjust(4) for i in range(1, len(count.rounds) + 1)
        ]
        rows = []
        for option, label in zip(options, labels, strict=True):
            cells = [label.ljust(width)]
            for round_ in count.rounds:
                value = round_.tallies.get(option)
                cells.append(("–" if value is None else str(value)).rjust(4))
            rows.append(" ".join(cells))
        last = [exhausted.ljust(width)] + [str(r.exhausted).rjust(4) for r in count.rounds]
        title = (
            [translate(language, _("Count {n} (seat {n})"), n=number)] if len(counts) > 1 else []
        )
        blocks.append(([*title, "```", " ".join(header)], rows, " ".join(last)))
    share = limit // len(blocks) - 1
    text = "\n".join(_fenced(language, *block, share, more) for block in blocks)
    if len(text) <= limit:
        return text
    # More counts than room for even their headers (many seats): the chart has them all.
    return plural(language, more, sum(len(rows) for _head, rows, _last in blocks))


def _fenced(
    language: str, head: list[str], rows: list[str], last: str, limit: int, more: tuple[str, str]
) -> str:
    """One count's table within ``limit``: its header, as many option rows as fit, the exhausted
    row and the closing fence; the rows left out counted after it."""
    for shown in range(len(rows), -1, -1):
        lines = [*head, *rows[:shown], last, "```"]
        if shown < len(rows):
            lines.append(plural(language, more, len(rows) - shown))
        text = "\n".join(lines)
        if len(text) <= limit:
            return text
    return plural(language, more, len(rows))


def chart_png(language: str, poll: PollRecord, result: Result) -> bytes:
    """The results as a PNG: bars for choice polls, the rounds as a table for ranked ones.

    matplotlib is imported here, not at start-up (it costs about half a second), and drawn on
    its own Figure with the Agg canvas: no pyplot global state, so it can run in a thread.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if result.mode == "ranked" and result.counts:
        figure = _rounds_figure(language, poll, result)
    else:
        figure = _bars_figure(language, poll, result)
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _name(option: str) -> str:
    return clip(option, 40)


def _rounds_figure(language: str, poll: PollRecord, result: Result) -> Figure:
    """The first count's rounds as a table whose first column holds each option's number and
    name: the figure is as wide as its longest name, so none is cut off."""
    from matplotlib.figure import Figure
    from matplotlib.table import Table
    from matplotlib.transforms import Bbox

    count = result.counts[0]
    options = sorted(count.rounds[0].tallies)
    columns = [translate(language, _("Round {n}"), n=i) for i in range(1, len(count.rounds) + 1)]
    rows = [f"{o + 1}. {_name(poll.options[o])}" for o in options]
    rows.append(translate(language, _("Exhausted")))
    cells = [[str(r.tallies[o]) if o in r.tallies else "–" for r in count.rounds] for o in options]
    cells.append([str(r.exhausted) for r in count.rounds])
    # Inches, at 9-point type: about 0.075 per character, and a little padding.
    name_width = 0.3 + 0.075 * max(len(row) for row in rows)
    column_width = 0.3 + 0.075 * max(len(c) for c in columns)
    width = name_width + column_width * len(columns)
    height = 0.3 * (len(rows) + 1)
    margin, title = 0.2, 0.5
    figure = Figure(figsize=(width + 2 * margin, height + 2 * margin + title), dpi=100)
    axes = figure.add_axes(
        (
            margin / (width + 2 * margin),
            margin / (height + 2 * margin + title),
            width / (width + 2 * margin),
            height / (height + 2 * margin + title),
        )
    )
    axes.axis("off")
    table = Table(axes, bbox=Bbox.from_bounds(0, 0, 1, 1))
    cell_height = 1 / (len(rows) + 1)
    widths = [name_width / width] + [column_width / width] * len(columns)
    for column, label in enumerate(columns, start=1):
        table.add_cell(0, column, widths[column], cell_height, text=label, loc="center")
    for row, (name, values) in enumerate(zip(rows, cells, strict=True), start=1):
        elected = row <= len(options) and options[row - 1] in result.elected
        colour = "#cfe8cf" if elected else "white"
        table.add_cell(row, 0, widths[0], cell_height, text=name, loc="left", facecolor=colour)
        for column, value in enumerate(values, start=1):
            table.add_cell(
                row, column, widths[column], cell_height, text=value, loc="right", facecolor=colour
            )
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    axes.add_table(table)
    figure.suptitle(translate(language, _("Instant-runoff rounds")), fontsize=11)
    return figure


def _bars_figure(language: str, poll: PollRecord, result: Result) -> Figure:
    """One bar per option, the most votes on top; winners green, tied options amber."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    order = sorted(result.tallies, key=lambda o: (result.tallies[o], -o))
    figure = Figure(figsize=(7, 1.2 + 0.4 * len(order)), dpi=100)
    axes = figure.add_subplot()
    colours = [
        "#2e7d32" if o in result.elected else "#f9a825" if o in result.tied else "#90a4ae"
        for o in order
    ]
    axes.barh(
        [_name(poll.options[o]) for o in order], [result.tallies[o] for o in order], color=colours
    )
    axes.set_xlabel(translate(language, _("Votes")))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(clip(poll.question, 80), fontsize=11)
    figure.tight_layout()
    return figure
