"""Discord's rate limits, as its documentation describes them.

* **Per-route buckets.** Each route (method and path, per major parameter: the channel, the
  guild, the webhook) has a bucket of ``limit`` requests per ``per`` seconds. Every answer carries
  ``X-RateLimit-Limit``, ``-Remaining``, ``-Reset``, ``-Reset-After`` and ``-Bucket``; a request
  past the limit gets 429 with ``retry_after`` and ``X-RateLimit-Scope: user``.
* **The global limit.** 50 requests per second per bot, over all routes; interaction endpoints
  (the callback and the interaction's webhook) are exempt. Past it: 429 with ``global: true``.
* **Invalid requests.** 401, 403 and 429 answers count against 10,000 per 10 minutes, after which
  Discord bans the IP for a while. The sandbox counts them in a sliding window;
  :meth:`RateLimits.check_invalid` fails a test that comes near (a tenth of the ban in one test
  run would be the ban within minutes in production).

Discord does not publish each route's numbers; :data:`ROUTE_LIMITS` holds the ones bots commonly
observe (5 messages per 5 s per channel) and :data:`DEFAULT_LIMIT` the rest. Enforcement is on
for ``s3cop sandbox --serve`` and the benchmarks, and off by default in tests so a test posting a
few messages to one channel does not wait 5 s; invalid requests are counted always.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

GLOBAL_PER_SECOND = 50
INVALID_LIMIT = 10_000
INVALID_WINDOW = 600.0  # seconds
INVALID_NEAR = INVALID_LIMIT // 10
# (method, route template) -> (limit, per seconds); the template's first parameter is the major one.
ROUTE_LIMITS: dict[tuple[str, str], tuple[int, float]] = {
    ("POST", "/channels/{channel_id}/messages"): (5, 5.0),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): (5, 5.0),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}"): (5, 5.0),
    ("POST", "/guilds/{guild_id}/scheduled-events"): (10, 10.0),
    ("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}"): (10, 10.0),
}
DEFAULT_LIMIT = (50, 1.0)
EXEMPT_FROM_GLOBAL = ("/interactions/", "/webhooks/")


class InvalidRequestsNearBan(AssertionError):
    """The bot made so many 401/403/429 requests that Discord would soon ban it."""


@dataclass
class Bucket:
    """One bucket: how many requests are left until it resets."""

    limit: int
    per: float
    remaining: int
    resets_at: float
    name: str


def _json_429(retry_after: float, *, is_global: bool, headers: dict[str, str]) -> web.Response:
    body = {
        "message": "You are being rate limited.",
        "retry_after": round(retry_after, 3),
        "global": is_global,
    }
    headers = headers | {
        "Content-Type": "application/json",
        "Via": "1.1 google",  # without it discord.py takes a 429 for a Cloudflare ban
        "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)


class RateLimits:
    """Buckets, the global limit and the invalid-request count for one bot."""

    def __init__(self, *, enabled: bool = False, now: Callable[[], float] = time.monotonic):
        self.enabled = enabled
        self._now = now
        self._buckets: dict[tuple[str, str, str], Bucket] = {}
        self._global_window = 0.0
        self._global_count = 0
        self._invalid: deque[float] = deque()
        self.limited = 0  # 429s answered (route and global)
        self.global_limited = 0

    # -- before a request ---------------------------------------------------------------------

    def take(
        self, method: str, template: str, major: str, path: str
    ) -> tuple[web.Response | None, dict[str, str]]:
        """Count a request: a 429 to answer instead, or the headers its answer carries."""
        if not self.enabled:
            return None, {}
        now = self._now()
        if not path.startswith(EXEMPT_FROM_GLOBAL):
            if now - self._global_window >= 1.0:
                self._global_window, self._global_count = now, 0
            if self._global_count >= GLOBAL_PER_SECOND:
                self.limited += 1
                self.global_limited += 1
                retry = 1.0 - (now - self._global_window)
                return _json_429(retry, is_global=True, headers={}), {}
            self._global_count += 1
        bucket = self._bucket(method, template, major, now)
        headers = self._headers(bucket, now)
        if bucket.remaining <= 0:
            self.limited += 1
            return _json_429(bucket.resets_at - now, is_global=False, headers=headers), {}
        bucket.remaining -= 1
        return None, self._headers(bucket, now)

    def _bucket(self, method: str, template: str, major: str, now: float) -> Bucket:
        key = (method, template, major)
        bucket = self._buckets.get(key)
        if bucket is None or now >= bucket.resets_at:
            limit, per = ROUTE_LIMITS.get((method, template), DEFAULT_LIMIT)
            name = hashlib.blake2b(f"{method} {template}".encode(), digest_size=8).hexdigest()
            bucket = Bucket(limit, per, limit, now + per, name)
            self._buckets[key] = bucket
        return bucket

    def _headers(self, bucket: Bucket, now: float) -> dict[str, str]:
        reset_after = max(bucket.resets_at - now, 0.0)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(bucket.remaining, 0)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket.name,
        }

    # -- after a request ----------------------------------------------------------------------

    def answered(self, status: int) -> None:
        """Count an invalid request (401, 403, 429), whoever produced it."""
        if status in (401, 403, 429):
            now = self._now()
            self._invalid.append(now)
            while self._invalid and now - self._invalid[0] > INVALID_WINDOW:
                self._invalid.popleft()

    @property
    def invalid_requests(self) -> int:
        """401, 403 and 429 answers in the last 10 minutes."""
        now = self._now()
        while self._invalid and now - self._invalid[0] > INVALID_WINDOW:
            self._invalid.popleft()
        return len(self._invalid)

    def check_invalid(self) -> None:
        """Fail when the bot came near Discord's ban for invalid requests."""
        if self.invalid_requests >= INVALID_NEAR:
            raise InvalidRequestsNearBan(
                f"{self.invalid_requests} invalid requests (401/403/429) in 10 minutes: "
                f"Discord bans at {INVALID_LIMIT}"
            )
