"""Point the unmodified discord.py client at Discord or at any Discord-compatible server.

This is the one sanctioned change to discord.py's globals: the REST base URL and the gateway URL.
Everything else in the client stays as shipped.
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"


def point_discord_at(api_base: str, gateway_url: str) -> None:
    """Send REST calls to ``api_base`` (ending in /api/v10), open the gateway at ``gateway_url``."""
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
