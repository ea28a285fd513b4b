"""Skip discord.py's retry waits in tests, and count them as Discord time.

discord.py waits ``1 + 2 * tries`` seconds before retrying a 500, 502, 504 or 524, with real
sleeps, in ``discord/http.py`` (REST) and ``discord/webhook/async_.py`` (interaction answers and
follow-ups). A fault suite that injects hundreds of them would take minutes. Inside
:func:`skipped_retry_waits` those two modules see an ``asyncio`` whose ``sleep`` returns at once
for waits of a second or more and tells the sandbox, which adds the skipped seconds to every
pending interaction's clock (:meth:`~bot.sandbox.backend.Backend.skip`). So a deadline passes
exactly when it would on Discord, as if the bot had waited: the faults stay honest, the tests
fast. Shorter waits (a 429's ``retry_after``, which the sandbox chooses) are slept for real.

This replaces one module attribute in two discord.py modules for the duration of a test, and
nothing else: no behaviour of discord.py changes except how long it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import discord.http
import discord.webhook.async_

from bot.sandbox.backend import Backend

SKIP_FROM = 1.0  # seconds: discord.py's shortest 5xx wait
_MODULES = (discord.http, discord.webhook.async_)


class _SkippingAsyncio:
    """``asyncio`` as the two modules see it: the same, but long sleeps are skipped."""

    def __init__(self, backend: Backend, timers: float | None) -> None:
        self._backend = backend
        self._timers = timers
        self.skipped = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    def _real_part(self, delay: float) -> float:
        """How much of a wait to sleep for real: enough for the bot's own timers on unanswered
        interactions (its answer guard) to fire as they would during the whole wait."""
        if self._timers is None:
            return 0.0
        now = asyncio.get_running_loop().time()
        needed = [
            self._timers + 0.05 - (now - i.created)
            for i in self._backend.interactions.values()
            if not i.answered and not i.failed
        ]
        return min(delay, max([0.0, *needed]))

    async def sleep(self, delay: float, result: Any = None) -> Any:
        if delay < SKIP_FROM:
            return await asyncio.sleep(delay, result)
        real = self._real_part(delay)
        await asyncio.sleep(real)
        self.skipped += delay - real
        self._backend.skip(delay - real)
        return result


@contextlib.contextmanager
def skipped_retry_waits(
    backend: Backend, *, bot_timers: float | None = None
) -> Iterator[_SkippingAsyncio]:
    """Within: discord.py's waits of a second or more are skipped and counted as Discord time.

    ``bot_timers``: the bot acts on its own after this many seconds of an unanswered
    interaction (s3cop defers it: bot.answering.DEFER_AFTER). A skipped wait first lets real
    time run up to that point, so the bot's timer fires when it would have during the wait,
    never earlier in Discord time (a test can only be stricter than Discord, not kinder).
    """
    proxy = _SkippingAsyncio(backend, bot_timers)
    saved: list[tuple[ModuleType, Any]] = [(m, m.asyncio) for m in _MODULES]
    for module, _original in saved:
        module.asyncio = proxy  # type: ignore[attr-defined]
    try:
        yield proxy
    finally:
        for module, original in saved:
            module.asyncio = original  # type: ignore[attr-defined]
