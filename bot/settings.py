"""Typed, immutable settings loaded once from a TOML file.

Validation is pydantic's: every problem is reported with its key path (``events.reminders``) and a
hint, so ``s3cop check-config`` can list them all at once. The token comes from ``DISCORD_TOKEN``
first; it is never logged or echoed.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from bot.discord_urls import DISCORD_API_BASE, DISCORD_GATEWAY_URL


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Brussels"
        ) from exc
    return name


def _check_offsets(text: str) -> str:
    from bot.timeparse import OFFSET_MAX, OFFSETS_MAX, parse_offsets

    try:
        parse_offsets(text)
    except Exception as exc:
        # Our own sentence: the parser's is written for members (with Finnish examples).
        raise ValueError(
            f"{text!r} is not a list of reminder times; write them like '1d, 1h' "
            f"(at most {OFFSETS_MAX}, each at most {OFFSET_MAX.days} days before the event)"
        ) from exc
    return text


TimeZoneName = Annotated[str, AfterValidator(_check_zone)]
# A channel or role is named by its name (as shown in Discord) or by its numeric id.
Ref = Annotated[str | int, Field(union_mode="left_to_right")]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiscordSettings(_Section):
    guild_id: int = Field(gt=0, description="The server the commands are synced to.")
    token: SecretStr | None = None
    api_base: str = DISCORD_API_BASE
    gateway_url: str = DISCORD_GATEWAY_URL
    sync_globally: bool = False

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must be a URL starting with http(s):// or ws(s)://")
        return value


class ChannelSettings(_Section):
    events: Ref = "events"
    announcements: Ref = "announcements"
    admin_log: Ref = "admin-log"


class RoleSettings(_Section):
    organisers: Ref = "Organisers"
    secretariat: Ref = "Secretariat"


class LocaleSettings(_Section):
    timezone: TimeZoneName = "Europe/Brussels"
    language: Literal["en", "fi"] = "en"


class DatabaseSettings(_Section):
    # A relative path is read from the config file's folder (see load_settings).
    path: Path = Path("s3cop.sqlite3")


class SchedulerSettings(_Section):
    grace_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)


class EventSettings(_Section):
    reminders: Annotated[str, AfterValidator(_check_offsets)] = "1d, 1h"
    # A burst of answers within this many seconds becomes one edit of the announcement.
    announcement_refresh_seconds: float = Field(default=0.5, ge=0, le=60)


class PollSettings(_Section):
    # Votes within this many seconds of each other update the poll message in one edit.
    message_refresh_seconds: float = Field(default=0.5, ge=0, le=60)


def _check_country(code: str | None) -> str | None:
    if code is None:
        return None
    import holidays

    if code.upper() not in holidays.list_supported_countries():
        raise ValueError(f"no public holidays known for {code!r}; use an ISO code such as FI or BE")
    return code.upper()


def _check_hours(text: str) -> str:
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as exc:
        raise ValueError("write business hours like '09:00-17:00'") from exc
    if opens >= closes:
        raise ValueError("business hours must open before they close")
    return text


class SupportSettings(_Section):
    """Support requests: where they live, business hours, nudges and limits."""

    channel: Ref = "support"  # private threads, one per request
    triage_channel: Ref = "support-triage"  # the secretariat's cards and nudges
    holidays_country: Annotated[str | None, AfterValidator(_check_country)] = "BE"
    holidays_subdivision: str | None = None
    business_hours: Annotated[str, AfterValidator(_check_hours)] = "09:00-17:00"
    unclaimed_nudge_hours: float = Field(default=4, gt=0, le=500)
    claimed_nudge_hours: float = Field(default=16, gt=0, le=500)
    nudge_every_hours: float = Field(default=8, gt=0, le=500)
    reopen_days: int = Field(default=14, ge=0, le=365)
    max_open: int = Field(default=3, ge=1, le=100)
    excluded_roles: tuple[Ref, ...] = ()

    def hours(self) -> tuple[time, time]:
        """Opening and closing time of a business day."""
        opens, closes = (time.fromisoformat(p.strip()) for p in self.business_hours.split("-"))
        return opens, closes


class WebSettings(_Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    public_base_url: str = "http://localhost:8080"

    @field_validator("public_base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


def _default_kinds() -> dict[str, str]:
    return {
        "expert_group": "Expert group",
        "working_group": "Working groups",
        "partnership": "Thematic partnerships",
        "other": "Other groups",
    }


class DeclaredGroup(_Section):
    """A group the bot makes at start if it is missing (``[[groups.declared]]``)."""

    name: str = Field(min_length=1, max_length=100)
    name_fi: str | None = Field(default=None, min_length=1, max_length=100)
    kind: str
    description: str = Field(default="", max_length=1000)
    joining: Literal["open", "application"] = "open"
    visibility: Literal["public", "private"] = "public"
    lead: int = Field(gt=0, description="The Discord id of the first lead.")


class GroupSettings(_Section):
    """Working groups and partnerships: where their channels go and what archiving does."""

    # kind -> the category its channels go under ("Working groups", then "Working groups 2")
    kinds: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")], str] = Field(
        default_factory=_default_kinds, min_length=1
    )
    directory: Ref = "groups"  # where each group's card with Join / Apply is posted
    archive_category: str = Field(default="Archived groups", min_length=1, max_length=100)
    alumni_role: Literal["keep", "remove"] = "keep"  # an archived group's role
    # Groups made at start when missing; differences are reported, nothing is ever deleted.
    declared: list[DeclaredGroup] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kinds_known(self) -> GroupSettings:
        for group in self.declared:
            if group.kind not in self.kinds:
                raise ValueError(
                    f"declared group {group.name!r}: kind {group.kind!r} is not one of "
                    f"groups.kinds ({', '.join(self.kinds)})"
                )
        return self


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    file: Path | None = None


class Settings(_Section):
    """Everything the bot reads from its configuration file."""

    discord: DiscordSettings
    channels: ChannelSettings = ChannelSettings()
    roles: RoleSettings = RoleSettings()
    locale: LocaleSettings = LocaleSettings()
    database: DatabaseSettings = DatabaseSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    events: EventSettings = EventSettings()
    groups: GroupSettings = GroupSettings()
    polls: PollSettings = PollSettings()
    support: SupportSettings = SupportSettings()
    web: WebSettings = WebSettings()
    logging: LoggingSettings = LoggingSettings()

    def token(self) -> str | None:
        """``DISCORD_TOKEN`` from the environment, else the file's ``discord.token``."""
        env = os.environ.get("DISCORD_TOKEN", "").strip()
        if env:
            return env
        return self.discord.token.get_secret_value() if self.discord.token else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a configuration file."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SettingsError(Exception):
    """The configuration cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


_HINTS = {
    "missing": "required; see config.example.toml",
    "extra_forbidden": "unknown key; check its spelling against config.example.toml",
}
_SECTIONS = ", ".join(f"[{name}]" for name in Settings.model_fields)
# The guild id config.example.toml ships with: a copy that still has it syncs nowhere.
PLACEHOLDER_GUILD_ID = 123456789012345678


def _message(item: ErrorDetails) -> str:
    """pydantic's message as one plain sentence: no "Value error, " prefix, no final stop."""
    if item["type"] == "extra_forbidden" and len(item["loc"]) == 1:
        return f"unknown section; the sections are {_SECTIONS}"
    text = _HINTS.get(item["type"], item["msg"])
    if item["type"] == "value_error":
        text = text.removeprefix("Value error, ")
    return text.rstrip(".")


def _problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        # Union members add their type to the location (e.g. channels.events.int): drop it.
        path = ".".join(str(p) for p in item["loc"] if p not in ("str", "int"))
        problems.append(Problem(path, _message(item)))
    return problems


def parse_settings(data: dict[str, object]) -> Settings:
    """Validate already-parsed TOML; raises SettingsError listing every problem."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_problems(exc)) from None


def load_settings(path: Path) -> Settings:
    """Read and validate a TOML file. Relative file paths in it (the database, the log file)
    are read from the file's folder, so the bot finds its data wherever it is started from."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            [Problem("", f"{path}: no such file; copy config.example.toml there and edit it")]
        ) from None
    except IsADirectoryError:
        raise SettingsError([Problem("", f"{path} is a folder, not a config file")]) from None
    except UnicodeDecodeError:
        raise SettingsError([Problem("", f"{path}: not a text file")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([Problem("", f"{path}: not valid TOML: {exc}")]) from None
    settings = parse_settings(data)
    base = path.resolve().parent
    log_file = settings.logging.file
    return settings.model_copy(
        update={
            "database": settings.database.model_copy(
                update={"path": base / settings.database.path}
            ),
            "logging": settings.logging.model_copy(
                update={"file": base / log_file if log_file is not None else None}
            ),
        }
    )


def setting_warnings(path: Path, settings: Settings) -> list[str]:
    """What is valid but probably not meant: the example's guild id, a readable token."""
    warnings = []
    if settings.discord.guild_id == PLACEHOLDER_GUILD_ID:
        warnings.append(
            f"{path}: discord.guild_id is still the example's placeholder; set your server's id "
            "(right-click the server icon > Copy Server ID, with Developer Mode on)"
        )
    if settings.discord.token is not None and path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.append(
            f"{path} holds discord.token and can be read by other users; "
            f"run 'chmod 600 {path}' or use the DISCORD_TOKEN environment variable"
        )
    return warnings
