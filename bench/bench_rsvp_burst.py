"""RSVP burst: 1,000 members press Going at once on one announcement, s3cop vs an ack-only bot.

    .venv/bin/python bench/bench_rsvp_burst.py

Both bots run against the same kind of sandbox (a fresh one per burst, seeded with the same
1,000 members in five client languages) and get the same burst: every click sent at once with
``asyncio.gather``, each by a distinct member, through the sandbox's member driver. Measured the
same way for both:

* latency of a click: from the sandbox creating the interaction and sending INTERACTION_CREATE
  (``Interaction.created``, the driver's send time) to the bot's initial response reaching the
  sandbox's callback endpoint. A click not answered within the sandbox's 3 s deadline failed
  ("This interaction failed"); it counts as 3 s in the percentiles (a lower bound) and not at all
  in the throughput;
* throughput: clicks answered in time / (last answer - first click sent).

s3cop's event has 600 places, so 600 clicks land on "going" and 400 on the waitlist; its
announcement refresh runs as in production (0.5 s after the first click). The ack-only bot's
persistent DynamicItem button only answers ephemerally: the floor that discord.py and the sandbox
set. Bursts alternate between the two bots; the verdict compares the medians over the rounds.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import discord
from _harness import AckBot, ack_view, percentile, run, running, table, verdict

from bot.local import LocalCommunity, local_community
from bot.sandbox.models import Message

MEMBERS = 1_000
CAPACITY = 600
ROUNDS = 5
LOCALES = ("en-GB", "fi", "de", "it", "en-US")
THROUGHPUT_TARGET = 0.85
P99_TARGET = 1.25


def member_table() -> dict[str, tuple[tuple[str, ...], str]]:
    members: dict[str, tuple[tuple[str, ...], str]] = {
        "sofia": (("Secretariat", "Organisers"), "en-GB")
    }
    for i in range(MEMBERS):
        members[f"m{i:04d}"] = ((), LOCALES[i % len(LOCALES)])
    return members


def record_answers(community: LocalCommunity) -> dict[int, float]:
    """Interaction id -> loop time its initial response arrived (wraps the sandbox's respond)."""
    backend = community.sandbox.backend
    arrived: dict[int, float] = {}
    respond = backend.respond
    loop = asyncio.get_running_loop()

    def timed(interaction_id: int, token: str, body: Any, files: Any) -> Any:
        result = respond(interaction_id, token, body, files)
        arrived[interaction_id] = loop.time()
        return result

    backend.respond = timed  # type: ignore[method-assign]
    return arrived


async def burst(community: LocalCommunity, message: Message) -> dict[str, float]:
    """Every member but the organiser presses Going at once; the numbers of that burst."""
    arrived = record_answers(community)
    drivers = [community.as_member(n) for n in community.members if n != "sofia"]
    results = await asyncio.gather(*(d.click(message, "Going") for d in drivers))
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


async def s3cop_round() -> dict[str, float]:
    async with local_community(members=member_table()) as community:
        created = await community.as_member("sofia").slash(
            "event create",
            title="Smart Specialisation Forum",
            start="2026-12-03 14:00",
            format="online",
            link="https://meet.example.org/forum",
            capacity=CAPACITY,
        )
        assert created.modal is not None, created.content
        await created.submit_modal({"description": "Annual forum"})
        posted = community.sandbox.messages(community.channels["events"])
        message = [m for m in posted if m.embeds][-1]
        stats = await burst(community, message)
        assert community.db is not None
        rows = await community.db.fetchall("SELECT answer, count(*) FROM rsvps GROUP BY answer")
        counts = {r[0]: r[1] for r in rows}
        assert counts == {"going": CAPACITY, "waitlist": MEMBERS - CAPACITY}, counts
        return stats


async def ack_round() -> dict[str, float]:
    async with local_community(members=member_table(), start=False) as community:
        bot = AckBot(guild_ready_timeout=0.01)
        async with running(bot, community.sandbox):
            channel = bot.get_channel(community.channels["events"].id)
            assert isinstance(channel, discord.TextChannel)
            await channel.send("**Smart Specialisation Forum**", view=ack_view(1))
            message = community.sandbox.messages(community.channels["events"])[-1]
            return await burst(community, message)


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
    s3: list[dict[str, float]] = []
    ack: list[dict[str, float]] = []
    rows = []
    for i in range(ROUNDS):
        ack.append(await ack_round())
        s3.append(await s3cop_round())
        rows += [row(f"round {i + 1} ack-only", ack[-1]), row(f"round {i + 1} s3cop", s3[-1])]
    a, s = medians(ack), medians(s3)
    rows += [row("median ack-only", a), row("median s3cop", s)]
    print(
        f"RSVP burst: {MEMBERS:,} members press Going at once (capacity {CAPACITY}), "
        f"{ROUNDS} alternating rounds\n"
    )
    print(table(["burst", "clicks/s", "p50 ms", "p99 ms", "failed"], rows))
    tput = s["throughput"] / a["throughput"]
    p99 = s["p99"] / a["p99"]
    print(f"\ns3cop / ack-only (medians): throughput {tput:.2f}x, p99 latency {p99:.2f}x\n")
    return verdict(
        [
            (
                f"throughput >= {THROUGHPUT_TARGET}x ack-only ({tput:.2f}x)",
                tput >= THROUGHPUT_TARGET,
            ),
            (f"p99 latency <= {P99_TARGET}x ack-only ({p99:.2f}x)", p99 <= P99_TARGET),
            (
                "no click failed (unanswered within 3 s) in any s3cop burst",
                all(r["failed"] == 0 for r in s3),
            ),
        ]
    )


if __name__ == "__main__":
    run(main)
