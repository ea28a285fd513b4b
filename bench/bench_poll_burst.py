"""Voting burst: 1,000 members open their ballot and vote at once, s3cop vs an ack-only bot.

    .venv/bin/python bench/bench_poll_burst.py

Each bot runs as its own process, as in production: s3cop as ``s3cop run`` with its default
settings (the poll message refreshed 0.5 s after a vote), the ack-only bot as
``bench/_ackbot.py _ackpoll:AckVote _ackpoll:AckPick``. The sandbox runs in this process, a fresh
one per round seeded with the same 1,000 members (and an organiser) in five client languages.

s3cop's poll is the demo's kind: secret, 3 of 8 options, everyone who can see the channel votes.
Two bursts per round, each ``asyncio.gather`` of 1,000 driver interactions, one per member:

1. every member presses Vote on the poll message (s3cop: the electorate check, the member's
   current ballot read with the poll's secret, an ephemeral select bounded 3..3);
2. every member picks 3 options in that ballot (s3cop: every rule checked again, the ballot
   stored under its keyed hash in a transaction shared with the burst, a receipt).

The ack-only bot's Vote button answers with an ephemeral select and its select answers by editing
that message: the floor discord.py and the sandbox set for the same two interactions. Its button
sits on a message shaped like s3cop's poll message, which every press's INTERACTION_CREATE
carries and both bots parse. Measured the same way for both (``_harness.Answers`` and
``measure``):

* latency: from the sandbox sending the interaction to the member having the answer: the initial
  response, or, when the bot was slow and deferred, the follow-up or edit that brought the ballot
  or receipt (Discord's 3 s deadline counts the deferral; the member waits for the answer). One
  unanswered within 3 s failed and counts as 3 s;
* throughput: interactions answered / (last answer - first interaction sent);
* CPU per interaction: the bot process's user + system CPU time over the burst.

Rounds alternate between the bots; the verdict compares the medians of each burst, and the spread
(lowest-highest over the rounds) and the machine's load (as ``uptime`` shows it) are printed with
them, since a loaded machine moves both bots' figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

import discord
from _ackpoll import OPTIONS, vote_view
from _harness import (
    Answers,
    ack_process,
    load,
    measure,
    medians,
    run,
    s3cop_process,
    spread,
    table,
    verdict,
)
from bench_rsvp_burst import member_table

from bot.local import seed_community
from bot.sandbox.driver import InteractionResult, MemberDriver
from bot.sandbox.models import Message
from bot.sandbox.server import Sandbox

MEMBERS = 1_000
ROUNDS = 5
THROUGHPUT_TARGET = 0.85
P99_TARGET = 1.25
BALLOT_WAIT = 5.0  # seconds for a deferred Vote press's ballot to arrive
SETTLE = 1.0  # seconds after the votes: s3cop refreshes the poll message 0.5 s after the first
QUESTION = "Which support actions?"

Stats = dict[str, float]


def ballot_of(result: InteractionResult) -> Message | None:
    """The member's ballot: the answer to Vote, or its follow-up if the press was deferred."""
    message = result.message if result.kind == "message" else next(iter(result.followups), None)
    return message if message is not None and message.components else None


async def bursts(
    sandbox: Sandbox, drivers: list[MemberDriver], message: Message, pid: int
) -> tuple[Stats, Stats]:
    """Every member presses Vote at once, then every member whose ballot opened votes at once
    (a ballot that did not open counts as a failed vote)."""
    answers = Answers(sandbox)
    deadline = sandbox.interaction_deadline
    opened: list[InteractionResult] = []

    async def press() -> list[InteractionResult]:
        opened.extend(await asyncio.gather(*(d.click(message, "Vote") for d in drivers)))
        # A press the bot was slow to answer was deferred; its ballot comes as a follow-up.
        with contextlib.suppress(TimeoutError):
            await sandbox.wait_until(
                lambda: all(ballot_of(r) for r in opened if not r.failed), timeout=BALLOT_WAIT
            )
        return opened

    pressing = await measure(answers, pid, press, deadline=deadline, settle=0)
    ballots = [(d, b) for d, r in zip(drivers, opened, strict=True) if (b := ballot_of(r))]

    async def vote() -> list[InteractionResult]:
        return await asyncio.gather(
            *(
                d.select(m, [OPTIONS[i % 8], OPTIONS[(i + 1) % 8], OPTIONS[(i + 3) % 8]])
                for i, (d, m) in enumerate(ballots)
            )
        )

    voting = await measure(answers, pid, vote, deadline=deadline, settle=SETTLE)
    voting["failed"] += len(drivers) - len(ballots)
    return pressing, voting


async def s3cop_round(directory: Path, profile: Path | None = None) -> tuple[Stats, Stats]:
    """One round on s3cop (``profile``: write the bot process's cProfile statistics there)."""
    async with Sandbox() as sandbox:
        seeded = seed_community(sandbox, member_table())
        async with s3cop_process(sandbox, seeded.guild.id, directory, profile) as bot:
            channel = seeded.channels["announcements"]
            created = await sandbox.as_member(seeded.members["sofia"]).slash(
                "poll create",
                channel=channel,
                mode="multiple",
                minimum=3,
                maximum=3,
                winners=3,
                secret=True,
            )
            assert created.modal is not None, created.content
            done = await created.submit_modal({"question": QUESTION, "options": "\n".join(OPTIONS)})
            assert "is open" in done.content, done.content
            message = [m for m in sandbox.messages(channel) if m.embeds][-1]
            drivers = [sandbox.as_member(m) for n, m in seeded.members.items() if n != "sofia"]
            assert bot.pid is not None
            stats = await bursts(sandbox, drivers, message, bot.pid)
    with sqlite3.connect(bot.db_path) as conn:
        stored = conn.execute("SELECT count(*) FROM poll_ballots").fetchone()[0]
    # Every vote answered in time is stored (a late answer may be stored too).
    assert MEMBERS - stats[1]["failed"] <= stored <= MEMBERS, (stored, stats[1]["failed"])
    return stats


def poll_message() -> dict[str, Any]:
    """The ack-only bot's Vote button sits on a message shaped like s3cop's poll message."""
    embed = discord.Embed(
        title=QUESTION,
        description="\n".join(f"**{n}.** {o}" for n, o in enumerate(OPTIONS, start=1)),
    )
    embed.add_field(name="How to vote", value="Choose exactly 3 options.", inline=False)
    embed.add_field(name="Who votes", value="everyone who can see #announcements", inline=False)
    embed.add_field(name="Ballot", value="Secret", inline=True)
    embed.add_field(name="Turnout", value="0 of 1,001 have voted (0 %)", inline=True)
    embed.add_field(name="Closes", value="When its creator closes it", inline=False)
    embed.set_footer(text="Poll #1")
    return embed.to_dict()  # type: ignore[return-value]


async def ack_round() -> tuple[Stats, Stats]:
    async with Sandbox() as sandbox:
        seeded = seed_community(sandbox, member_table())
        async with ack_process(sandbox, ["_ackpoll:AckVote", "_ackpoll:AckPick"]) as pid:
            channel = seeded.channels["announcements"]
            payload = {"embeds": [poll_message()], "components": vote_view().to_components()}
            message = sandbox.backend.create_message(channel.id, payload, [])  # as the bot posts
            organiser = sandbox.as_member(seeded.members["sofia"])
            for _ in range(30):  # ready when it answers a press (s3cop: when /healthz says so)
                if not (await organiser.click(message, "Vote")).failed:
                    break
            drivers = [sandbox.as_member(m) for n, m in seeded.members.items() if n != "sofia"]
            return await bursts(sandbox, drivers, message, pid)


COLUMNS = ["burst", "per s", "p50 ms", "p99 ms", "CPU ms each", "deferred", "failed"]


def row(name: str, stats: Stats) -> tuple[str, ...]:
    return (
        name,
        f"{stats['throughput']:.0f}",
        f"{stats['p50'] * 1000:.0f}",
        f"{stats['p99'] * 1000:.0f}",
        f"{stats['cpu_ms']:.2f}",
        f"{stats['deferred']:.0f}",
        f"{stats['failed']:.0f}",
    )


def spread_row(name: str, runs: list[Stats]) -> tuple[str, ...]:
    return (
        name,
        spread(runs, "throughput"),
        spread(runs, "p50", 1000),
        spread(runs, "p99", 1000),
        spread(runs, "cpu_ms"),
        spread(runs, "deferred"),
        spread(runs, "failed"),
    )


async def main() -> int:
    print(load())
    s3: list[tuple[Stats, Stats]] = []
    ack: list[tuple[Stats, Stats]] = []
    rows = []
    for i in range(ROUNDS):
        ack.append(await ack_round())
        with tempfile.TemporaryDirectory(prefix="s3cop-poll-burst-") as directory:
            s3.append(await s3cop_round(Path(directory)))
        for label, (press, vote) in (("ack-only", ack[-1]), ("s3cop", s3[-1])):
            rows += [
                row(f"round {i + 1} {label} Vote", press),
                row(f"round {i + 1} {label} ballot", vote),
            ]
        print("\n".join(map(str, rows[-4:])), file=sys.stderr)
    print(
        f"\nVoting burst: {MEMBERS:,} members, a secret 3-of-8 poll, {ROUNDS} alternating rounds, "
        f"each bot in its own process\n"
    )
    checks = []
    summary = []
    ratios = []
    for index, what in ((0, "Vote presses"), (1, "ballots cast")):
        a_runs, s_runs = [r[index] for r in ack], [r[index] for r in s3]
        a, s = medians(a_runs), medians(s_runs)
        summary += [
            row(f"median ack-only {what}", a),
            row(f"median s3cop {what}", s),
            spread_row(f"range ack-only {what}", a_runs),
            spread_row(f"range s3cop {what}", s_runs),
        ]
        tput, p99, cpu = (s[k] / a[k] for k in ("throughput", "p99", "cpu_ms"))
        ratios.append(f"{what}: throughput {tput:.2f}x, p99 {p99:.2f}x, CPU {cpu:.2f}x")
        checks += [
            (
                f"{what}: throughput >= {THROUGHPUT_TARGET}x ack-only ({tput:.2f}x)",
                tput >= THROUGHPUT_TARGET,
            ),
            (f"{what}: p99 latency <= {P99_TARGET}x ack-only ({p99:.2f}x)", p99 <= P99_TARGET),
        ]
    print(table(COLUMNS, rows + summary))
    print(f"\ns3cop / ack-only (medians): {'; '.join(ratios)}; {load()}\n")
    checks.append(
        (
            "nothing failed (unanswered within 3 s) in any s3cop burst",
            all(p["failed"] == 0 and v["failed"] == 0 for p, v in s3),
        )
    )
    return verdict(checks)


if __name__ == "__main__":
    run(main)
