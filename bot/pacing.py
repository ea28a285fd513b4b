"""Stay under Discord's global rate limit, and let members go first.

Discord allows a bot 50 requests per second over all routes (interaction endpoints exempt), and
counts every 429 towards a temporary ban (10,000 invalid requests in 10 minutes). discord.py
follows each route's bucket from the response headers, but learns of the global limit only from
a 429, so a fan-out of 1,000 reminder DMs (2,000 requests) would earn hundreds of them.

:class:`GlobalPacer` hands out send slots at :data:`PER_SECOND`, through aiohttp's request
connector (discord.py's documented ``connector`` option), so nothing in discord.py is patched.
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

PER_SECOND = 49  # Discord's 50, with a margin for timing jitter
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
    """Send slots at a steady rate; requests for members first."""

    def __init__(self, per_second: float = PER_SECOND) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._background = asyncio.Lock()
        self.waited = 0.0  # seconds requests spent waiting for a slot (for benchmarks)

    async def slot(self, *, background: bool) -> None:
        """Wait for this request's turn."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        if not background:
            slot = max(start, self._next)
            self._next = slot + self.interval
            if slot > start:
                await asyncio.sleep(slot - start)
        else:
            async with self._background:  # one background request waits at a time
                while True:
                    now = loop.time()
                    if self._next <= now:
                        self._next = now + self.interval
                        break
                    await asyncio.sleep(self._next - now)  # a member's request may come first
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
