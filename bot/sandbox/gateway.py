"""The gateway websocket: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, member chunks.

Events from :class:`~bot.sandbox.backend.Backend` are numbered per session and kept, so a client
that resumes (after op 7, op 9 true or a dropped connection) gets what it missed, as on Discord.
Frames are sent as plain JSON text: discord.py only decompresses binary frames. One writer task per
connection keeps events in order; :meth:`Gateway.flush` lets a REST answer wait until the events it
caused are on the wire, so the bot's cache is updated before its REST call returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.sandbox.backend import Backend

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41_250
# Discord's answer to a heartbeat crosses the network, so it comes milliseconds later at the
# least, and discord.py relies on that: its heartbeat thread notes the time of sending only
# after the send has returned. An answer from a server in the same process can be handled
# before that note, and is then measured from the previous heartbeat ("Can't keep up, ...
# websocket is 41.3s behind", one heartbeat interval). The sandbox answers as late as a near
# Discord would.
HEARTBEAT_ACK_DELAY = 0.05
REPLAY_LIMIT = 10_000
MESSAGE_CONTENT_INTENT = 1 << 15
GUILD_MESSAGE_POLLS_INTENT = 1 << 24
DIRECT_MESSAGE_POLLS_INTENT = 1 << 25


class Connection:
    """One websocket and the task that writes its frames in order."""

    def __init__(self, ws: web.WebSocketResponse, transport: asyncio.Transport | None) -> None:
        self.ws = ws
        self.transport = transport
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.writer = asyncio.create_task(self._write())

    def send(self, payload: dict[str, Any] | str) -> None:
        """Queue a frame; it is written after every frame queued before it."""
        self.queue.put_nowait(payload if isinstance(payload, str) else json.dumps(payload))

    async def _write(self) -> None:
        while True:
            frame = await self.queue.get()
            try:
                if not self.ws.closed:
                    await self.ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                log.debug("gateway frame dropped: connection closing")
            finally:
                self.queue.task_done()

    async def close(self) -> None:
        """Stop writing; frames still queued are dropped (the session keeps them for RESUME)."""
        self.writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.writer
        while not self.queue.empty():
            self.queue.get_nowait()
            self.queue.task_done()


@dataclass
class Session:
    """A gateway session: its id, sequence, intents and the events kept for RESUME."""

    id: str
    intents: int
    seq: int = 0
    sent: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_LIMIT))
    connection: Connection | None = None


class Gateway:
    """Serves the bot's gateway connection and turns backend changes into dispatches."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.url = ""
        self.session: Session | None = None
        self.identifies = 0
        self.resumes = 0
        self._connections: set[Connection] = set()
        backend.dispatch = self.publish

    @property
    def connected(self) -> bool:
        """True while an identified or resumed session has a live websocket."""
        return self.session is not None and self.session.connection is not None

    # ------------------------------------------------------------------ dispatch

    def publish(self, event: str, data: dict[str, Any]) -> None:
        """Number the event in the current session, keep it for RESUME and send it if connected."""
        session = self.session
        if session is None:
            return
        if event.startswith("MESSAGE_POLL_VOTE_"):
            wanted = (
                GUILD_MESSAGE_POLLS_INTENT if "guild_id" in data else DIRECT_MESSAGE_POLLS_INTENT
            )
            if not session.intents & wanted:
                return  # Discord sends poll votes only to sessions that asked for them
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            data = self.backend.as_bot_reads(
                data, content_intent=bool(session.intents & MESSAGE_CONTENT_INTENT)
            )
        frame = self._dispatch_frame(session, event, data)
        if session.connection is not None:
            session.connection.send(frame)

    async def flush(self, limit: float = 2.0) -> None:
        """Wait until queued frames are written, so REST answers follow their events."""
        session = self.session
        if session is None or session.connection is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(session.connection.queue.join(), limit)

    # ------------------------------------------------------------------ faults

    def request_reconnect(self) -> None:
        """Op 7: the client closes and resumes."""
        if self.session is not None and self.session.connection is not None:
            self.session.connection.send({"op": 7, "d": None})

    def invalidate_session(self, *, resumable: bool) -> None:
        """Op 9: resumable -> the client resumes; not -> the session is gone, it identifies."""
        session = self.session
        if session is None or session.connection is None:
            return
        session.connection.send({"op": 9, "d": resumable})
        if not resumable:
            self.session = None

    def drop_connection(self) -> None:
        """Cut the TCP connection without a close frame; the client resumes."""
        session = self.session
        if session is not None and session.connection is not None:
            connection = session.connection
            session.connection = None
            if connection.transport is not None:
                connection.transport.abort()

    async def close(self) -> None:
        """Close every websocket (server shutdown)."""
        for connection in list(self._connections):
            await connection.close()
            await connection.ws.close(code=1001)

    # ------------------------------------------------------------------ the websocket

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """GET /gateway: the websocket endpoint (``?v=10&encoding=json&compress=...``)."""
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        transport = request.transport
        connection = Connection(ws, transport if isinstance(transport, asyncio.Transport) else None)
        self._connections.add(connection)
        connection.send(
            {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_payload(connection, json.loads(msg.data))
        finally:
            if self.session is not None and self.session.connection is connection:
                self.session.connection = None
            self._connections.discard(connection)
            await connection.close()
            self.backend.emit(None)
        return ws

    async def _on_payload(self, connection: Connection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            ack = {"op": 11, "s": None, "t": None, "d": None}
            asyncio.get_running_loop().call_later(HEARTBEAT_ACK_DELAY, connection.send, ack)
        elif op == 2:
            await self._identify(connection, data or {})
        elif op == 6:
            await self._resume(connection, data or {})
        elif op == 8:
            self._chunk(connection, data or {})

    def _dispatch_frame(self, session: Session, event: str, data: dict[str, Any]) -> str:
        """Number an event in the session and keep it for RESUME."""
        session.seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": session.seq, "d": data})
        session.sent.append((session.seq, frame))
        return frame

    async def _identify(self, connection: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.backend.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        if self.session is not None and self.session.connection not in (None, connection):
            old = self.session.connection
            assert old is not None
            await old.ws.close(code=4009, message=b"Session replaced.")
        session = Session(secrets.token_hex(16), int(data.get("intents") or 0))
        session.connection = connection
        self.session = session
        self.backend.content_intent = bool(session.intents & MESSAGE_CONTENT_INTENT)
        backend = self.backend
        guilds = [g for g in backend.guilds.values() if backend.bot_user.id in g.members]
        ready: dict[str, Any] = {
            "v": 10,
            "user": backend.bot_user.payload()
            | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(backend.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
        }
        if data.get("shard") is not None:
            ready["shard"] = data["shard"]
        connection.send(self._dispatch_frame(session, "READY", ready))
        for guild in guilds:
            connection.send(
                self._dispatch_frame(session, "GUILD_CREATE", guild.payload(backend.users))
            )
        self.identifies += 1
        backend.emit(None)

    async def _resume(self, connection: Connection, data: dict[str, Any]) -> None:
        session = self.session
        if (
            session is None
            or data.get("session_id") != session.id
            or data.get("token") != self.backend.token
        ):
            connection.send({"op": 9, "s": None, "t": None, "d": False})
            return
        if session.connection is not None and session.connection is not connection:
            await session.connection.ws.close(code=4009)
        session.connection = connection
        last = int(data.get("seq") or 0)
        for seq, frame in session.sent:
            if seq > last:
                connection.send(frame)
        connection.send(self._dispatch_frame(session, "RESUMED", {}))
        self.resumes += 1
        self.backend.emit(None)

    def _chunk(self, connection: Connection, data: dict[str, Any]) -> None:
        session = self.session
        if session is None or session.connection is not connection:
            return
        guild_ids = data.get("guild_id")
        for guild_id in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = self.backend.guilds.get(int(guild_id or 0))
            if guild is None:
                continue
            members = list(guild.members.values())
            if data.get("user_ids"):
                wanted = {int(u) for u in data["user_ids"]}
                members = [m for m in members if m.user.id in wanted]
            elif data.get("query"):
                query = str(data["query"]).lower()
                members = [m for m in members if m.user.name.lower().startswith(query)]
            if data.get("limit"):
                members = members[: int(data["limit"])]
            chunk = {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in members],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            connection.send(self._dispatch_frame(session, "GUILD_MEMBERS_CHUNK", chunk))
