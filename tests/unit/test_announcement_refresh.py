"""When the announcement is edited after clicks: once per burst, after the clicks being stored."""

from __future__ import annotations

import asyncio
from typing import Any

from cogs.events._announce import Announcer

DELAY = 0.05


class Counted(Announcer):
    """The announcer's timing, with the edit itself counted instead of made."""

    def __init__(self) -> None:
        super().__init__(bot=None, queries=self, refresh_delay=DELAY)  # type: ignore[arg-type]
        self.edits = 0

    async def find(self, event_id: int) -> Any:  # stands in for the queries
        return event_id

    async def refresh(self, event: Any) -> None:
        self.edits += 1


async def test_clicks_closer_than_the_delay_are_one_edit_however_long_they_go_on() -> None:
    announcer = Counted()
    for _click in range(10):  # 10 clicks over 5 delays, never a delay apart
        announcer.refresh_soon(1)
        await asyncio.sleep(DELAY / 2)
    assert announcer.edits == 0
    await announcer.close()
    assert announcer.edits == 1


async def test_the_edit_waits_for_a_click_still_being_stored() -> None:
    """A click stored, then another one that takes longer than the delay to store (a busy
    bot): one edit, after the second is stored."""
    announcer = Counted()
    announcer.refresh_soon(1)
    with announcer.answering(1):
        await asyncio.sleep(DELAY * 4)
        assert announcer.edits == 0
    await announcer.close()
    assert announcer.edits == 1


async def test_each_event_has_its_own_edit() -> None:
    announcer = Counted()
    announcer.refresh_soon(1)
    announcer.refresh_soon(2)
    await announcer.close()
    assert announcer.edits == 2
