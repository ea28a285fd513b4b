"""RSVP burst: 1,000 members press Going at once on one announcement, s3cop vs an ack-only bot.

    .venv/bin/python bench/bench_rsvp_burst.py

Each bot runs as its own process, as in production: s3cop as ``s3cop run`` (with its default
settings: the announcement refresh 0.5 s after the first click), the ack-only bot as
``bench/_ackbot.py``. The sandbox runs in this process, a fresh one per burst seeded with the same
1,000 members in five client languages, and sends the same burst: every click at once with
``asyncio.gather``, each by a distinct member, through the sandbox's member driver. Measured the
same way for both:

* latency of a click: from the sandbox creating the interaction and sending INTERACTION_CREATE
  (``Interaction.created``) to the bot's initial response reaching the sandbox's callback
  endpoint. A click not answered within the 3 s deadline failed; it counts as 3 s in the
  percentiles (a lower bound) and not at all in the throughput;
* throughput: clicks answered in time / (last answer - first click sent);
* CPU per click: the bot process's user + system CPU time over the burst (and until its
  announcement refresh is done), divided by the clicks answered.

s3cop's event has 600 places, so 600 clicks land on "going" and 400 on the waitlist (checked in
its database). The ack-only bot's persistent DynamicItem button only answers ephemerally: the
floor that discord.py sets. Bursts alternate between the two bots; the verdict compares medians.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

import discord
from _harness import (
    Answers,
    ack_process,
    ack_view,
    load,
    measure,
    medians,
    run,
    s3cop_process,
    spread,
    table,
    verdict,
)

from bot.local import seed_community
from bot.sandbox.driver import MemberDriver
from bot.sandbox.models import Message
from bot.sandbox.server import Sandbox

MEMBERS = 1_000
CAPACITY = 600
ROUNDS = 7
LOCALES = ("en-GB", "fi", "de", "it", "en-US")
THROUGHPUT_TARGET = 0.85
P99_TARGET = 1.25
CPU_TARGET = 1.25
SETTLE = 1.0  # seconds after the burst: s3cop's announcement refresh runs 0.5 s after a click
HERE = Path(__file__).resolve().parent


def member_table() -> dict[str, tuple[tuple[str, ...], str]]:
    members: dict[str, tuple[tuple[str, ...], str]] = {
        "sofia": (("Secretariat", "Organisers"), "en-GB")
    }
    for i in range(MEMBERS):
        members[f"m{i:04d}"] = ((), LOCALES[i % len(LOCALES)])
    return members


def record_answers(sandbox: Any) -> dict[int, float]:
    """Interaction id -> loop time its initial response arrived, for a sandbox or a
    ``LocalCommunity`` (bench_poll_burst.py's, until it moves to ``_harness.Answers``)."""
    return Answers(getattr(sandbox, "sandbox", sandbox)).first


async def burst(
    sandbox: Sandbox, drivers: list[MemberDriver], message: Message, pid: int, label: str
) -> dict[str, float]:
    """Every driver presses ``label`` at once; the numbers of that burst."""
    answers = Answers(sandbox)
    return await measure(
        answers,
        pid,
        lambda: asyncio.gather(*(d.click(message, label) for d in drivers)),
        deadline=sandbox.interaction_deadline,
        settle=SETTLE,
    )


async def s3cop_round(directory: Path, profile: Path | None = None) -> dict[str, float]:
    """One burst on s3cop (``profile``: write the bot process's cProfile statistics there)."""
    async with Sandbox() as sandbox:
        seeded = seed_community(sandbox, member_table())
        async with s3cop_process(sandbox, seeded.guild.id, directory, profile) as bot:
            organiser = sandbox.as_member(seeded.members["sofia"])
            created = await organiser.slash(
                "event create",
                title="Smart Specialisation Forum",
                start="in 3 days",
                format="online",
                link="https://meet.example.org/forum",
                capacity=CAPACITY,
            )
            assert created.modal is not None, created.content
            await created.submit_modal({"description": "Annual forum"})
            events = seeded.channels["events"]
            message = await sandbox.wait_until(
                lambda: next((m for m in sandbox.messages(events) if m.embeds), None)
            )
            drivers = [sandbox.as_member(m) for n, m in seeded.members.items() if n != "sofia"]
            assert bot.pid is not None
            stats = await burst(sandbox, drivers, message, bot.pid, "Going")
        with sqlite3.connect(bot.db_path) as conn:
            counts = dict(conn.execute("SELECT answer, count(*) FROM rsvps GROUP BY answer"))
        assert counts == {"going": CAPACITY, "waitlist": MEMBERS - CAPACITY}, counts
        return stats


def announcement() -> dict[str, Any]:
    """The ack-only bot's buttons sit on an announcement like s3cop's (its embed's shape and
    size): every click's INTERACTION_CREATE carries the message, which both bots parse."""
    embed = discord.Embed(title="Smart Specialisation Forum", description="Annual forum")
    embed.add_field(name="When", value="<t:1796402760:F> – <t:1796406360:t> (<t:1796402760:R>)")
    embed.add_field(name="Where", value="🔗 https://meet.example.org/forum", inline=False)
    embed.add_field(name="Organiser", value="<@1577365216973422604>")
    embed.add_field(name="Places", value="0 of 600 taken")
    embed.add_field(name="Answers", value="Going: 0 · Maybe: 0 · Can't go: 0", inline=False)
    embed.set_footer(text="Event #1 · times show in your own time zone")
    embed.colour = discord.Colour(13209)
    return embed.to_dict()  # type: ignore[return-value]


async def ack_round() -> dict[str, float]:
    async with Sandbox() as sandbox:
        seeded = seed_community(sandbox, member_table())
        async with ack_process(sandbox) as pid:
            events = seeded.channels["events"]
            payload = {"embeds": [announcement()], "components": ack_view(1).to_components()}
            message = sandbox.backend.create_message(events.id, payload, [])  # as the bot posts it
            organiser = sandbox.as_member(seeded.members["sofia"])
            for _ in range(30):  # ready when it answers a click (s3cop: when /healthz says so)
                if not (await organiser.click(message, "Going")).failed:
                    break
            drivers = [sandbox.as_member(m) for n, m in seeded.members.items() if n != "sofia"]
            return await burst(sandbox, drivers, message, pid, "Going")


COLUMNS = ["burst", "clicks/s", "p50 ms", "p99 ms", "CPU ms/click", "deferred", "failed"]


def row(name: str, stats: dict[str, float]) -> tuple[str, ...]:
    return (
        name,
        f"{stats['throughput']:.0f}",
        f"{stats['p50'] * 1000:.0f}",
        f"{stats['p99'] * 1000:.0f}",
        f"{stats['cpu_ms']:.2f}",
        f"{stats['deferred']:.0f}",
        f"{stats['failed']:.0f}",
    )


def spread_row(name: str, runs: list[dict[str, float]]) -> tuple[str, ...]:
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
    s3: list[dict[str, float]] = []
    ack: list[dict[str, float]] = []
    rows = []
    for i in range(ROUNDS):
        ack.append(await ack_round())
        with tempfile.TemporaryDirectory(prefix="s3cop-burst-") as directory:
            s3.append(await s3cop_round(Path(directory)))
        rows += [row(f"round {i + 1} ack-only", ack[-1]), row(f"round {i + 1} s3cop", s3[-1])]
        print(f"{rows[-2]}\n{rows[-1]}", file=sys.stderr)
    a, s = medians(ack), medians(s3)
    rows += [row("median ack-only", a), row("median s3cop", s)]
    rows += [spread_row("range ack-only", ack), spread_row("range s3cop", s3)]
    print(
        f"RSVP burst: {MEMBERS:,} members press Going at once (capacity {CAPACITY}), "
        f"{ROUNDS} alternating rounds, each bot in its own process\n"
    )
    print(table(COLUMNS, rows))
    tput = s["throughput"] / a["throughput"]
    p99 = s["p99"] / a["p99"]
    cpu = s["cpu_ms"] / a["cpu_ms"]
    print(
        f"\ns3cop / ack-only (medians): throughput {tput:.2f}x, p99 latency {p99:.2f}x, "
        f"CPU per click {cpu:.2f}x; {load()}\n"
    )
    return verdict(
        [
            (
                f"throughput >= {THROUGHPUT_TARGET}x ack-only ({tput:.2f}x)",
                tput >= THROUGHPUT_TARGET,
            ),
            (f"p99 latency <= {P99_TARGET}x ack-only ({p99:.2f}x)", p99 <= P99_TARGET),
            (f"CPU per click <= {CPU_TARGET}x ack-only ({cpu:.2f}x)", cpu <= CPU_TARGET),
            (
                "no click failed (unanswered within 3 s) in any s3cop burst",
                all(r["failed"] == 0 for r in s3),
            ),
        ]
    )


if __name__ == "__main__":
    run(main)
