"""Faults on demand: rate limits, server errors, gateway reconnects and dropped connections.

HTTP faults apply to the next ``count`` requests matching a route pattern such as
``"POST /channels/*/messages"`` (``fnmatch`` on ``METHOD /path`` below /api/v10; ``None`` matches
every route). A 429 carries Discord's headers, ``Via`` included (without it discord.py takes it for
a Cloudflare ban and raises). discord.py retries 500/502/504 itself, sleeping 1 + 2*tries seconds
with real sleeps, so inject one server error at a time: each costs about a second of test time.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass

from aiohttp import web

from bot.sandbox.gateway import Gateway


@dataclass
class HttpFault:
    """One armed HTTP fault: ``status`` 429 (with ``retry_after``) or 5xx."""

    pattern: str | None
    status: int
    count: int
    retry_after: float = 0.0
    is_global: bool = False
    after: bool = False  # the request is carried out first, then its answer is lost

    def matches(self, method: str, path: str) -> bool:
        """Whether ``METHOD /path`` falls under this fault's pattern."""
        return self.pattern is None or fnmatch.fnmatchcase(f"{method} {path}", self.pattern)

    def response(self) -> web.Response:
        """The response Discord (or its edge) would send."""
        headers = {"Content-Type": "application/json", "Via": "1.1 google"}
        if self.status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
            headers |= {
                "Retry-After": str(max(1, round(self.retry_after))),
                "X-RateLimit-Scope": "global" if self.is_global else "user",
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
        else:
            body = {"message": f"{self.status}: Server Error", "code": 0}
        return web.Response(status=self.status, body=json.dumps(body).encode(), headers=headers)


class Faults:
    """Arms faults for REST calls and the gateway; used by tests and the demo."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway
        self._http: list[HttpFault] = []
        self.injected = 0

    def rate_limit(
        self,
        route: str | None = None,
        *,
        count: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """The next ``count`` matching requests get 429 with ``retry_after`` seconds."""
        self._http.append(HttpFault(route, 429, count, retry_after, is_global))

    def server_error(self, route: str | None = None, *, status: int = 500, count: int = 1) -> None:
        """The next ``count`` matching requests get a 5xx (each retry costs discord.py >= 1 s)."""
        if status < 500:
            raise ValueError("server_error needs a 5xx status")
        self._http.append(HttpFault(route, status, count))

    def lost_answer(self, route: str | None = None, *, status: int = 500, count: int = 1) -> None:
        """The next ``count`` matching requests are carried out, then answered with a 5xx, as
        when Discord's edge times out after the change was made: discord.py retries (after
        about a second), and a client that is not careful makes the change twice."""
        if status < 500:
            raise ValueError("lost_answer needs a 5xx status")
        self._http.append(HttpFault(route, status, count, after=True))

    def take(self, method: str, path: str, *, after: bool = False) -> web.Response | None:
        """The fault response for this request, if one is armed (and use it up); ``after``
        asks for the faults that strike once the request was carried out."""
        for fault in self._http:
            if fault.after == after and fault.matches(method, path):
                fault.count -= 1
                if fault.count <= 0:
                    self._http.remove(fault)
                self.injected += 1
                return fault.response()
        return None

    def gateway_reconnect(self) -> None:
        """Send op 7 Reconnect: the bot closes and resumes."""
        self._gateway.request_reconnect()

    def invalid_session(self, *, resumable: bool) -> None:
        """Send op 9 Invalid Session: resumable -> RESUME, otherwise a fresh IDENTIFY."""
        self._gateway.invalidate_session(resumable=resumable)

    def drop_connection(self) -> None:
        """Cut the gateway's TCP connection abruptly (no close frame): the bot resumes."""
        self._gateway.drop_connection()
