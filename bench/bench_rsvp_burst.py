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
import os
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil
from _harness import ack_view, percentile, run, table, verdict

from bot.local import seed_community
from bot.local_process import BotProcess
from bot.sandbox.driver import MemberDriver
from bot.sandbox.models import Message
from bot.sandbox.server import Sandbox

MEMBERS = 1_000
CAPACITY = 600
ROUNDS = 5
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


def record_answers(sandbox: Sandbox) -> dict[int, float]:
    """Interaction id -> loop time its initial response arrived (wraps the sandbox's respond)."""
    backend = sandbox.backend
    arrived: dict[int, float] = {}
    respond = backend.respond
    loop = asyncio.get_running_loop()

    def timed(interaction_id: int, token: str, body: Any, files: Any) -> Any:
        result = respond(interaction_id, token, body, files)
        arrived[interaction_id] = loop.time()
        return result

    backend.respond = timed  # type: ignore[method-assign]
    return arrived


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def burst(
    sandbox: Sandbox, drivers: list[MemberDriver], message: Message, pid: int, label: str
) -> dict[str, float]:
    """Every driver presses ``label`` at once; the numbers of that burst."""
    arrived = record_answers(sandbox)
    cpu_before = cpu_seconds(pid)
    results = await asyncio.gather(*(d.click(message, label) for d in drivers))
    await asyncio.sleep(SETTLE)
    cpu = cpu_seconds(pid) - cpu_before
    deadline = sandbox.interaction_deadline
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
        "cpu_ms": 1000 * cpu / max(len(answered), 1),
    }


async def s3cop_round(directory: Path) -> dict[str, float]:
    async with Sandbox() as sandbox:
        seeded = seed_community(sandbox, member_table())
        bot = BotProcess(sandbox, seeded.guild.id, directory)
        try:
            await bot.start()
            await bot.wait_ready()
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
        finally:
            await bot.stop()
        with sqlite3.connect(bot.db_path) as conn:
            counts = dict(conn.execute("SELECT answer, count(*) FROM rsvps GROUP BY answer"))
        assert counts == {"going": CAPACITY, "waitlist": MEMBERS - CAPACITY}, counts
        return stats


async def ack_round() -> dict[str, float]:
    async with Sandbox() as sandbox:
        seeded = seed_community(sandbox, member_table())
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "_ackbot.py"),
            sandbox.api_base,
            sandbox.gateway_url,
            env=dict(os.environ, DISCORD_TOKEN=sandbox.token),
        )
        try:
            await sandbox.wait_until(lambda: sandbox.gateway.connected, timeout=30)
            events = seeded.channels["events"]
            payload = {"content": "**Smart Specialisation Forum**"}
            payload["components"] = ack_view(1).to_components()
            message = sandbox.backend.create_message(events.id, payload, [])  # as the bot posts it
            organiser = sandbox.as_member(seeded.members["sofia"])
            for _ in range(30):  # ready when it answers a click (s3cop: when /healthz says so)
                if not (await organiser.click(message, "Going")).failed:
                    break
            drivers = [sandbox.as_member(m) for n, m in seeded.members.items() if n != "sofia"]
            return await burst(sandbox, drivers, message, process.pid, "Going")
        finally:
            process.kill()
            await process.wait()


def row(name: str, stats: dict[str, float]) -> tuple[str, ...]:
    return (
        name,
        f"{stats['throughput']:.0f}",
        f"{stats['p50'] * 1000:.0f}",
        f"{stats['p99'] * 1000:.0f}",
        f"{stats['cpu_ms']:.2f}",
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
        with tempfile.TemporaryDirectory(prefix="s3cop-burst-") as directory:
            s3.append(await s3cop_round(Path(directory)))
        rows += [row(f"round {i + 1} ack-only", ack[-1]), row(f"round {i + 1} s3cop", s3[-1])]
    a, s = medians(ack), medians(s3)
    rows += [row("median ack-only", a), row("median s3cop", s)]
    print(
        f"RSVP burst: {MEMBERS:,} members press Going at once (capacity {CAPACITY}), "
        f"{ROUNDS} alternating rounds, each bot in its own process\n"
    )
    print(table(["burst", "clicks/s", "p50 ms", "p99 ms", "CPU ms/click", "failed"], rows))
    tput = s["throughput"] / a["throughput"]
    p99 = s["p99"] / a["p99"]
    cpu = s["cpu_ms"] / a["cpu_ms"]
    print(
        f"\ns3cop / ack-only (medians): throughput {tput:.2f}x, p99 latency {p99:.2f}x, "
        f"CPU per click {cpu:.2f}x\n"
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
