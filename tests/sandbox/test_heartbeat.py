"""Heartbeats: the sandbox answers like Discord, a network away, so discord.py's latency is
measured from the heartbeat it answers (no "Can't keep up ... 41.3s behind" after a pause)."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from bot.sandbox import gateway
from bot.sandbox.server import Sandbox


async def test_a_heartbeat_is_answered_a_network_delay_later() -> None:
    """discord.py notes when it sent a heartbeat only after the send returns: an answer
    handled before that is measured from the previous heartbeat, one interval earlier."""
    async with Sandbox() as sandbox, aiohttp.ClientSession() as http:
        url = sandbox.gateway_url + "?v=10&encoding=json"
        async with http.ws_connect(url) as ws:
            hello = json.loads((await ws.receive()).data)
            assert hello["op"] == 10
            loop = asyncio.get_running_loop()
            sent = loop.time()
            await ws.send_str(json.dumps({"op": 1, "d": None}))
            ack = json.loads((await asyncio.wait_for(ws.receive(), 5)).data)
            waited = loop.time() - sent
    assert ack["op"] == 11
    assert waited >= gateway.HEARTBEAT_ACK_DELAY
