"""A request opened just now reads as just past on its card, as a member's Discord shows it."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.local import LocalCommunity
from bot.sandbox.render import Viewer
from bot.sandbox.transcript import show
from tests.e2e.support_helpers import ask_and_read, cards


async def test_a_request_opened_now_does_not_read_as_opened_in_the_future(
    community: LocalCommunity, clock: FakeClock
) -> None:
    await ask_and_read(community)
    [card] = cards(community)
    seen = show(community, card, clock.now(), Viewer("fi", "Europe/Helsinki"))
    [opened] = [line for line in seen.splitlines() if "Opened" in line or "Avattu" in line]
    assert "päästä" not in opened and "sitten" in opened, opened
