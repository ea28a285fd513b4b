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
    # Announcements and poll messages are edited at once after a click, so a test reads the
    # counts right away.
    events = {"announcement_refresh_seconds": 0}
    polls = {"message_refresh_seconds": 0}
    async with local_community(tmp_path, clock=clock, events=events, polls=polls) as running:
        yield running
        # A bot that earns 401/403/429s by the hundred in one test would be banned by Discord.
        running.sandbox.rate_limits.check_invalid()
