"""The groups feature's rules in plain Python: names, kinds, Discord's ceilings, who may do what.

Nothing here talks to Discord or the database: rules raise UserFacingError and return values,
so they are unit- and property-tested directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import UserFacingError
from bot.i18n import _
from bot.regions import fold

# Discord: role and channel names are 1-100 characters; a category holds at most 50 channels;
# a guild at most 250 roles and 500 channels. Organisers hear about the last two at 80 %.
MAX_NAME = 100
MAX_DESCRIPTION = 1000
MAX_MOTIVATION = 1000
MAX_REASON = 500
CATEGORY_CHANNELS = 50
GUILD_ROLES = 250
GUILD_CHANNELS = 500
WARN_AT = 0.8

STAKEHOLDERS = ("public_authority", "business", "research_education", "civil_society")
JOINING = ("open", "application")
VISIBILITY = ("public", "private")


def name_key(name: str) -> str:
    """The key two names are compared by: case-insensitive, whitespace-insensitive."""
    return fold(name)


def clean_name(name: str) -> str:
    """A name as stored: normalised and with single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def channel_name(name: str) -> str:
    """The text channel Discord would make of a group name: lower case, hyphens for spaces,
    only letters, digits, hyphens and underscores; at most 100 characters."""
    lowered = unicodedata.normalize("NFKC", name).lower()
    slug = re.sub(r"[^\w-]+", "-", lowered)
    slug = re.sub(r"-{2,}", "-", slug).strip("-_")
    return slug[:MAX_NAME].rstrip("-")


def unknown_group() -> UserFacingError:
    return UserFacingError(_("I don't know that group: pick one from the list."))


def name_taken(name: str) -> UserFacingError:
    return UserFacingError(
        _(
            "A group called “{name}” already exists (names are compared in English and "
            "Finnish, in any case): choose another name."
        ),
        name=name,
    )


def check_names(name: str, name_fi: str | None, taken: Iterable[str]) -> list[str]:
    """Validate a group's English and Finnish names; return the keys they claim.

    ``taken`` are the keys every other group's names claim: a clash in either language, in any
    case, is refused, so "Lapland partnership" and "lapland PARTNERSHIP" cannot both exist.
    """
    names = [name] + ([name_fi] if name_fi else [])
    for value in names:
        cleaned = clean_name(value)
        if not cleaned:
            raise UserFacingError(_("The group needs a name."))
        if len(cleaned) > MAX_NAME:
            raise UserFacingError(
                _("“{name}…” is {length} characters long; Discord allows at most {limit}."),
                name=cleaned[:20],
                length=len(cleaned),
                limit=MAX_NAME,
            )
        if not channel_name(cleaned):
            raise UserFacingError(
                _("“{name}” has no letters or digits to name a channel with."), name=cleaned
            )
    taken_keys = set(taken)
    keys = list(dict.fromkeys(name_key(v) for v in names))
    for value, key in zip(names, (name_key(v) for v in names), strict=True):
        if key in taken_keys:
            raise name_taken(clean_name(value))
    return keys


def check_access(joining: str, visibility: str) -> None:
    """A private group's channel is for its members only, so nobody walks in: they apply."""
    if visibility == "private" and joining == "open":
        raise UserFacingError(
            _(
                "A private group takes members by application: choose joining “by application”, "
                "or make the group public."
            )
        )


def check_description(description: str) -> str:
    text = description.strip()
    if len(text) > MAX_DESCRIPTION:
        raise UserFacingError(
            _("The description is {length} characters long; at most {limit} fit."),
            length=len(text),
            limit=MAX_DESCRIPTION,
        )
    return text


@dataclass(frozen=True)
class Capacity:
    """What a guild holds now, to foresee Discord's ceilings before creating anything."""

    roles: int
    channels: int

    def refusal(self, new_channels: int) -> str | None:
        """The message when one more role and ``new_channels`` more would break a ceiling."""
        if self.roles + 1 > GUILD_ROLES:
            return _(
                "The server already has {limit} roles, Discord's maximum: delete unused "
                "roles first."
            )
        if self.channels + new_channels > GUILD_CHANNELS:
            return _(
                "The server already has {limit} channels, Discord's maximum: delete or "
                "archive unused channels first."
            )
        return None

    def warnings(self, new_channels: int) -> list[tuple[str, int, int]]:
        """(what, used, limit) for each ceiling at 80 % or more after the creation."""
        found = []
        if self.roles + 1 >= GUILD_ROLES * WARN_AT:
            found.append(("roles", self.roles + 1, GUILD_ROLES))
        if self.channels + new_channels >= GUILD_CHANNELS * WARN_AT:
            found.append(("channels", self.channels + new_channels, GUILD_CHANNELS))
        return found


def category_for(base_name: str, counts: list[tuple[str, int]]) -> tuple[str, bool]:
    """Which of a kind's categories takes one more channel: (name, must be created).

    ``counts`` are the kind's existing categories in order, each (name, channels in it). The
    first with room wins; when all are full the next one is "Name 2", "Name 3", ...
    """
    for name, used in counts:
        if used < CATEGORY_CHANNELS:
            return name, False
    return (base_name if not counts else f"{base_name} {len(counts) + 1}"), True


def overflow_names(base_name: str) -> re.Pattern[str]:
    """Matches a kind's category and its overflow categories ("Working groups 2")."""
    return re.compile(rf"^{re.escape(base_name)}(?: (?P<n>[2-9]|[1-9]\d+))?$", re.IGNORECASE)


def last_lead(group: object) -> UserFacingError:
    """Said alike by /group lead remove, /group member remove and /group leave."""
    return UserFacingError(
        _("{group} needs at least one lead: add another lead first."), group=group
    )


def already_pending(group: object) -> UserFacingError:
    return UserFacingError(
        _(
            "You already have a pending application to {group}: wait for the leads, or "
            "withdraw it first."
        ),
        group=group,
    )


def check_joinable(archived: bool, joining: str, group: object) -> None:
    """Refuse joining an archived group, or one that takes members by application."""
    if archived:
        raise UserFacingError(_("{group} is archived: nobody can join it now."), group=group)
    if joining != "open":
        raise UserFacingError(
            _("{group} takes members by application: use Apply (or /group apply)."),
            group=group,
        )


def check_takes_applications(archived: bool, joining: str, group: object) -> None:
    """Refuse an application to an archived group, or to an open one (join it instead)."""
    if archived:
        raise UserFacingError(_("{group} is archived: nobody can join it now."), group=group)
    if joining != "application":
        raise UserFacingError(
            _("{group} is open: join it directly with Join (or /group join)."),
            group=group,
        )


def check_motivation(motivation: str) -> str:
    """An application says why (the leads read it); the motivation as stored."""
    motivation = motivation.strip()
    if not motivation:
        raise UserFacingError(_("Tell the leads why you want to join."))
    return motivation[:MAX_MOTIVATION]


def check_reason(approve: bool, reason: str | None) -> str | None:
    """A decline needs a reason (the applicant reads it); the reason as stored."""
    if not approve and not (reason or "").strip():
        raise UserFacingError(_("A decline needs a reason: the applicant reads it."))
    return (reason or "").strip()[:MAX_REASON] or None
