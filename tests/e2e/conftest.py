"""Each end-to-end test gets a fresh sandbox, a seeded guild, a temporary database and the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.local import LocalCommunity, local_community

# A Saturday; the community's test clock starts here and moves only when a test says so.
START = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def community(tmp_path: Path, clock: FakeClock) -> AsyncIterator[LocalCommunity]:
    async with local_community(tmp_path, clock=clock) as running:
        events = running.bot.get_cog("Events") if running.bot else None
        if events is not None:
            events.service.refresh_delay = 0.0  # type: ignore[attr-defined]
        yield running
