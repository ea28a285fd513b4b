"""Stay under Discord's global rate limit, and let members go first.

Discord allows a bot 50 requests per second over all routes (interaction endpoints exempt), and
counts every 429 towards a temporary ban (10,000 invalid requests in 10 minutes). discord.py
follows each route's bucket from the response headers, but learns of the global limit only from
a 429, so a fan-out of 1,000 reminder DMs (2,000 requests) would earn hundreds of them.

:class:`GlobalPacer` hands out send slots, never more than :data:`PER_SECOND` in any second,
through aiohttp's request connector (discord.py's documented ``connector`` option), so nothing in
discord.py is patched.
(aiohttp's request tracing would do too, but costs about a third of a millisecond per request.)
Work the scheduler does is marked as background (:func:`background`): a request made for a
member (a command posting an announcement during the fan-out) takes the next slot before any
background request waits for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import aiohttp

PER_SECOND = 49  # at most this many requests in any second: Discord's 50, less one for jitter
# How early a slot may be taken, so that a wake-up that comes late (a busy event loop) does not
# push every later slot back: with strict spacing a loaded machine lost about 15 % of the rate.
TOLERANCE = 0.010  # seconds
EXEMPT = ("/interactions/", "/webhooks/")  # interaction endpoints: not globally limited

_BACKGROUND: contextvars.ContextVar[bool] = contextvars.ContextVar("background", default=False)


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Within: requests are background work (and those of tasks started here): they yield to
    members' requests."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


class GlobalPacer:
    """Send slots on a virtual schedule, requests for members first.

    The generic cell rate algorithm: a slot falls due every ``interval`` and may be taken up to
    ``tolerance`` early, so a request that wakes up late, by less than the tolerance, still
    finds the next slot where it was planned. Any second then holds at most
    ``1 + (1 + tolerance) / interval`` requests, which ``interval`` makes ``per_second``."""

    def __init__(self, per_second: float = PER_SECOND, tolerance: float = TOLERANCE) -> None:
        self.tolerance = tolerance
        self.interval = (1.0 + tolerance) / (per_second - 1)
        self._next = 0.0  # when the next slot falls due
        self._background = asyncio.Lock()
        self.waited = 0.0  # seconds requests spent waiting for a slot (for benchmarks)

    def _take(self, at: float) -> None:
        """Take the slot that may be used at ``at`` (no earlier than ``_next - tolerance``)."""
        self._next = max(self._next, at) + self.interval

    async def slot(self, *, background: bool) -> None:
        """Wait for this request's turn."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        if not background:
            at = max(start, self._next - self.tolerance)
            self._take(at)
            if at > start:
                await asyncio.sleep(at - start)
        else:
            async with self._background:  # one background request waits at a time
                while True:
                    now = loop.time()
                    if now >= self._next - self.tolerance:
                        self._take(now)
                        break
                    # A member's request may take this slot meanwhile: then wait for the next.
                    await asyncio.sleep(self._next - self.tolerance - now)
        self.waited += loop.time() - start

    def connector(self) -> aiohttp.TCPConnector:
        """What ``discord.Client(connector=...)`` takes: discord.py's own default (no limit on
        connections), each request first waiting for its slot."""
        return _PacedConnector(self, limit=0)


class _PacedConnector(aiohttp.TCPConnector):
    """aiohttp's connector, asking the pacer before each request is sent (its ``connect`` is
    aiohttp's extension point for this; nothing in discord.py is touched)."""

    def __init__(self, pacer: GlobalPacer, **options: Any) -> None:
        super().__init__(**options)
        self._pacer = pacer

    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:  # noqa: ASYNC109
        if not any(part in req.url.path for part in EXEMPT):
            await self._pacer.slot(background=_BACKGROUND.get())
        return await super().connect(req, traces, timeout)
