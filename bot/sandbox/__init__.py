"""A local Discord for tests, the demo and the prompt: REST v10 and the gateway on 127.0.0.1.

The unmodified discord.py client connects to it after ``bot.discord_urls.point_discord_at``.
Layers, moto-style: ``models`` (state), ``permissions``, ``limits`` (every Discord limit),
``errors`` (Discord's JSON errors), ``backend`` (the rules and the events they send), ``rest``
(handlers and route table), ``gateway`` (the websocket), ``faults`` (429/5xx/reconnects on
demand), ``server`` (:class:`Sandbox`), ``driver`` (acting as a member) and ``render`` (text).
"""
