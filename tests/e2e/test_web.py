"""The bot's web server: /healthz reports the gateway, the database and pending actions."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.clock import FakeClock
from bot.local import local_community
from tests.e2e.events_helpers import create_event

WEB = {"enabled": True, "host": "127.0.0.1", "port": 0}


async def test_healthz(tmp_path: Path, clock: FakeClock) -> None:
    async with local_community(tmp_path, clock=clock, web=WEB) as community:
        await create_event(community, start="in 3 days", reminders="1d, 1h")
        port = community.bot.web.bound_port  # type: ignore[union-attr]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
            body = await response.json()
        assert body == {"ok": True, "gateway": True, "database": True, "pending_actions": 3}
        assert community.db is not None
        row = await community.db.fetchone("SELECT count(*) FROM health_checks")
        assert row is not None and row[0] == 1  # the check wrote its own row, no feature's
