"""Gateway reconnects during a burst of clicks: the session resumes (op 7, op 9 resumable, a
dropped connection) or identifies again (op 9 not resumable), and clicks after it are answered."""

from __future__ import annotations

import asyncio

import pytest

from bot.local import LocalCommunity
from tests.e2e.events_helpers import announcement, create_event

FAULTS = ("op 7 reconnect", "op 9 resumable", "op 9 not resumable", "abrupt close")


@pytest.mark.parametrize("fault", FAULTS)
async def test_clicks_after_a_reconnect_are_answered(community: LocalCommunity, fault: str) -> None:
    await create_event(community, start="in 3 days")
    message = announcement(community)
    sandbox = community.sandbox
    crowd = [sandbox.add_member(community.guild, f"Crowd {n}") for n in range(60)]
    gateway = sandbox.gateway
    sessions = gateway.identifies + gateway.resumes
    burst = asyncio.gather(*(sandbox.as_member(m).click(message, "Going") for m in crowd[:40]))
    await asyncio.sleep(0.01)  # the burst is under way
    if fault == "op 7 reconnect":
        sandbox.faults.gateway_reconnect()
    elif fault == "abrupt close":
        sandbox.faults.drop_connection()
    else:
        sandbox.faults.invalid_session(resumable=fault == "op 9 resumable")
    during = await burst
    await sandbox.wait_until(
        lambda: gateway.connected and gateway.identifies + gateway.resumes > sessions, timeout=15
    )
    after = [await sandbox.as_member(m).click(message, "Going") for m in crowd[40:]]
    assert all(not r.failed for r in after)
    if fault != "op 9 not resumable":
        # A resumed session gets the events it missed: the whole burst is answered.
        assert all(not r.failed for r in during)
    if fault == "op 9 not resumable":
        assert gateway.identifies >= 2  # a fresh session
