"""Every Discord limit the sandbox enforces, in one module.

A bot that passes here fits Discord: each validator collects all broken limits of one request into
Discord's ``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`` shape (nested by
field path, ``_errors`` lists of ``{code, message}``) and raises :class:`InvalidFormBody`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from bot.sandbox.errors import CannotSendEmptyMessage, InvalidFormBody, MaxChannels, MaxRoles
from bot.sandbox.models import CATEGORY, COMPONENTS_V2, Guild

Path = tuple[str | int, ...]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
V2_COMPONENTS_MAX = 40
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
COMMANDS_MAX = 100
COMMAND_CHARS_MAX = 4000
EVENTS_ACTIVE_MAX = 100
GUILD_ROLES_MAX = 250
GUILD_CHANNELS_MAX = 500
CATEGORY_CHILDREN_MAX = 50


class Form:
    """Collects errors by field path and raises them all at once, like Discord."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: Path, code: str, message: str) -> None:
        """Record one broken rule at ``path`` (e.g. ``("embeds", 0, "title")``)."""
        node = self.errors
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def length(
        self, path: Path, value: Any, low: int, high: int, *, required: bool = False
    ) -> None:
        """Check a string's length; a missing value is only an error when ``required``."""
        if value is None:
            if required:
                self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
            return
        if not isinstance(value, str):
            self.add(path, "BASE_TYPE_STRING", "Value must be a string.")
        elif not low <= len(value) <= high:
            if low == 0:
                self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
            else:
                self.add(
                    path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
                )

    def count(self, path: Path, items: Sequence[Any] | None, low: int, high: int) -> None:
        """Check how many items a list holds."""
        if items is not None and not low <= len(items) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def raise_if_any(self) -> None:
        """Raise Discord's 400 50035 when anything was recorded."""
        if self.errors:
            raise InvalidFormBody(self.errors)


# ---------------------------------------------------------------- messages and components


def _embed_size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields") or []
    parts = [
        embed.get("title"),
        embed.get("description"),
        (embed.get("footer") or {}).get("text"),
        (embed.get("author") or {}).get("name"),
        *(f.get("name") for f in fields),
        *(f.get("value") for f in fields),
    ]
    return sum(len(p) for p in parts if isinstance(p, str))


def check_embeds(form: Form, embeds: list[dict[str, Any]] | None, path: Path = ("embeds",)) -> None:
    """Embed limits, each embed and all of them together."""
    if not embeds:
        return
    if len(embeds) > EMBEDS_MAX:
        form.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length.")
    for i, embed in enumerate(embeds):
        at = (*path, i)
        form.length((*at, "title"), embed.get("title"), 0, 256)
        form.length((*at, "description"), embed.get("description"), 0, 4096)
        form.length((*at, "footer", "text"), (embed.get("footer") or {}).get("text"), 0, 2048)
        form.length((*at, "author", "name"), (embed.get("author") or {}).get("name"), 0, 256)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            form.add((*at, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, fld in enumerate(fields):
            form.length((*at, "fields", j, "name"), fld.get("name"), 1, 256, required=True)
            form.length((*at, "fields", j, "value"), fld.get("value"), 1, 1024, required=True)
    if sum(_embed_size(e) for e in embeds) > EMBED_TOTAL_MAX:
        form.add(path, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component, depth first, through rows, containers, sections and labels."""
    for comp in components:
        yield comp
        yield from walk_components(comp.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                yield from walk_components([comp[key]])


def _check_button(form: Form, at: Path, comp: dict[str, Any]) -> None:
    form.length((*at, "label"), comp.get("label"), 0, 80)
    style = comp.get("style")
    if style == 5:
        if not comp.get("url"):
            form.add((*at, "url"), "BASE_TYPE_REQUIRED", "This field is required")
    elif style != 6:
        form.length((*at, "custom_id"), comp.get("custom_id"), 1, 100, required=True)
    if style not in range(1, 7):
        form.add((*at, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).")
    if not comp.get("label") and not comp.get("emoji") and style != 6:
        form.add(at, "BUTTON_COMPONENT_INVALID", "Button needs a label or an emoji.")


def _check_select(form: Form, at: Path, comp: dict[str, Any]) -> None:
    form.length((*at, "custom_id"), comp.get("custom_id"), 1, 100, required=True)
    form.length((*at, "placeholder"), comp.get("placeholder"), 0, 150)
    low, high = comp.get("min_values", 1), comp.get("max_values", 1)
    if not 0 <= low <= 25:
        form.add((*at, "min_values"), "NUMBER_TYPE_MAX", "int value should be between 0 and 25.")
    if not 1 <= high <= 25:
        form.add((*at, "max_values"), "NUMBER_TYPE_MAX", "int value should be between 1 and 25.")
    if low > high:
        form.add((*at, "min_values"), "SELECT_COMPONENT_MIN_GT_MAX", "min_values > max_values.")
    if comp.get("type") != 3:
        return
    options = comp.get("options") or []
    form.count((*at, "options"), options, 1, 25)
    if high > len(options):
        form.add(
            (*at, "max_values"), "SELECT_COMPONENT_MAX_GT_OPTIONS", "More than options available."
        )
    for k, opt in enumerate(options):
        form.length((*at, "options", k, "label"), opt.get("label"), 1, 100, required=True)
        form.length((*at, "options", k, "value"), opt.get("value"), 1, 100, required=True)
        form.length((*at, "options", k, "description"), opt.get("description"), 0, 100)


def _check_row(form: Form, at: Path, row: dict[str, Any]) -> None:
    children = row.get("components") or []
    kinds = [c.get("type") for c in children]
    if any(k in SELECT_TYPES for k in kinds):
        if len(children) != 1:
            form.add(at, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select must be alone in its row.")
    else:
        form.count((*at, "components"), children, 1, 5)
    for i, child in enumerate(children):
        kind = child.get("type")
        if kind == 2:
            _check_button(form, (*at, "components", i), child)
        elif kind in SELECT_TYPES:
            _check_select(form, (*at, "components", i), child)
        elif kind != 4:
            form.add((*at, "components", i, "type"), "COMPONENT_TYPE_INVALID", "Invalid type.")


def _check_v2(form: Form, at: Path, comp: dict[str, Any]) -> None:
    kind = comp.get("type")
    if kind == 1:
        _check_row(form, at, comp)
    elif kind == 10:
        form.length((*at, "content"), comp.get("content"), 1, 4000, required=True)
    elif kind in (9, 17):
        for i, child in enumerate(comp.get("components") or []):
            _check_v2(form, (*at, "components", i), child)
        accessory = comp.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == 2:
            _check_button(form, (*at, "accessory"), accessory)


def check_components(form: Form, components: list[dict[str, Any]] | None, flags: int) -> None:
    """Action rows (or Components V2 layouts), buttons, selects and unique custom_ids."""
    if not components:
        return
    if flags & COMPONENTS_V2:
        total = sum(1 for _ in walk_components(components))
        if total > V2_COMPONENTS_MAX:
            form.add(
                ("components",), "BASE_TYPE_MAX_LENGTH", f"Must be {V2_COMPONENTS_MAX} or fewer."
            )
        for i, comp in enumerate(components):
            _check_v2(form, ("components", i), comp)
    else:
        if len(components) > ACTION_ROWS_MAX:
            form.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for i, row in enumerate(components):
            if row.get("type") != 1:
                form.add(
                    ("components", i, "type"),
                    "COMPONENT_TYPE_INVALID",
                    "Top-level components must be action rows without the Components V2 flag.",
                )
                continue
            _check_row(form, ("components", i), row)
    seen: set[str] = set()
    for comp in walk_components(components):
        custom_id = comp.get("custom_id")
        if custom_id is None:
            continue
        if custom_id in seen:
            form.add(
                ("components",),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)


def check_message(payload: dict[str, Any], *, creating: bool, has_files: bool = False) -> None:
    """A message create or edit: content, embeds, components, Components V2 rules."""
    form = Form()
    content = payload.get("content")
    form.length(("content",), content, 0, CONTENT_MAX)
    check_embeds(form, payload.get("embeds"))
    flags = int(payload.get("flags") or 0)
    if flags & COMPONENTS_V2 and (content or payload.get("embeds") or payload.get("poll")):
        form.add(
            ("content",),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content', 'embeds', 'stickers' and 'poll' fields cannot be used "
            "when the IS_COMPONENTS_V2 flag is set.",
        )
    check_components(form, payload.get("components"), flags)
    check_allowed_mentions(form, payload.get("allowed_mentions"))
    if payload.get("poll") is not None:
        check_poll(form, payload["poll"])
    form.raise_if_any()
    if creating and not (
        content
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("poll")
        or payload.get("sticker_ids")
        or has_files
    ):
        raise CannotSendEmptyMessage


MENTION_IDS_MAX = 100


def check_allowed_mentions(form: Form, rules: dict[str, Any] | None) -> None:
    """Discord's allowed_mentions: ``parse`` of roles, users, everyone; at most 100 role and
    user ids; a kind both parsed and listed by id is refused (mutually exclusive)."""
    if rules is None:
        return
    parse = rules.get("parse") or []
    for kind in ("roles", "users"):
        listed = rules.get(kind) or []
        if len(listed) > MENTION_IDS_MAX:
            form.add(("allowed_mentions", kind), "BASE_TYPE_MAX_LENGTH", "Too many ids.")
        if listed and kind in parse:
            form.add(
                ("allowed_mentions",),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
    for kind in parse:
        if kind not in ("roles", "users", "everyone"):
            form.add(("allowed_mentions", "parse"), "BASE_TYPE_CHOICES", f"{kind!r} is not one of.")


POLL_QUESTION_MAX = 300
POLL_ANSWERS_MAX = 10
POLL_ANSWER_MAX = 55
POLL_HOURS_MAX = 32 * 24  # 768 hours


def check_poll(form: Form, poll: dict[str, Any]) -> None:
    """A native poll request: a question of up to 300 characters, 1 to 10 text answers of up to
    55, a duration of 1 to 768 hours (default 24), layout 1."""
    at: Path = ("poll",)
    question = poll.get("question") or {}
    form.length(
        (*at, "question", "text"), question.get("text"), 1, POLL_QUESTION_MAX, required=True
    )
    answers = poll.get("answers")
    if not isinstance(answers, list):
        form.add((*at, "answers"), "BASE_TYPE_REQUIRED", "This field is required")
        return
    form.count((*at, "answers"), answers, 1, POLL_ANSWERS_MAX)
    for i, answer in enumerate(answers):
        media = answer.get("poll_media") or {}
        text_at = (*at, "answers", i, "poll_media", "text")
        form.length(text_at, media.get("text"), 1, POLL_ANSWER_MAX, required=True)
    duration = poll.get("duration")
    # discord.py sends whole hours as a float (2.0); Discord takes them.
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not float(duration).is_integer()
        or not 1 <= duration <= POLL_HOURS_MAX
    ):
        form.add(
            (*at, "duration"),
            "NUMBER_TYPE_MAX",
            f"int value should be between 1 and {POLL_HOURS_MAX}.",
        )
    if poll.get("layout_type", 1) != 1:
        form.add((*at, "layout_type"), "BASE_TYPE_CHOICES", "Value must be one of {1}.")


def check_modal(data: dict[str, Any]) -> None:
    """A modal: title 45, 1-5 components, text inputs' labels, lengths and custom_ids."""
    form = Form()
    form.length(("data", "title"), data.get("title"), 1, 45, required=True)
    form.length(("data", "custom_id"), data.get("custom_id"), 1, 100, required=True)
    components = data.get("components") or []
    form.count(("data", "components"), components, 1, 5)
    for i, comp in enumerate(components):
        at: Path = ("data", "components", i)
        kind = comp.get("type")
        if kind == 18:
            form.length((*at, "label"), comp.get("label"), 1, 45, required=True)
            form.length((*at, "description"), comp.get("description"), 0, 100)
            inner = [comp.get("component") or {}]
            labelled = True
        elif kind == 1:
            inner = comp.get("components") or []
            form.count((*at, "components"), inner, 1, 1)
            labelled = False
        elif kind == 10:
            continue
        else:
            form.add((*at, "type"), "COMPONENT_TYPE_INVALID", "Invalid modal component type.")
            continue
        for j, item in enumerate(inner):
            where: Path = (*at, "component") if labelled else (*at, "components", j)
            if item.get("type") == 4:
                if not labelled:
                    form.length((*where, "label"), item.get("label"), 1, 45, required=True)
                form.length((*where, "custom_id"), item.get("custom_id"), 1, 100, required=True)
                form.length((*where, "value"), item.get("value"), 0, 4000)
                form.length((*where, "placeholder"), item.get("placeholder"), 0, 100)
                if not 0 <= item.get("min_length", 0) <= 4000:
                    form.add((*where, "min_length"), "NUMBER_TYPE_MAX", "Between 0 and 4000.")
                if not 1 <= item.get("max_length", 4000) <= 4000:
                    form.add((*where, "max_length"), "NUMBER_TYPE_MAX", "Between 1 and 4000.")
            elif item.get("type") in SELECT_TYPES:
                _check_select(form, where, item)
            else:
                form.add((*where, "type"), "COMPONENT_TYPE_INVALID", "Invalid modal component.")
    form.raise_if_any()


# ---------------------------------------------------------------- application commands


def valid_command_name(name: Any) -> bool:
    """``^[-_\\p{L}\\p{N}]{1,32}$`` and lower-case, Discord's rule for slash names."""
    return (
        isinstance(name, str)
        and 1 <= len(name) <= 32
        and name == name.lower()
        and all(ch in "-_" or unicodedata.category(ch)[0] in "LN" for ch in name)
    )


def _check_name(form: Form, at: Path, name: Any, localized: dict[str, Any] | None) -> None:
    if not valid_command_name(name):
        form.add(
            (*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}"
        )
    for locale, value in (localized or {}).items():
        if not valid_command_name(value):
            form.add(
                (*at, "name_localizations", locale),
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {value!r}",
            )


def _check_description(form: Form, at: Path, text: Any, localized: dict[str, Any] | None) -> None:
    form.length((*at, "description"), text, 1, 100, required=True)
    for locale, value in (localized or {}).items():
        form.length((*at, "description_localizations", locale), value, 1, 100, required=True)


def _text_size(node: dict[str, Any]) -> int:
    size = len(str(node.get("name", ""))) + len(str(node.get("description", "")))
    for choice in node.get("choices") or []:
        size += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    return size + sum(_text_size(o) for o in node.get("options") or [])


def _check_options(form: Form, at: Path, options: list[dict[str, Any]], parent_type: int) -> None:
    form.count((*at, "options"), options, 0, 25)
    names: set[str] = set()
    optional_seen = False
    for i, opt in enumerate(options):
        where: Path = (*at, "options", i)
        kind = opt.get("type")
        _check_name(form, where, opt.get("name"), opt.get("name_localizations"))
        _check_description(
            form, where, opt.get("description"), opt.get("description_localizations")
        )
        if opt.get("name") in names:
            form.add(where, "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Duplicate name.")
        names.add(str(opt.get("name")))
        if kind in (1, 2):
            if parent_type == 1 or (parent_type == 2 and kind == 2):
                form.add(
                    (*where, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Bad nesting."
                )
            _check_options(form, where, opt.get("options") or [], kind)
            continue
        if parent_type == 2:
            form.add((*where, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Bad nesting.")
        if opt.get("required"):
            if optional_seen:
                form.add(
                    where,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = opt.get("choices") or []
        form.count((*where, "choices"), choices, 0, 25)
        if choices and opt.get("autocomplete"):
            form.add(where, "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID", "Choices or autocomplete.")
        for j, choice in enumerate(choices):
            form.length((*where, "choices", j, "name"), choice.get("name"), 1, 100, required=True)
            for locale, value in (choice.get("name_localizations") or {}).items():
                form.length((*where, "choices", j, "name_localizations", locale), value, 1, 100)
            if isinstance(choice.get("value"), str):
                form.length((*where, "choices", j, "value"), choice["value"], 1, 100)
        if opt.get("min_length") is not None and not 0 <= opt["min_length"] <= 6000:
            form.add((*where, "min_length"), "NUMBER_TYPE_MAX", "Between 0 and 6000.")
        if opt.get("max_length") is not None and not 1 <= opt["max_length"] <= 6000:
            form.add((*where, "max_length"), "NUMBER_TYPE_MAX", "Between 1 and 6000.")


def check_commands(commands: list[dict[str, Any]]) -> None:
    """A bulk overwrite: names, descriptions and localizations, options, choices, counts."""
    form = Form()
    if not isinstance(commands, list):
        form.add((), "BASE_TYPE_ARRAY", "Must be an array.")
        form.raise_if_any()
    if sum(1 for c in commands if c.get("type", 1) == 1) > COMMANDS_MAX:
        form.add((), "BASE_TYPE_MAX_LENGTH", f"Must be {COMMANDS_MAX} or fewer in length.")
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        at: Path = (i,)
        kind = cmd.get("type", 1)
        key = (kind, str(cmd.get("name")))
        if key in seen:
            form.add((*at, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Duplicate name.")
        seen.add(key)
        if kind == 1:
            _check_name(form, at, cmd.get("name"), cmd.get("name_localizations"))
            _check_description(
                form, at, cmd.get("description"), cmd.get("description_localizations")
            )
            _check_options(form, at, cmd.get("options") or [], 0)
            if _text_size(cmd) > COMMAND_CHARS_MAX:
                form.add(at, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds 4000 characters.")
        else:
            form.length((*at, "name"), cmd.get("name"), 1, 32, required=True)
            if cmd.get("description"):
                form.add((*at, "description"), "BASE_TYPE_MAX_LENGTH", "Must be empty.")
    form.raise_if_any()


def check_autocomplete(data: dict[str, Any]) -> None:
    """An autocomplete answer: at most 25 choices, names and string values 1-100."""
    form = Form()
    choices = data.get("choices") or []
    form.count(("data", "choices"), choices, 0, 25)
    for j, choice in enumerate(choices):
        form.length(("data", "choices", j, "name"), choice.get("name"), 1, 100, required=True)
        if isinstance(choice.get("value"), str):
            form.length(("data", "choices", j, "value"), choice["value"], 0, 100)
    form.raise_if_any()


# ---------------------------------------------------------------- guild objects


def check_channel(payload: dict[str, Any], *, creating: bool) -> None:
    """Channel name 1-100 (required on create) and topic 1,024."""
    form = Form()
    form.length(("name",), payload.get("name"), 1, 100, required=creating)
    form.length(("topic",), payload.get("topic"), 0, 1024)
    form.raise_if_any()


def check_room_for_channel(guild: Guild, parent_id: int | None, moving: int | None = None) -> None:
    """500 channels per guild (threads aside) on create; 50 per category on create and on a
    move into it (``moving`` is the channel being moved, which does not count twice)."""
    if moving is None:
        channels = sum(1 for c in guild.channels.values() if not c.is_thread)
        if channels >= GUILD_CHANNELS_MAX:
            raise MaxChannels
    if parent_id is None:
        return
    parent = guild.channels.get(parent_id)
    if parent is None or parent.type != CATEGORY:
        raise InvalidFormBody(
            {
                "parent_id": {
                    "_errors": [
                        {
                            "code": "CHANNEL_PARENT_INVALID_TYPE",
                            "message": "Invalid parent channel type.",
                        }
                    ]
                }
            }
        )
    children = sum(
        1
        for c in guild.channels.values()
        if c.parent_id == parent_id and not c.is_thread and c.id != moving
    )
    if children >= CATEGORY_CHILDREN_MAX:
        raise InvalidFormBody(
            {
                "parent_id": {
                    "_errors": [
                        {
                            "code": "CHANNEL_PARENT_MAX_CHANNELS",
                            "message": "Maximum number of channels in category reached (50)",
                        }
                    ]
                }
            }
        )


def check_room_for_role(guild: Guild) -> None:
    """250 roles per guild, @everyone and managed roles included."""
    if len(guild.roles) >= GUILD_ROLES_MAX:
        raise MaxRoles


def check_role(payload: dict[str, Any]) -> None:
    """Role name 1-100."""
    form = Form()
    form.length(("name",), payload.get("name"), 1, 100)
    form.raise_if_any()


def check_scheduled_event(merged: dict[str, Any], *, now: datetime, creating: bool) -> None:
    """A scheduled event after applying the request: lengths, entity rules, times."""
    form = Form()
    form.length(("name",), merged.get("name"), 1, 100, required=True)
    form.length(("description",), merged.get("description"), 0, 1000)
    start: datetime | None = merged.get("scheduled_start_time")
    end: datetime | None = merged.get("scheduled_end_time")
    if start is None:
        form.add(("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required")
    elif creating and start < now:
        form.add(
            ("scheduled_start_time",),
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
            "Cannot schedule event in the past.",
        )
    if start is not None and end is not None and end <= start:
        form.add(
            ("scheduled_end_time",),
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "Cannot schedule event to end before starting.",
        )
    kind = merged.get("entity_type")
    if kind == 3:
        form.length(("entity_metadata", "location"), merged.get("location"), 1, 100, required=True)
        if end is None:
            form.add(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required")
        if merged.get("channel_id"):
            form.add(("channel_id",), "BASE_TYPE_INVALID", "Must be null for external events.")
    elif kind in (1, 2):
        if not merged.get("channel_id"):
            form.add(("channel_id",), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        form.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
    form.raise_if_any()
