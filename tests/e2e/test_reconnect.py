"""Gateway reconnects during a burst of clicks, with the bot in its own process (``s3cop run``
against the sandbox in this one, as on a host): the session resumes (op 7, op 9 resumable, a
dropped connection) or identifies again (op 9 not resumable), and clicks after it are answered.

A resumed session gets the events it missed, so every click of the burst is answered and stored.
A new session does not (Discord replays nothing to it): clicks that arrived while the bot had no
session fail for those members, as they would on Discord, and every click that was answered is
stored.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.local import Seeded, seed_community
from bot.local_process import BotProcess
from bot.sandbox.driver import InteractionResult
from bot.sandbox.models import Member, Message
from bot.sandbox.server import Sandbox

FAULTS = ("op 7 reconnect", "op 9 resumable", "op 9 not resumable", "abrupt close")
BURST = 80  # clicks under way when the gateway fails
AFTER = 20  # clicks once the bot is back
SPACING = 0.01  # seconds between two clicks of the burst


@dataclass
class Running:
    sandbox: Sandbox
    seeded: Seeded
    bot: BotProcess

    def crowd(self) -> list[Member]:
        return [m for name, m in self.seeded.members.items() if name.startswith("member")]


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    sandbox = Sandbox()
    await sandbox.start()
    seeded = seed_community(sandbox, extra_members=BURST + AFTER)
    bot = BotProcess(sandbox, seeded.guild.id, tmp_path)
    try:
        await bot.start()
        await bot.wait_ready()
        yield Running(sandbox, seeded, bot)
    finally:
        bot.kill()
        await bot.wait_exit()
        await sandbox.stop()


async def announce(running: Running) -> Message:
    form = await running.sandbox.as_member(running.seeded.members["sofia"]).slash(
        "event create",
        title="Forum",
        start="in 3 days",
        format="online",
        link="https://meet.example.org/f",
    )
    assert form.modal is not None, form.content
    await form.submit_modal({"description": ""})
    events = running.seeded.channels["events"]
    message: Message = await running.sandbox.wait_until(
        lambda: next((m for m in running.sandbox.messages(events) if m.embeds), None)
    )
    return message


def going(db_path: Path) -> set[int]:
    with sqlite3.connect(db_path) as conn:
        return {u for (u,) in conn.execute("SELECT user_id FROM rsvps WHERE answer = 'going'")}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fault", FAULTS)
async def test_clicks_after_a_reconnect_are_answered(running: Running, fault: str) -> None:
    sandbox, gateway = running.sandbox, running.sandbox.gateway
    message = await announce(running)
    crowd = running.crowd()
    sessions = (gateway.identifies, gateway.resumes)

    async def click(member: Member, number: int) -> InteractionResult:
        await asyncio.sleep(number * SPACING)  # a stream of clicks, so the fault falls inside
        return await sandbox.as_member(member).click(message, "Going")

    burst = asyncio.gather(*(click(m, n) for n, m in enumerate(crowd[:BURST])))

    def answered() -> int:
        return sum(i.type == 3 and i.answered for i in sandbox.backend.interactions.values())

    for _ in range(30_000):  # the fault falls inside the burst: after a few clicks were answered
        if answered() >= 10:
            break
        await asyncio.sleep(0.001)
    assert answered() < BURST // 2, "the burst was over before the fault"
    if fault == "op 7 reconnect":
        sandbox.faults.gateway_reconnect()
    elif fault == "abrupt close":
        sandbox.faults.drop_connection()
    else:
        sandbox.faults.invalid_session(resumable=fault == "op 9 resumable")
    during: list[InteractionResult] = await burst
    await sandbox.wait_until(
        lambda: gateway.connected and (gateway.identifies, gateway.resumes) != sessions,
        timeout=30,
    )
    if fault == "op 9 not resumable":
        assert gateway.identifies > sessions[0]  # a fresh session
    else:
        assert gateway.resumes > sessions[1] and gateway.identifies == sessions[0]

    after = [await sandbox.as_member(m).click(message, "Going") for m in crowd[BURST:]]
    assert [r for r in after if r.failed] == []
    stored = going(running.bot.db_path)
    assert {m.user.id for m in crowd[BURST:]} <= stored
    told = {r.interaction.user.id for r in during if not r.failed}
    assert told <= stored, "a click answered during the reconnect was not stored"
    if fault != "op 9 not resumable":
        # A resumed session gets the events it missed: the whole burst is answered.
        assert [r for r in during if r.failed] == []
    print(f"{fault}: {len(told)} of {BURST} clicks of the burst answered")
