"""The sandbox's state: users, guilds, channels, roles, members, messages, events, commands.

Plain dataclasses, each able to serialise itself the way Discord does on the wire (``payload()``),
so REST answers and gateway events are built from one place. The rules that change this state
live in :mod:`bot.sandbox.backend`.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

TEXT, DM, VOICE, CATEGORY, NEWS = 0, 1, 2, 4, 5
NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD = 10, 11, 12
THREAD_TYPES = frozenset({NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})
GUILD_CHANNEL_TYPES = frozenset({TEXT, VOICE, CATEGORY, NEWS})

EPHEMERAL = 1 << 6
LOADING = 1 << 7
REPLY = 19  # a message's type when it answers another (message_reference)
COMPONENTS_V2 = 1 << 15


class Snowflakes:
    """Realistic, strictly increasing snowflakes: milliseconds since 2015 plus a counter."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """A new id, greater than every id handed out before."""
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = now_ms << 22 | 1 << 17
        self._last = max(candidate, self._last + 1)
        return self._last


def iso(moment: datetime | None) -> str | None:
    """Discord's timestamp format (ISO 8601 with offset)."""
    return moment.isoformat() if moment is not None else None


@dataclass(eq=False)
class User:
    """A Discord account: a member, or the bot itself. ``dms_open`` False refuses bot DMs."""

    id: int
    name: str
    bot: bool = False
    dms_open: bool = True

    def payload(self) -> dict[str, Any]:
        """The user object."""
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass(eq=False)
class Role:
    """A guild role; the @everyone role's id equals the guild's id."""

    id: int
    guild_id: int
    name: str
    permissions: int
    position: int
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None  # a bot's own role: Discord tags it with the bot's id

    def payload(self) -> dict[str, Any]:
        """The role object (2.7 reads ``colors``; ``tags.bot_id`` marks a bot's own role)."""
        tags = {"tags": {"bot_id": str(self.bot_id)}} if self.bot_id else {}
        return tags | {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass(eq=False)
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        """The overwrite object."""
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass(eq=False)
class Channel:
    """A guild channel, thread or DM channel."""

    id: int
    type: int
    name: str
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    recipient_id: int | None = None
    owner_id: int | None = None
    thread_members: set[int] = field(default_factory=set)
    archived: bool = False
    invitable: bool = True  # private threads: whether non-moderators may add members
    created_at: datetime | None = None
    message_count: int = 0

    @property
    def is_thread(self) -> bool:
        """Threads take their permissions from the parent channel."""
        return self.type in THREAD_TYPES

    def payload(self, users: dict[int, User] | None = None) -> dict[str, Any]:
        """The channel object; DM channels need ``users`` to list the recipient."""
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "flags": 0}
        if self.type == DM:
            recipient = users[self.recipient_id] if users and self.recipient_id else None
            data["recipients"] = [recipient.payload()] if recipient else []
            data["last_message_id"] = None
            return data
        data |= {
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "nsfw": False,
        }
        if self.is_thread:
            data |= {
                "owner_id": str(self.owner_id),
                "message_count": self.message_count,
                "member_count": len(self.thread_members),
                "rate_limit_per_user": 0,
                "thread_metadata": {
                    "archived": self.archived,
                    "auto_archive_duration": 10080,
                    "archive_timestamp": iso(self.created_at),
                    "locked": False,
                    "create_timestamp": iso(self.created_at),
                },
            }
            if self.type == PRIVATE_THREAD:
                data["thread_metadata"]["invitable"] = self.invitable
            return data
        data["permission_overwrites"] = [ow.payload() for ow in self.overwrites.values()]
        if self.type in (TEXT, NEWS):
            data |= {"topic": self.topic, "last_message_id": None, "rate_limit_per_user": 0}
        if self.type == VOICE:
            data |= {"bitrate": 64000, "user_limit": 0, "rtc_region": None}
        return data


@dataclass(eq=False)
class Member:
    """A user's membership of a guild; ``locale`` is the member's client language."""

    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    locale: str = "en-US"
    nick: str | None = None
    joined_at: datetime | None = None

    def payload(self) -> dict[str, Any]:
        """The guild member object (``flags`` is required by discord.py)."""
        return {
            "user": self.user.payload(),
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "joined_at": iso(self.joined_at),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }


@dataclass(eq=False)
class ScheduledEvent:
    """A guild scheduled event. Status: 1 scheduled, 2 active, 3 completed, 4 canceled."""

    id: int
    guild_id: int
    name: str
    entity_type: int
    scheduled_start_time: datetime
    creator: User
    scheduled_end_time: datetime | None = None
    description: str | None = None
    channel_id: int | None = None
    location: str | None = None
    status: int = 1
    privacy_level: int = 2

    @property
    def active(self) -> bool:
        """Counts against the 100-event limit."""
        return self.status in (1, 2)

    def payload(self) -> dict[str, Any]:
        """The guild scheduled event object."""
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id) if self.channel_id else None,
            "creator_id": str(self.creator.id),
            "creator": self.creator.payload(),
            "name": self.name,
            "description": self.description,
            "scheduled_start_time": iso(self.scheduled_start_time),
            "scheduled_end_time": iso(self.scheduled_end_time),
            "privacy_level": self.privacy_level,
            "status": self.status,
            "entity_type": self.entity_type,
            "entity_id": None,
            "entity_metadata": {"location": self.location} if self.location else None,
            "user_count": 0,
            "image": None,
            "recurrence_rule": None,
        }


@dataclass(eq=False)
class Guild:
    """A guild and everything in it; channels keep creation order."""

    id: int
    name: str
    owner_id: int
    locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    scheduled_events: dict[int, ScheduledEvent] = field(default_factory=dict)

    def role_position(self, user_id: int) -> int:
        """The position of the member's highest role, for Discord's role hierarchy rule."""
        member = self.members.get(user_id)
        roles = [self.roles[r].position for r in member.roles if r in self.roles] if member else []
        return max(roles, default=0)

    def payload(self, users: dict[int, User]) -> dict[str, Any]:
        """The GUILD_CREATE payload: roles, channels, threads, members, events."""
        channels = [c for c in self.channels.values() if not c.is_thread]
        threads = [c for c in self.channels.values() if c.is_thread]
        return {
            "id": str(self.id),
            "name": self.name,
            "unavailable": False,
            "owner_id": str(self.owner_id),
            "preferred_locale": self.locale,
            "icon": None,
            "splash": None,
            "features": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "large": False,
            "joined_at": None,
            "member_count": len(self.members),
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "channels": [c.payload(users) for c in channels],
            "threads": [c.payload(users) for c in threads],
            "members": [m.payload() for m in self.members.values()],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [e.payload() for e in self.scheduled_events.values()],
            "soundboard_sounds": [],
        }


@dataclass(eq=False)
class Attachment:
    """A file on a message, bytes kept so tests can read what the bot sent."""

    id: int
    filename: str
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None

    def payload(self) -> dict[str, Any]:
        """The attachment object; ``url`` is served by the sandbox itself."""
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "description": self.description,
        }


@dataclass(eq=False)
class NativePoll:
    """Discord's own poll on a message: answers numbered from 1, each member's votes, an expiry.

    Discord closes it at ``expiry`` (``is_finalized`` from then on; its author may end it
    sooner, which moves the expiry to then); votes arrive as MESSAGE_POLL_VOTE_ADD/REMOVE gateway
    events and the counts ride on the message object.
    """

    question: str
    answers: list[str]
    allow_multiselect: bool
    expiry: datetime
    votes: dict[int, set[int]] = field(default_factory=dict)  # user id -> answer ids

    def finalized(self, now: datetime) -> bool:
        return now >= self.expiry

    def count(self, answer_id: int) -> int:
        return sum(answer_id in chosen for chosen in self.votes.values())

    def result_fields(self) -> list[dict[str, Any]]:
        """The poll result message's embed fields, as Discord documents them: the question, the
        winning answer's votes and the total; the winner only when one answer leads alone."""
        counts = {i: self.count(i) for i in range(1, len(self.answers) + 1)}
        top = max(counts.values())
        leaders = [i for i, n in counts.items() if n == top and n]
        fields = {
            "poll_question_text": self.question,
            "victor_answer_votes": str(top),
            "total_votes": str(sum(counts.values())),
        }
        if len(leaders) == 1:
            fields["victor_answer_id"] = str(leaders[0])
            fields["victor_answer_text"] = self.answers[leaders[0] - 1]
        return [{"name": k, "value": v, "inline": False} for k, v in fields.items()]

    def payload(self, now: datetime) -> dict[str, Any]:
        return {
            "question": {"text": self.question},
            "answers": [
                {"answer_id": i, "poll_media": {"text": text}}
                for i, text in enumerate(self.answers, start=1)
            ],
            "expiry": iso(self.expiry),
            "allow_multiselect": self.allow_multiselect,
            "layout_type": 1,
            "results": {
                "is_finalized": self.finalized(now),
                "answer_counts": [
                    {"id": i, "count": self.count(i), "me_voted": False}
                    for i in range(1, len(self.answers) + 1)
                    if self.count(i)
                ],
            },
        }


@dataclass(eq=False)
class Message:
    """A message. ``ephemeral_to`` names the only member who sees it, for ephemeral answers."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    created_at: datetime
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    edited_at: datetime | None = None
    ephemeral_to: int | None = None
    interaction: dict[str, Any] | None = None
    application_id: int | None = None
    reactions: dict[str, set[int]] = field(default_factory=dict)
    deleted: bool = False
    edits: int = 0
    nonce: str | None = None
    poll: NativePoll | None = None
    # The message this one answers (a poll result message: its poll), as message_reference.
    reference: dict[str, str] | None = None
    # The allowed_mentions the bot sent with the message and with each edit (None: left out).
    mention_rules: list[dict[str, Any] | None] = field(default_factory=list)

    def notified(self) -> tuple[bool, set[int], set[int]]:
        """Who the message pinged when it was created, as Discord documents allowed_mentions:
        (@everyone or @here, role ids, user ids). Only mentions in the content count; without
        allowed_mentions every mention in it does. (Edits never ping.)"""
        rules = self.mention_rules[0] if self.mention_rules else None
        parse = ["everyone", "roles", "users"] if rules is None else rules.get("parse") or []
        roles = {int(r) for r in re.findall(r"<@&(\d+)>", self.content)}
        users = {int(u) for u in re.findall(r"<@!?(\d+)>", self.content)}
        if "roles" not in parse:
            roles &= {int(r) for r in (rules or {}).get("roles") or []}
        if "users" not in parse:
            users &= {int(u) for u in (rules or {}).get("users") or []}
        everyone = "everyone" in parse and bool(re.search(r"@(everyone|here)\b", self.content))
        return everyone, roles, users

    @property
    def ephemeral(self) -> bool:
        """Seen only by the member who used the interaction."""
        return bool(self.flags & EPHEMERAL)

    def payload(self, member: Member | None = None) -> dict[str, Any]:
        """The message object; ``member`` adds the author's guild member data like Discord."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at),
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload() for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "flags": self.flags,
            "reactions": [
                {"emoji": {"id": None, "name": name}, "count": len(users), "me": False}
                for name, users in self.reactions.items()
                if users
            ],
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if member is not None:
            data["member"] = {k: v for k, v in member.payload().items() if k != "user"}
        if self.interaction is not None:
            data["interaction_metadata"] = self.interaction
            data["webhook_id"] = str(self.application_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.reference is not None:
            data["message_reference"] = self.reference
        return data


@dataclass(eq=False)
class Command:
    """An application command as registered by the bot, with the ids Discord adds."""

    id: int
    application_id: int
    guild_id: int | None
    data: dict[str, Any]

    @property
    def name(self) -> str:
        """The command's name (unique per type and scope)."""
        return str(self.data["name"])

    def payload(self) -> dict[str, Any]:
        """The registered command as Discord answers it."""
        payload = dict(self.data)
        payload.setdefault("type", 1)
        payload.setdefault("options", [])
        payload |= {
            "id": str(self.id),
            "application_id": str(self.application_id),
            "version": str(self.id),
            "default_member_permissions": self.data.get("default_member_permissions"),
        }
        if self.guild_id is not None:
            payload["guild_id"] = str(self.guild_id)
        return payload


@dataclass(eq=False)
class Interaction:
    """One interaction and what the bot made of it.

    ``response_type`` is the initial callback type (None until answered); ``failed`` is set when
    the deadline passes first, which members see as "This interaction failed".
    """

    id: int
    type: int
    guild_id: int | None  # None in a DM with the bot
    channel_id: int
    user: User
    data: dict[str, Any]
    created: float
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    message: Message | None = None
    response_type: int | None = None
    response_message: Message | None = None
    followups: list[Message] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    modal_shown: float = 0.0  # when the modal was opened (the loop's clock)
    choices: list[dict[str, Any]] | None = None
    failed: bool = False
    skipped_at: float = 0.0  # the sandbox's skipped Discord time when this one began

    @property
    def answered(self) -> bool:
        """True once the initial response arrived."""
        return self.response_type is not None
