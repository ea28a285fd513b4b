"""Voting burst: 1,000 members open their ballot and vote at once, s3cop vs an ack-only bot.

    .venv/bin/python bench/bench_poll_burst.py

s3cop's poll is the demo's kind: secret, 3 of 8 options, everyone who can see the channel votes
(1,001 members). Two bursts per round, each with ``asyncio.gather`` of 1,000 driver interactions,
one per member:

1. every member presses Vote on the poll message (s3cop: the electorate check, the member's
   current ballot read with the poll's secret, an ephemeral select bounded 3..3);
2. every member picks 3 options in that ballot (s3cop: every rule checked again, the ballot
   stored under its keyed hash in a transaction shared with the burst, a receipt).

The ack-only bot's Vote button answers with an ephemeral select and its select answers by editing
that message: the floor discord.py and the sandbox set for the same two interactions. Latency and
throughput are measured as in ``bench_rsvp_burst.py`` (from the sandbox sending the interaction
to the bot's initial response; a click unanswered within 3 s failed). Rounds alternate between the
bots; the verdict compares the medians of the voting burst (2.), and of the Vote presses (1.).
"""

from __future__ import annotations

import asyncio
import re
import statistics
from typing import Any

import discord
from _harness import AckBot, percentile, run, running, table, verdict
from bench_rsvp_burst import member_table, record_answers

from bot.local import LocalCommunity, local_community
from bot.sandbox.driver import InteractionResult
from bot.sandbox.models import Message

MEMBERS = 1_000
ROUNDS = 3
OPTIONS = [f"Support action {i}" for i in range(1, 9)]
THROUGHPUT_TARGET = 0.85
P99_TARGET = 1.25


class AckVote(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"ackpoll:vote"):
    """Answers Vote with an ephemeral 3-of-8 select, and nothing else."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Vote", custom_id="ackpoll:vote"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AckVote:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        view = discord.ui.View(timeout=None)
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="ackpoll:pick",
            min_values=3,
            max_values=3,
            options=[discord.SelectOption(label=o, value=str(i)) for i, o in enumerate(OPTIONS)],
        )
        view.add_item(AckPick(select))
        await interaction.response.send_message("Your ballot", view=view, ephemeral=True)


class AckPick(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"ackpoll:pick"):
    """Answers a ballot by editing it, and nothing else."""

    def __init__(self, select: discord.ui.Select[Any] | None = None) -> None:
        super().__init__(select or discord.ui.Select(custom_id="ackpoll:pick"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AckPick:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.edit_message(content="Noted.", view=None)


class AckPollBot(AckBot):
    async def setup_hook(self) -> None:
        self.add_dynamic_items(AckVote, AckPick)


def numbers(
    community: LocalCommunity, results: list[InteractionResult], arrived: dict[int, float]
) -> dict[str, float]:
    deadline = community.sandbox.interaction_deadline
    answered = [r for r in results if not r.failed and r.interaction.id in arrived]
    latencies = [arrived[r.interaction.id] - r.interaction.created for r in answered]
    latencies += [deadline] * (len(results) - len(answered))
    first = min(r.interaction.created for r in results)
    span = max(arrived[r.interaction.id] for r in answered) - first if answered else float("inf")
    return {
        "failed": len(results) - len(answered),
        "throughput": len(answered) / span,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
    }


async def bursts(
    community: LocalCommunity, message: Message
) -> tuple[dict[str, float], dict[str, float]]:
    """Every member presses Vote at once, then every member whose ballot opened votes at once
    (a ballot that did not open counts as a failed vote too)."""
    arrived = record_answers(community)
    drivers = [community.as_member(n) for n in community.members if n != "sofia"]
    opened = await asyncio.gather(*(d.click(message, "Vote") for d in drivers))
    pressing = numbers(community, opened, arrived)
    ballots = [(d, r.message) for d, r in zip(drivers, opened, strict=True) if r.message]
    voted = await asyncio.gather(
        *(
            d.select(m, [OPTIONS[i % 8], OPTIONS[(i + 1) % 8], OPTIONS[(i + 3) % 8]])
            for i, (d, m) in enumerate(ballots)
        )
    )
    voting = numbers(community, voted, arrived)
    voting["failed"] += len(drivers) - len(ballots)
    return pressing, voting


async def s3cop_round() -> tuple[dict[str, float], dict[str, float]]:
    async with local_community(members=member_table()) as community:
        created = await community.as_member("sofia").slash(
            "poll create",
            channel=community.channels["announcements"],
            mode="multiple",
            minimum=3,
            maximum=3,
            winners=3,
            secret=True,
        )
        assert created.modal is not None, created.content
        done = await created.submit_modal(
            {"question": "Which support actions?", "options": "\n".join(OPTIONS)}
        )
        assert "is open" in done.content, done.content
        message = [
            m for m in community.sandbox.messages(community.channels["announcements"]) if m.embeds
        ][-1]
        stats = await bursts(community, message)
        assert community.db is not None
        row = await community.db.fetchone("SELECT count(*) FROM poll_ballots")
        stored = row[0] if row else 0
        # Every vote answered in time is stored (a late answer may be stored too).
        assert MEMBERS - stats[1]["failed"] <= stored <= MEMBERS, (stored, stats[1]["failed"])
        return stats


async def ack_round() -> tuple[dict[str, float], dict[str, float]]:
    async with local_community(members=member_table(), start=False) as community:
        bot = AckPollBot(guild_ready_timeout=0.01)
        async with running(bot, community.sandbox):
            channel = bot.get_channel(community.channels["announcements"].id)
            assert isinstance(channel, discord.TextChannel)
            view = discord.ui.View(timeout=None)
            view.add_item(AckVote())
            await channel.send("**Which support actions?**", view=view)
            message = community.sandbox.messages(community.channels["announcements"])[-1]
            return await bursts(community, message)


def row(name: str, stats: dict[str, float]) -> tuple[str, ...]:
    return (
        name,
        f"{stats['throughput']:.0f}",
        f"{stats['p50'] * 1000:.0f}",
        f"{stats['p99'] * 1000:.0f}",
        f"{stats['failed']:.0f}",
    )


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


async def main() -> int:
    s3: list[tuple[dict[str, float], dict[str, float]]] = []
    ack: list[tuple[dict[str, float], dict[str, float]]] = []
    rows = []
    for i in range(ROUNDS):
        ack.append(await ack_round())
        s3.append(await s3cop_round())
        for label, (press, vote) in (("ack-only", ack[-1]), ("s3cop", s3[-1])):
            rows += [
                row(f"round {i + 1} {label} Vote", press),
                row(f"round {i + 1} {label} ballot", vote),
            ]
    checks = []
    print(f"Voting burst: {MEMBERS:,} members, a secret 3-of-8 poll, {ROUNDS} alternating rounds\n")
    summary = []
    for index, what in ((1, "ballots cast"), (0, "Vote presses")):
        a = medians([r[index] for r in ack])
        s = medians([r[index] for r in s3])
        summary += [row(f"median ack-only {what}", a), row(f"median s3cop {what}", s)]
        tput, p99 = s["throughput"] / a["throughput"], s["p99"] / a["p99"]
        checks += [
            (
                f"{what}: throughput >= {THROUGHPUT_TARGET}x ack-only ({tput:.2f}x)",
                tput >= THROUGHPUT_TARGET,
            ),
            (f"{what}: p99 latency <= {P99_TARGET}x ack-only ({p99:.2f}x)", p99 <= P99_TARGET),
        ]
    print(table(["burst", "per s", "p50 ms", "p99 ms", "failed"], rows + summary))
    print()
    checks.append(
        (
            "nothing failed (unanswered within 3 s) in any s3cop burst",
            all(p["failed"] == 0 and v["failed"] == 0 for p, v in s3),
        )
    )
    return verdict(checks)


if __name__ == "__main__":
    run(main)
