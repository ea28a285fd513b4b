"""The global pacer: a steady 48 requests per second, members' requests before background work."""

from __future__ import annotations

import asyncio

from bot.pacing import GlobalPacer


async def test_slots_keep_under_the_global_limit() -> None:
    pacer = GlobalPacer(per_second=100)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(20):
        await pacer.slot(background=False)
    # Twenty slots a hundredth of a second apart (asyncio may wake a tick early).
    assert pacer._next - start >= 0.2
    assert loop.time() - start >= 0.185


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
