"""The global pacer: never more than its rate in any second, a late wake-up does not slow it
down, members' requests go before background work."""

from __future__ import annotations

import asyncio

from bot.pacing import GlobalPacer


async def test_no_second_holds_more_than_the_rate() -> None:
    pacer = GlobalPacer(per_second=50, tolerance=0.01)
    loop = asyncio.get_running_loop()
    sent: list[float] = []

    async def request(number: int) -> None:
        if number % 7 == 0:
            await asyncio.sleep(0.013)  # a late wake-up now and then
        await pacer.slot(background=number % 2 == 0)
        sent.append(loop.time())

    await asyncio.gather(*(request(n) for n in range(120)))
    sent.sort()
    busiest = max(sum(1 for t in sent if first <= t < first + 1.0) for first in sent)
    assert busiest <= 50
    # ... and it keeps close to the rate: 120 requests in about 120 / 48.5 s.
    assert sent[-1] - sent[0] < 120 / 48.5 * 1.05


def test_a_late_wake_up_within_the_tolerance_costs_no_slot() -> None:
    """A background request sleeps until its slot is due less the tolerance; woken up to that
    much late, it still takes the slot where it was planned, and the next one stays put."""
    pacer = GlobalPacer(per_second=50, tolerance=0.01)
    pacer._next = 100.0
    pacer._take(100.0 - 0.01 + 0.008)  # 8 ms late
    assert pacer._next == 100.0 + pacer.interval
    pacer._take(pacer._next + 0.005)  # later than the tolerance covers: the schedule moves
    assert pacer._next == 100.0 + 2 * pacer.interval + 0.005


async def test_members_go_before_background_work() -> None:
    pacer = GlobalPacer(per_second=50)
    order: list[str] = []

    async def request(name: str, *, background: bool) -> None:
        await pacer.slot(background=background)
        order.append(name)

    background = [asyncio.create_task(request(f"dm{n}", background=True)) for n in range(10)]
    await asyncio.sleep(0.05)  # the fan-out is under way
    await request("member", background=False)
    await asyncio.gather(*background)
    assert order.index("member") <= 4  # not behind the whole fan-out
