"""REST v10 handlers and the route table: parse the request, call the backend, serialise.

No rules live here. The middleware turns :class:`~bot.sandbox.errors.DiscordError` into Discord's
JSON error bodies, checks the bot token, applies injected faults, and holds each answer until the
gateway events it caused are written (so discord.py's cache is current when its REST call returns).
JSON answers carry ``Content-Type: application/json`` exactly: with a charset, discord.py would
hand its caller a str.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox import errors
from bot.sandbox.backend import Backend, SeenRequest, UploadedFile
from bot.sandbox.faults import Faults
from bot.sandbox.gateway import Gateway
from bot.sandbox.models import Message
from bot.sandbox.ratelimits import RateLimits

log = logging.getLogger(__name__)

API = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NO_AUTH = ("/interactions/", "/webhooks/")
FILE_FIELD = re.compile(r"files\[(\d+)\]")


def json_response(body: Any, status: int = 200) -> web.Response:
    """A JSON answer with Discord's exact content type."""
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )


def no_content() -> web.Response:
    """204, as Discord answers deletes and role changes."""
    return web.Response(status=204)


async def read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """JSON body, or multipart ``payload_json`` plus ``files[n]`` parts."""
    if request.content_type == "multipart/form-data":
        payload: Any = {}
        files: list[UploadedFile] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if name == "payload_json":
                payload = json.loads(await part.text())
            elif match := FILE_FIELD.fullmatch(name):
                data = await part.read()
                files.append(
                    UploadedFile(
                        int(match.group(1)),
                        part.filename or name,
                        bytes(data),
                        part.headers.get("Content-Type"),
                    )
                )
        return payload, files
    if not request.can_read_body:
        return {}, []
    try:
        return await request.json(), []
    except json.JSONDecodeError:
        raise errors.DiscordError(message="The request body contains invalid JSON.") from None


def snowflake(request: web.Request, key: str) -> int:
    """A path parameter as an id; a non-number is Discord's 404."""
    try:
        return int(request.match_info[key])
    except ValueError:
        raise errors.NotFound from None


class RestApi:
    """The handlers, bound to one backend and gateway."""

    def __init__(
        self, backend: Backend, gateway: Gateway, faults: Faults, limits: RateLimits
    ) -> None:
        self.backend = backend
        self.gateway = gateway
        self.faults = faults
        self.limits = limits

    # ------------------------------------------------------------------ middlewares

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Write each answer here, so waiters know it is on the wire when ``in_flight`` drops."""
        if request.path == "/gateway":
            return await handler(request)
        self.backend.in_flight += 1
        try:
            response = await self._answer(request, handler)
            self.limits.answered(response.status)
            await response.prepare(request)
            await response.write_eof()
            return response
        finally:
            self.backend.in_flight -= 1
            self.backend.emit(None)

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Faults, the bot token, Discord's JSON errors, and events sent before the answer."""
        try:
            if not request.path.startswith(API + "/"):
                return await handler(request)
            path = request.path[len(API) :]
            resource = request.match_info.route.resource
            route = None
            if resource is not None:  # "/channels/{channel_id}" -> "POST /channels/*"
                pattern = re.sub(r"{[^}]+}", "*", resource.canonical[len(API) :])
                route = f"{request.method} {pattern}"
            self.backend.requests.append(SeenRequest(request.method, path, route))
            fault = self.faults.take(request.method, path)
            if fault is not None:
                return fault
            limited, limit_headers = self._rate_limit(request, path)
            if limited is not None:
                return limited
            self.backend.end_polls()  # what fell due while the clock moved, before the answer
            authorized = request.headers.get("Authorization") == f"Bot {self.backend.token}"
            if not authorized and not path.startswith(NO_AUTH):
                raise errors.Unauthorized
            response = await handler(request)
            if request.method != "GET":
                await self.gateway.flush()
            response.headers.update(limit_headers)
            return self.faults.take(request.method, path, after=True) or response
        except errors.DiscordError as exc:
            return json_response(exc.body(), exc.status)
        except web.HTTPNotFound:
            return json_response(errors.NotFound().body(), 404)
        except web.HTTPMethodNotAllowed:
            return json_response({"message": "405: Method Not Allowed", "code": 0}, 405)
        except Exception as exc:
            # A sandbox bug: answer 400 (a 5xx would make discord.py retry with sleeps) and log it.
            log.exception("sandbox failed on %s %s", request.method, request.path)
            return json_response({"message": f"sandbox bug: {exc!r}", "code": 0}, 400)

    def _rate_limit(
        self, request: web.Request, path: str
    ) -> tuple[web.Response | None, dict[str, str]]:
        """Discord's buckets and global limit for this request (bot/sandbox/ratelimits.py)."""
        resource = request.match_info.route.resource
        if resource is None:
            return None, {}
        template = resource.canonical[len(API) :]
        params = request.match_info
        majors = ("channel_id", "guild_id", "token", "application_id")
        major = next((params[k] for k in majors if k in params), "")
        return self.limits.take(request.method, template, major, path)

    # ------------------------------------------------------------------ identity

    async def get_me(self, request: web.Request) -> web.Response:
        """GET /users/@me."""
        return json_response(
            self.backend.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0}
        )

    async def get_user(self, request: web.Request) -> web.Response:
        """GET /users/{uid}."""
        user = self.backend.users.get(snowflake(request, "user_id"))
        if user is None:
            raise errors.UnknownUser
        return json_response(user.payload())

    async def get_application(self, request: web.Request) -> web.Response:
        """GET /oauth2/applications/@me."""
        backend = self.backend
        return json_response(
            {
                "id": str(backend.application_id),
                "name": backend.bot_user.name,
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": backend.bot_user.payload(),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "rpc_origins": [],
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        """GET /gateway and /gateway/bot."""
        body: dict[str, Any] = {"url": self.gateway.url}
        if request.path.endswith("/bot"):
            body |= {
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        return json_response(body)

    # ------------------------------------------------------------------ commands

    def _command_scope(self, request: web.Request) -> int | None:
        if snowflake(request, "application_id") != self.backend.application_id:
            raise errors.MissingAccess
        return snowflake(request, "guild_id") if "guild_id" in request.match_info else None

    async def put_commands(self, request: web.Request) -> web.Response:
        """PUT /applications/{app}[/guilds/{gid}]/commands (bulk overwrite)."""
        scope = self._command_scope(request)
        payload, _ = await read_body(request)
        commands = self.backend.overwrite_commands(scope, payload)
        return json_response([c.payload() for c in commands])

    async def post_command(self, request: web.Request) -> web.Response:
        """POST /applications/{app}[/guilds/{gid}]/commands (upsert one)."""
        scope = self._command_scope(request)
        payload, _ = await read_body(request)
        return json_response(self.backend.upsert_command(scope, payload).payload(), 201)

    async def get_commands(self, request: web.Request) -> web.Response:
        """GET /applications/{app}[/guilds/{gid}]/commands."""
        scope = self._command_scope(request)
        return json_response([c.payload() for c in self.backend.list_commands(scope)])

    # ------------------------------------------------------------------ interactions

    async def callback(self, request: web.Request) -> web.Response:
        """POST /interactions/{id}/{token}/callback."""
        body, files = await read_body(request)
        answer = self.backend.respond(
            snowflake(request, "interaction_id"), request.match_info["token"], body, files
        )
        if request.query.get("with_response") in ("1", "true", "True"):
            return json_response(answer)
        return no_content()

    def _message(self, msg: Message) -> web.Response:
        return json_response(self.backend.message_payload(msg))

    def _as_read(self, msg: Message) -> dict[str, Any]:
        """A message the bot reads back, blank without the message content intent."""
        backend = self.backend
        return backend.as_bot_reads(
            backend.message_payload(msg), content_intent=backend.content_intent
        )

    async def post_followup(self, request: web.Request) -> web.Response:
        """POST /webhooks/{app}/{token}?wait=1."""
        payload, files = await read_body(request)
        msg = self.backend.followup(
            snowflake(request, "application_id"), request.match_info["token"], payload, files
        )
        if request.query.get("wait") in ("1", "true", "True"):
            return self._message(msg)
        return no_content()

    def _webhook_message(self, request: web.Request) -> Message:
        return self.backend.webhook_message(
            snowflake(request, "application_id"),
            request.match_info["token"],
            request.match_info["message_id"],
        )

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        """GET /webhooks/{app}/{token}/messages/{id|@original}."""
        return self._message(self._webhook_message(request))

    async def patch_webhook_message(self, request: web.Request) -> web.Response:
        """PATCH /webhooks/{app}/{token}/messages/{id|@original}."""
        msg = self._webhook_message(request)
        payload, files = await read_body(request)
        self.backend.apply_edit(msg, payload, files)
        return self._message(msg)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        """DELETE /webhooks/{app}/{token}/messages/{id|@original}."""
        self.backend.remove_message(self._webhook_message(request))
        return no_content()

    # ------------------------------------------------------------------ channels and messages

    async def get_channel(self, request: web.Request) -> web.Response:
        """GET /channels/{cid}."""
        channel = self.backend.channel(snowflake(request, "channel_id"))
        if channel.guild_id is not None:
            guild = self.backend.guild(channel.guild_id)
            self.backend.require(guild, 0, channel)
        return json_response(channel.payload(self.backend.users))

    async def patch_channel(self, request: web.Request) -> web.Response:
        """PATCH /channels/{cid}."""
        payload, _ = await read_body(request)
        channel = self.backend.edit_channel(snowflake(request, "channel_id"), payload)
        return json_response(channel.payload())

    async def delete_channel(self, request: web.Request) -> web.Response:
        """DELETE /channels/{cid}."""
        channel = self.backend.delete_channel(snowflake(request, "channel_id"))
        return json_response(channel.payload())

    async def put_permission(self, request: web.Request) -> web.Response:
        """PUT /channels/{cid}/permissions/{oid}."""
        payload, _ = await read_body(request)
        self.backend.set_overwrite(
            snowflake(request, "channel_id"),
            snowflake(request, "overwrite_id"),
            payload,
            checked=True,
        )
        return no_content()

    async def delete_permission(self, request: web.Request) -> web.Response:
        """DELETE /channels/{cid}/permissions/{oid}."""
        self.backend.set_overwrite(
            snowflake(request, "channel_id"), snowflake(request, "overwrite_id"), None, checked=True
        )
        return no_content()

    async def post_message(self, request: web.Request) -> web.Response:
        """POST /channels/{cid}/messages (JSON or multipart with files)."""
        payload, files = await read_body(request)
        msg = self.backend.create_message(snowflake(request, "channel_id"), payload, files)
        return self._message(msg)

    async def get_messages(self, request: web.Request) -> web.Response:
        """GET /channels/{cid}/messages?limit&before&after."""
        query = request.query
        found = self.backend.list_messages(
            snowflake(request, "channel_id"),
            limit=min(int(query.get("limit", 50)), 100),
            before=int(query["before"]) if "before" in query else None,
            after=int(query["after"]) if "after" in query else None,
        )
        return json_response([self._as_read(m) for m in found])

    async def get_message(self, request: web.Request) -> web.Response:
        """GET /channels/{cid}/messages/{mid}."""
        channel = self.backend.readable(snowflake(request, "channel_id"))
        msg = self.backend.message(channel, snowflake(request, "message_id"))
        if msg.ephemeral:
            raise errors.UnknownMessage
        return json_response(self._as_read(msg))

    async def expire_poll(self, request: web.Request) -> web.Response:
        """POST /channels/{cid}/polls/{mid}/expire."""
        msg = self.backend.expire_poll(
            snowflake(request, "channel_id"), snowflake(request, "message_id")
        )
        return json_response(self._as_read(msg))

    async def get_poll_voters(self, request: web.Request) -> web.Response:
        """GET /channels/{cid}/polls/{mid}/answers/{aid}?after=&limit= (default 25)."""
        try:
            after = int(request.query.get("after", 0))
            limit = int(request.query.get("limit", 25))
        except ValueError:
            coerce = {"_errors": [{"code": "NUMBER_TYPE_COERCE"}]}
            raise errors.InvalidFormBody({"limit": coerce}) from None
        users = self.backend.poll_voters(
            snowflake(request, "channel_id"),
            snowflake(request, "message_id"),
            int(request.match_info["answer_id"]),
            after=after,
            limit=limit,
        )
        return json_response({"users": [u.payload() for u in users]})

    async def patch_message(self, request: web.Request) -> web.Response:
        """PATCH /channels/{cid}/messages/{mid}."""
        payload, files = await read_body(request)
        msg = self.backend.edit_message(
            snowflake(request, "channel_id"), snowflake(request, "message_id"), payload, files
        )
        return self._message(msg)

    async def delete_message(self, request: web.Request) -> web.Response:
        """DELETE /channels/{cid}/messages/{mid}."""
        self.backend.delete_message(
            snowflake(request, "channel_id"), snowflake(request, "message_id")
        )
        return no_content()

    async def put_reaction(self, request: web.Request) -> web.Response:
        """PUT /channels/{cid}/messages/{mid}/reactions/{emoji}/@me."""
        self.backend.react(
            snowflake(request, "channel_id"),
            snowflake(request, "message_id"),
            request.match_info["emoji"],
            add=True,
        )
        return no_content()

    async def delete_reaction(self, request: web.Request) -> web.Response:
        """DELETE /channels/{cid}/messages/{mid}/reactions/{emoji}/@me."""
        self.backend.react(
            snowflake(request, "channel_id"),
            snowflake(request, "message_id"),
            request.match_info["emoji"],
            add=False,
        )
        return no_content()

    async def post_thread(self, request: web.Request) -> web.Response:
        """POST /channels/{cid}/threads and /channels/{cid}/messages/{mid}/threads."""
        payload, _ = await read_body(request)
        message_id = (
            snowflake(request, "message_id") if "message_id" in request.match_info else None
        )
        thread = self.backend.create_thread(snowflake(request, "channel_id"), payload, message_id)
        return json_response(thread.payload(), 201)

    async def put_thread_member(self, request: web.Request) -> web.Response:
        """PUT /channels/{tid}/thread-members/{uid|@me}."""
        raw = request.match_info["user_id"]
        user_id = self.backend.bot_user.id if raw == "@me" else snowflake(request, "user_id")
        self.backend.add_thread_member(snowflake(request, "channel_id"), user_id)
        return no_content()

    # ------------------------------------------------------------------ guilds

    async def get_guild(self, request: web.Request) -> web.Response:
        """GET /guilds/{gid}."""
        guild = self.backend.guild(snowflake(request, "guild_id"))
        return json_response(guild.payload(self.backend.users))

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        """GET /guilds/{gid}/channels."""
        guild = self.backend.guild(snowflake(request, "guild_id"))
        return json_response([c.payload() for c in guild.channels.values() if not c.is_thread])

    async def post_guild_channel(self, request: web.Request) -> web.Response:
        """POST /guilds/{gid}/channels."""
        payload, _ = await read_body(request)
        channel = self.backend.create_channel(snowflake(request, "guild_id"), payload)
        return json_response(channel.payload(), 201)

    async def get_roles(self, request: web.Request) -> web.Response:
        """GET /guilds/{gid}/roles."""
        guild = self.backend.guild(snowflake(request, "guild_id"))
        return json_response([r.payload() for r in guild.roles.values()])

    async def post_role(self, request: web.Request) -> web.Response:
        """POST /guilds/{gid}/roles."""
        payload, _ = await read_body(request)
        role = self.backend.create_role(snowflake(request, "guild_id"), payload)
        return json_response(role.payload())

    async def patch_role(self, request: web.Request) -> web.Response:
        """PATCH /guilds/{gid}/roles/{rid}."""
        payload, _ = await read_body(request)
        role = self.backend.edit_role(
            snowflake(request, "guild_id"), snowflake(request, "role_id"), payload
        )
        return json_response(role.payload())

    async def patch_roles(self, request: web.Request) -> web.Response:
        """PATCH /guilds/{gid}/roles: positions."""
        payload, _ = await read_body(request)
        roles = self.backend.move_roles(snowflake(request, "guild_id"), list(payload or []))
        return json_response([r.payload() for r in roles])

    async def patch_guild_channels(self, request: web.Request) -> web.Response:
        """PATCH /guilds/{gid}/channels: positions and parents."""
        payload, _ = await read_body(request)
        self.backend.move_channels(snowflake(request, "guild_id"), list(payload or []))
        return no_content()

    async def delete_role(self, request: web.Request) -> web.Response:
        """DELETE /guilds/{gid}/roles/{rid}."""
        self.backend.delete_role(snowflake(request, "guild_id"), snowflake(request, "role_id"))
        return no_content()

    async def put_member_role(self, request: web.Request) -> web.Response:
        """PUT /guilds/{gid}/members/{uid}/roles/{rid}."""
        self.backend.change_member_role(
            snowflake(request, "guild_id"),
            snowflake(request, "user_id"),
            snowflake(request, "role_id"),
            add=True,
        )
        return no_content()

    async def delete_member_role(self, request: web.Request) -> web.Response:
        """DELETE /guilds/{gid}/members/{uid}/roles/{rid}."""
        self.backend.change_member_role(
            snowflake(request, "guild_id"),
            snowflake(request, "user_id"),
            snowflake(request, "role_id"),
            add=False,
        )
        return no_content()

    async def get_member(self, request: web.Request) -> web.Response:
        """GET /guilds/{gid}/members/{uid}."""
        guild = self.backend.guild(snowflake(request, "guild_id"))
        return json_response(self.backend.member(guild, snowflake(request, "user_id")).payload())

    async def get_members(self, request: web.Request) -> web.Response:
        """GET /guilds/{gid}/members?limit&after."""
        guild = self.backend.guild(snowflake(request, "guild_id"))
        after = int(request.query.get("after", 0))
        limit = min(int(request.query.get("limit", 1)), 1000)
        members = sorted(
            (m for m in guild.members.values() if m.user.id > after), key=lambda m: m.user.id
        )
        return json_response([m.payload() for m in members[:limit]])

    async def patch_member(self, request: web.Request) -> web.Response:
        """PATCH /guilds/{gid}/members/{uid}."""
        payload, _ = await read_body(request)
        member = self.backend.edit_member(
            snowflake(request, "guild_id"), snowflake(request, "user_id"), payload
        )
        return json_response(member.payload())

    async def post_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels."""
        payload, _ = await read_body(request)
        channel = self.backend.open_dm(int(payload.get("recipient_id") or 0))
        return json_response(channel.payload(self.backend.users))

    # ------------------------------------------------------------------ scheduled events

    async def get_events(self, request: web.Request) -> web.Response:
        """GET /guilds/{gid}/scheduled-events."""
        guild = self.backend.guild(snowflake(request, "guild_id"))
        return json_response([e.payload() for e in guild.scheduled_events.values()])

    async def get_event(self, request: web.Request) -> web.Response:
        """GET /guilds/{gid}/scheduled-events/{id}."""
        guild = self.backend.guild(snowflake(request, "guild_id"))
        return json_response(
            self.backend.scheduled_event(guild, snowflake(request, "event_id")).payload()
        )

    async def post_event(self, request: web.Request) -> web.Response:
        """POST /guilds/{gid}/scheduled-events."""
        payload, _ = await read_body(request)
        event = self.backend.create_scheduled_event(snowflake(request, "guild_id"), payload)
        return json_response(event.payload())

    async def patch_event(self, request: web.Request) -> web.Response:
        """PATCH /guilds/{gid}/scheduled-events/{id}."""
        payload, _ = await read_body(request)
        event = self.backend.edit_scheduled_event(
            snowflake(request, "guild_id"), snowflake(request, "event_id"), payload
        )
        return json_response(event.payload())

    async def delete_event(self, request: web.Request) -> web.Response:
        """DELETE /guilds/{gid}/scheduled-events/{id}."""
        self.backend.delete_scheduled_event(
            snowflake(request, "guild_id"), snowflake(request, "event_id")
        )
        return no_content()

    # ------------------------------------------------------------------ attachments (CDN)

    async def get_attachment(self, request: web.Request) -> web.Response:
        """GET /attachments/{cid}/{aid}/{filename}: the stored bytes, like Discord's CDN."""
        attachment = self.backend.attachments.get(snowflake(request, "attachment_id"))
        if attachment is None:
            raise errors.NotFound
        return web.Response(
            body=attachment.data,
            headers={"Content-Type": attachment.content_type or "application/octet-stream"},
        )

    # ------------------------------------------------------------------ the table

    def routes(self) -> list[web.RouteDef]:
        """The route table: every path the sandbox answers."""
        app = "/applications/{application_id}"
        hook = "/webhooks/{application_id}/{token}"
        chan = "/channels/{channel_id}"
        msg = chan + "/messages/{message_id}"
        guild = "/guilds/{guild_id}"
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/{user_id}", self.get_user),
            ("POST", "/users/@me/channels", self.post_dm),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway),
            ("GET", app + "/commands", self.get_commands),
            ("PUT", app + "/commands", self.put_commands),
            ("POST", app + "/commands", self.post_command),
            ("GET", app + guild + "/commands", self.get_commands),
            ("PUT", app + guild + "/commands", self.put_commands),
            ("POST", app + guild + "/commands", self.post_command),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.callback),
            ("POST", hook, self.post_followup),
            ("GET", hook + "/messages/{message_id}", self.get_webhook_message),
            ("PATCH", hook + "/messages/{message_id}", self.patch_webhook_message),
            ("DELETE", hook + "/messages/{message_id}", self.delete_webhook_message),
            ("GET", chan, self.get_channel),
            ("PATCH", chan, self.patch_channel),
            ("DELETE", chan, self.delete_channel),
            ("PUT", chan + "/permissions/{overwrite_id}", self.put_permission),
            ("DELETE", chan + "/permissions/{overwrite_id}", self.delete_permission),
            ("GET", chan + "/messages", self.get_messages),
            ("POST", chan + "/messages", self.post_message),
            ("GET", msg, self.get_message),
            ("PATCH", msg, self.patch_message),
            ("DELETE", msg, self.delete_message),
            ("PUT", msg + "/reactions/{emoji}/@me", self.put_reaction),
            ("POST", chan + "/polls/{message_id}/expire", self.expire_poll),
            ("GET", chan + "/polls/{message_id}/answers/{answer_id}", self.get_poll_voters),
            ("DELETE", msg + "/reactions/{emoji}/@me", self.delete_reaction),
            ("POST", chan + "/threads", self.post_thread),
            ("POST", msg + "/threads", self.post_thread),
            ("PUT", chan + "/thread-members/{user_id}", self.put_thread_member),
            ("GET", guild, self.get_guild),
            ("GET", guild + "/channels", self.get_guild_channels),
            ("POST", guild + "/channels", self.post_guild_channel),
            ("PATCH", guild + "/channels", self.patch_guild_channels),
            ("GET", guild + "/roles", self.get_roles),
            ("POST", guild + "/roles", self.post_role),
            ("PATCH", guild + "/roles", self.patch_roles),
            ("PATCH", guild + "/roles/{role_id}", self.patch_role),
            ("DELETE", guild + "/roles/{role_id}", self.delete_role),
            ("GET", guild + "/members", self.get_members),
            ("GET", guild + "/members/{user_id}", self.get_member),
            ("PATCH", guild + "/members/{user_id}", self.patch_member),
            ("PUT", guild + "/members/{user_id}/roles/{role_id}", self.put_member_role),
            ("DELETE", guild + "/members/{user_id}/roles/{role_id}", self.delete_member_role),
            ("GET", guild + "/scheduled-events", self.get_events),
            ("POST", guild + "/scheduled-events", self.post_event),
            ("GET", guild + "/scheduled-events/{event_id}", self.get_event),
            ("PATCH", guild + "/scheduled-events/{event_id}", self.patch_event),
            ("DELETE", guild + "/scheduled-events/{event_id}", self.delete_event),
        ]
        defs = [web.route(method, API + path, handler) for method, path, handler in table]
        defs.append(
            web.get("/attachments/{channel_id}/{attachment_id}/{filename}", self.get_attachment)
        )
        defs.append(web.get("/gateway", self.gateway.handle))
        return defs
