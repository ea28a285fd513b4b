"""Discord's permission bits and how a member's permissions in a channel are computed.

The sandbox is a server, so it keeps its own copy of the bits rather than borrowing the client's
:class:`discord.Permissions`; the computation follows Discord's documented algorithm (base from
roles, administrator bypasses, then @everyone, role and member overwrites of the channel; threads
use their parent's overwrites).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.models import PRIVATE_THREAD

if TYPE_CHECKING:
    from bot.sandbox.models import Channel, Guild

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
SEND_POLLS = 1 << 49
ALL = (1 << 51) - 1

# What @everyone gets in a new guild (close to Discord's default set).
EVERYONE_DEFAULT = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
    | CREATE_EVENTS
)

# The bot's own role unless a test says otherwise: what s3cop asks for when invited.
BOT_DEFAULT = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MANAGE_ROLES
    | MANAGE_CHANNELS
    | MANAGE_EVENTS
    | CREATE_EVENTS
    | MANAGE_THREADS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
    | ADD_REACTIONS
)


def base_permissions(guild: Guild, user_id: int) -> int:
    """Guild-wide permissions of a member: the owner and administrators get everything."""
    if user_id == guild.owner_id:
        return ALL
    member = guild.members.get(user_id)
    if member is None:
        return 0
    perms = guild.roles[guild.id].permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    return ALL if perms & ADMINISTRATOR else perms


def channel_permissions(guild: Guild, user_id: int, channel: Channel) -> int:
    """Permissions of a member in a channel after overwrites; no VIEW_CHANNEL means nothing."""
    perms = base_permissions(guild, user_id)
    if perms & ADMINISTRATOR or user_id == guild.owner_id:
        return ALL
    member = guild.members.get(user_id)
    if member is None:
        return 0
    source = guild.channels.get(channel.parent_id or 0) if channel.is_thread else channel
    overwrites = source.overwrites if source is not None else {}
    everyone = overwrites.get(guild.id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.roles:
        ow = overwrites.get(role_id)
        if ow is not None:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    own = overwrites.get(user_id)
    if own is not None:
        perms = (perms & ~own.deny) | own.allow
    if not perms & VIEW_CHANNEL:
        return 0
    private = channel.type == PRIVATE_THREAD and user_id not in channel.thread_members
    if private and not perms & MANAGE_THREADS:
        return 0
    return perms
