"""An application's decision, the bot SIGKILLed right after the lead's answer: the applicant is
told once, after the restart if the kill came first.

The bot runs as ``s3cop run`` in its own process against the sandbox here, as on a host. Each
round a lead approves an application and the bot is killed a seeded moment after the answer
(before, during or after the decision DM went out); after a restart every applicant has exactly
one approval DM, counted by message.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from functools import partial
from pathlib import Path

from bot.local import seed_community
from bot.local_process import BotProcess
from bot.sandbox.models import Member, Message
from bot.sandbox.server import Sandbox

SEED = 20261201
APPLICANTS = ("marco", "lena", "aino")


def approvals(sandbox: Sandbox, member: Member) -> list[Message]:
    """The decision DMs a member got (in English or Finnish: the only DMs naming the group)."""
    return [m for m in sandbox.dms(member) if "Lapland tourism" in m.content]


def copy_for(sandbox: Sandbox, lead: Member, motivation: str) -> Message | None:
    """The lead's copy of the application that says ``motivation``."""
    return next((m for m in sandbox.dms(lead) if m.embeds and motivation in str(m.embeds)), None)


def pending_notices(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM scheduled_actions WHERE kind = 'notice' AND status = 'pending'"
        ).fetchone()
    return int(row[0])


async def test_a_decision_dm_is_sent_once_when_the_bot_is_killed_right_after_the_decision(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)  # noqa: S311 - seeded on purpose: a failing run replays
    sandbox = Sandbox()
    await sandbox.start()
    seeded = seed_community(sandbox)
    bot = BotProcess(sandbox, seeded.guild.id, tmp_path)
    try:
        await bot.start()
        await bot.wait_ready()
        created = await sandbox.as_member(seeded.members["sofia"]).slash(
            "group create",
            name="Lapland tourism",
            kind="partnership",
            description="Arctic tourism",
            joining="application",
            visibility="private",
            lead=seeded.members["olli"],
        )
        assert not created.failed
        if created.message is not None and created.message.flags & (1 << 7):  # deferred
            await created.wait_edit()
        olli = seeded.members["olli"]
        after_restart = 0  # rounds whose DM the restarted bot sent
        for round_number, name in enumerate(APPLICANTS):
            applicant = seeded.members[name]
            form = await sandbox.as_member(applicant).slash("group apply", group="Lapland tourism")
            assert form.modal is not None, form.content
            await form.submit_modal({"motivation": f"Cluster {round_number}"})
            copy = await sandbox.wait_until(
                partial(copy_for, sandbox, olli, f"Cluster {round_number}"), timeout=15
            )
            approved = await sandbox.as_member(olli).click(copy, "Approve · Hyväksy")
            assert not approved.failed
            # Killed at once in the first round (the DM most likely not sent yet), then a
            # seeded moment later: before, during or after the DM.
            await asyncio.sleep(rng.uniform(0, 0.05) if round_number else 0)
            bot.kill()
            await bot.wait_exit()
            after_restart += not approvals(sandbox, applicant)
            await bot.start()
            await bot.wait_ready()
            await sandbox.wait_until(partial(approvals, sandbox, applicant), timeout=15)
        for _ in range(100):  # bounded: the last notices settle
            if pending_notices(bot.db_path) == 0:
                break
            await asyncio.sleep(0.1)
        await bot.stop()
        assert pending_notices(bot.db_path) == 0, bot.tail()
        for name in APPLICANTS:
            assert len(approvals(sandbox, seeded.members[name])) == 1, name
        print(f"{after_restart} of {len(APPLICANTS)} decision DMs were sent after the restart")
    finally:
        bot.kill()
        await bot.wait_exit()
        await sandbox.stop()
