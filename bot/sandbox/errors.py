"""Discord's JSON error answers, as exceptions the REST layer turns into responses.

Each class carries the HTTP status, Discord's numeric code and message exactly as Discord sends
them, so discord.py raises the same exception type (Forbidden, NotFound, HTTPException) with the
same ``code`` it would get from Discord.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DiscordError(Exception):
    """An error answer: ``status`` plus the JSON body ``{"code", "message", "errors"?}``."""

    status: ClassVar[int] = 400
    code: ClassVar[int] = 0
    message: ClassVar[str] = "Bad Request"

    def __init__(self, errors: dict[str, Any] | None = None, *, message: str | None = None) -> None:
        self.errors = errors
        self.text = message or self.message
        super().__init__(f"{self.status} {self.code}: {self.text}")

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends with this error."""
        body: dict[str, Any] = {"message": self.text, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class InvalidFormBody(DiscordError):
    """400 50035: a field breaks one of Discord's limits; ``errors`` says which and why."""

    code = 50035
    message = "Invalid Form Body"


class CannotSendEmptyMessage(DiscordError):
    """400 50006: no content, embeds, components, attachments or poll."""

    code = 50006
    message = "Cannot send an empty message"


class PollExpired(DiscordError):
    """400 520001: a vote on a native poll that has closed."""

    code = 520001
    message = "Poll expired"


class CannotEditPoll(DiscordError):
    """400 520003: a native poll cannot be added to, changed or removed from a message."""

    code = 520003
    message = "Cannot edit a poll message"


class AlreadyAcknowledged(DiscordError):
    """400 40060: a second initial response to one interaction."""

    code = 40060
    message = "Interaction has already been acknowledged."


class ThreadArchived(DiscordError):
    """400 50083: members cannot be added to (or messages sent in) an archived thread."""

    code = 50083
    message = "Thread is archived"


class MaxScheduledEvents(DiscordError):
    """400 30038: a guild already has 100 scheduled or active events."""

    code = 30038
    message = "Maximum number of uncompleted guild scheduled events reached (100)"


class MaxRoles(DiscordError):
    """400 30005: a guild holds at most 250 roles."""

    code = 30005
    message = "Maximum number of guild roles reached (250)"


class MaxChannels(DiscordError):
    """400 30013: a guild holds at most 500 channels (categories included, threads not)."""

    code = 30013
    message = "Maximum number of guild channels reached (500)"


class Unauthorized(DiscordError):
    """401: wrong or missing bot token."""

    status = 401
    code = 0
    message = "401: Unauthorized"


class MissingAccess(DiscordError):
    """403 50001: the bot cannot see the channel or guild at all."""

    status = 403
    code = 50001
    message = "Missing Access"


class MissingPermissions(DiscordError):
    """403 50013: the bot sees the resource but lacks a permission (or role hierarchy)."""

    status = 403
    code = 50013
    message = "Missing Permissions"


class NotAuthor(DiscordError):
    """403 50005: an action only a message's author may take (ending a poll)."""

    status = 403
    code = 50005
    message = "Cannot execute action on a message authored by another user"


class CannotMessageUser(DiscordError):
    """403 50007: the member does not accept direct messages from the bot."""

    status = 403
    code = 50007
    message = "Cannot send messages to this user"


class NotFound(DiscordError):
    """404 0: no such route."""

    status = 404
    code = 0
    message = "404: Not Found"


class UnknownChannel(NotFound):
    """404 10003."""

    code = 10003
    message = "Unknown Channel"


class UnknownGuild(NotFound):
    """404 10004."""

    code = 10004
    message = "Unknown Guild"


class UnknownMember(NotFound):
    """404 10007."""

    code = 10007
    message = "Unknown Member"


class UnknownMessage(NotFound):
    """404 10008."""

    code = 10008
    message = "Unknown Message"


class UnknownRole(NotFound):
    """404 10011."""

    code = 10011
    message = "Unknown Role"


class UnknownUser(NotFound):
    """404 10013."""

    code = 10013
    message = "Unknown User"


class UnknownWebhook(NotFound):
    """404 10015: also what a follow-up gets before the initial response or after 15 minutes."""

    code = 10015
    message = "Unknown Webhook"


class UnknownInteraction(NotFound):
    """404 10062: the interaction expired (no initial response within the deadline)."""

    code = 10062
    message = "Unknown interaction"


class UnknownScheduledEvent(NotFound):
    """404 10070."""

    code = 10070
    message = "Unknown Guild Scheduled Event"
