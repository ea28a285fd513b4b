"""The bot's small HTTP server: ``/healthz`` and whatever routes features add (calendar feeds)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from db import health

if TYPE_CHECKING:
    from bot.client import S3Bot

log = logging.getLogger(__name__)


class WebServer:
    """An aiohttp app that features add routes to before it starts."""

    def __init__(self, bot: S3Bot, host: str, port: int) -> None:
        self.bot = bot
        self.host = host
        self.port = port
        self.app = web.Application()
        self.app.router.add_get("/healthz", self.healthz)
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None

    def add_get(
        self, path: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> None:
        """Features add their routes here before the server starts."""
        self.app.router.add_get(path, handler)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        # The runner's public list of bound addresses: with port 0 the system picked one.
        addresses = self._runner.addresses
        self.bound_port = int(addresses[0][1]) if addresses else self.port
        log.info("web server listening on %s:%s", self.host, self.bound_port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        """Gateway connected, database writable (proved by writing the check's own row, never
        a feature's table), and how many actions wait."""
        gateway = self.bot.is_ready() and not self.bot.is_closed()
        try:
            await self.bot.db.write(health.record_check, self.bot.clock.now())
            database = True
        except Exception:
            log.exception("health check: database not writable")
            database = False
        pending = await self.bot.scheduler.pending() if database else None
        ok = gateway and database
        return web.json_response(
            {"ok": ok, "gateway": gateway, "database": database, "pending_actions": pending},
            status=200 if ok else 503,
        )
