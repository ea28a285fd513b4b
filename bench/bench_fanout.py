"""Reminder fan-out under Discord's rate limits: one reminder to 1,000 members going.

    .venv/bin/python bench/bench_fanout.py

The bot runs as its own process (``s3cop run``), the sandbox in this one with Discord's rate
limits enforced (per-route buckets, 50 requests/s globally, interaction endpoints exempt). An
organiser announces an event and 1,000 members answer Going; the bot is stopped, and the
event's reminder falls due while it is down (brought forward in its database, as after an
outage). The bot starts and sends the channel post and 1,000 DMs: each DM needs two requests (open
the DM channel, post in it), so the rate limits allow no less than 2,001 / 50 s. Meanwhile other
members use commands and buttons.

Targets: the channel post before any DM; the DMs done within 1.1x the time the rate limits
allow; every member DMed exactly once (counted by message nonce); every command during the
fan-out answered within 3 s; no 429 earned.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import load, percentile, run, s3cop_process, table, verdict

from bot.local import Seeded, seed_community
from bot.local_process import BotProcess
from bot.sandbox.models import DM, Member, Message
from bot.sandbox.ratelimits import GLOBAL_PER_SECOND
from bot.sandbox.server import Sandbox
from db.times import to_db

MEMBERS = 1_000
TARGET = 1.1
COMMANDS = 30  # members' commands spread over the fan-out


async def main() -> int:
    with tempfile.TemporaryDirectory(prefix="s3cop-fanout-") as directory:
        sandbox = Sandbox(rate_limits=True)
        await sandbox.start()
        try:
            return await fan_out(sandbox, Path(directory))
        finally:
            await sandbox.stop()


async def fan_out(sandbox: Sandbox, directory: Path) -> int:
    seeded = seed_community(sandbox, extra_members=MEMBERS)
    crowd = [m for name, m in seeded.members.items() if name.startswith("member")]
    print(load())
    async with s3cop_process(sandbox, seeded.guild.id, directory) as bot:
        return await measure(sandbox, seeded, crowd, bot)


async def measure(sandbox: Sandbox, seeded: Seeded, crowd: list[Member], bot: BotProcess) -> int:
    """Set up the event and its 1,000 answers on the running bot, stop it, then time the
    fan-out its next start makes."""
    organiser = sandbox.as_member(seeded.members["sofia"])
    events = seeded.channels["events"]
    for title in ("Annual meeting", "Working lunch"):
        form = await organiser.slash(
            "event create",
            title=title,
            start="in 3 days",
            format="online",
            link="https://meet.example.org/a",
            reminders="1d",
        )
        assert form.modal is not None, form.content
        created = await form.submit_modal({"description": ""})
        assert not created.failed, created
    announced = await sandbox.wait_until(
        lambda: len(posts := [m for m in sandbox.messages(events) if m.embeds]) == 2 and posts,
        timeout=10,
    )
    annual, lunch = announced
    for chunk in range(0, MEMBERS, 50):  # setup, not the benchmark: 50 at a time
        answers = await asyncio.gather(
            *(sandbox.as_member(m).click(annual, "Going") for m in crowd[chunk : chunk + 50])
        )
        assert not any(a.failed for a in answers), "setup clicks failed"
    await bot.stop()

    with sqlite3.connect(bot.db_path) as conn:  # the reminder fell due while the bot was down
        conn.execute(
            "UPDATE scheduled_actions SET due_at = ? WHERE kind = 'event.remind' "
            "AND json_extract(payload, '$.event') = 1",
            (to_db(datetime.now(UTC) - timedelta(seconds=1)),),
        )
    limited_before = sandbox.rate_limits.limited
    log_start = len(sandbox.backend.message_log)
    await bot.start()
    await bot.wait_ready()

    def sent() -> list[Message]:
        return [
            m
            for m in sandbox.backend.message_log[log_start:]
            if m.author.id == sandbox.application_id and m.interaction is None
        ]

    # Members' commands and clicks while the DMs go out.
    latencies: list[float] = []
    failed = 0
    loop = asyncio.get_running_loop()
    for n in range(COMMANDS):
        await asyncio.sleep(1.2)
        member = sandbox.as_member(crowd[(n * 37) % MEMBERS])
        started = loop.time()
        if n % 3 == 0:
            result = await member.slash("event list")
        elif n % 3 == 1:
            result = await member.click(lunch, "Maybe")
        else:
            result = await member.slash("about")
        failed += result.failed
        latencies.append(loop.time() - started)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if sum(1 for m in sent() if sandbox.backend.channels[m.channel_id].type == DM) >= MEMBERS:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # anything sent twice would arrive by now
    await bot.stop()

    messages = sent()
    post = next(
        (m for m in messages if m.channel_id == events.id and "Reminder" in m.content), None
    )
    dms = [m for m in messages if sandbox.backend.channels[m.channel_id].type == DM]
    per_member = Counter(sandbox.backend.channels[m.channel_id].recipient_id for m in dms)
    nonces = Counter(m.nonce for m in dms)
    first = min([post.created_at, *(m.created_at for m in dms)]) if post else None
    last_dm = max(m.created_at for m in dms) if dms else None
    took = (last_dm - post.created_at).total_seconds() if post and last_dm else float("nan")
    requests = 1 + 2 * MEMBERS
    allowed = requests / GLOBAL_PER_SECOND
    limited = sandbox.rate_limits.limited - limited_before

    print(
        table(
            ["what", "value"],
            [
                ["members going", MEMBERS],
                ["requests needed", requests],
                ["rate limits allow (s)", f"{allowed:.1f}"],
                ["fan-out took (s)", f"{took:.1f}"],
                ["ratio", f"{took / allowed:.2f}x"],
                ["DMs delivered", f"{len(per_member)} members, {len(dms)} messages"],
                ["429s earned", limited],
                ["commands during it", f"{COMMANDS}, p99 {percentile(latencies, 99):.2f} s"],
                ["invalid requests (10 min)", sandbox.rate_limits.invalid_requests],
            ],
        )
    )
    print(f"\n{load()}\n")
    return verdict(
        [
            ("the channel post went first", post is not None and first == post.created_at),
            (f"DMs within {TARGET}x the rate limits' time", took <= TARGET * allowed),
            ("every member DMed (0 lost)", len(per_member) == MEMBERS),
            ("no DM twice", max(per_member.values(), default=0) == 1 and max(nonces.values()) == 1),
            ("commands during the fan-out answered in 3 s", failed == 0 and max(latencies) < 3),
            ("no 429 earned", limited == 0),
        ]
    )


if __name__ == "__main__":
    run(main)
