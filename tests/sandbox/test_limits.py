"""Discord's limits as one table: each payload breaks exactly one rule and gets 400 50035."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.sandbox import limits
from bot.sandbox.errors import CannotSendEmptyMessage, InvalidFormBody
from bot.sandbox.models import COMPONENTS_V2, Message, User
from bot.sandbox.render import render_timestamps

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def button(label: str = "Go", custom_id: str = "go") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


def row(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(items)}


def select(n: int, **extra: Any) -> dict[str, Any]:
    options = [{"label": f"o{i}", "value": f"v{i}"} for i in range(n)]
    return {"type": 3, "custom_id": "pick", "options": options} | extra


BAD_MESSAGES = {
    "11 embeds": {"embeds": [{"title": "t"}] * 11},
    "embed title 257": {"embeds": [{"title": "t" * 257}]},
    "26 embed fields": {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]},
    "field value 1025": {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]},
    "6 action rows": {"components": [row(button(custom_id=f"b{i}")) for i in range(6)]},
    "6 buttons in a row": {"components": [row(*(button(custom_id=f"b{i}") for i in range(6)))]},
    "select beside a button": {"components": [row(select(2), button())]},
    "button label 81": {"components": [row(button(label="x" * 81))]},
    "duplicate custom_id": {"components": [row(button(custom_id="a"), button(custom_id="a"))]},
    "empty custom_id": {"components": [row(button(custom_id=""))]},
    "placeholder 151": {"components": [row(select(2, placeholder="p" * 151))]},
    "option label 101": {
        "components": [
            row(select(1) | {"options": [{"label": "l" * 101, "value": "v"}]}),
        ]
    },
    "max_values over options": {"components": [row(select(2, max_values=3))]},
    "V2 with content": {
        "content": "hi",
        "flags": COMPONENTS_V2,
        "components": [{"type": 10, "content": "x"}],
    },
    "V2 with 41 components": {
        "flags": COMPONENTS_V2,
        "components": [{"type": 10, "content": "x"}] * 41,
    },
    "roles parsed and listed": {
        "content": "x",
        "allowed_mentions": {"parse": ["roles"], "roles": [1]},
    },
    "101 user ids": {"content": "x", "allowed_mentions": {"parse": [], "users": list(range(101))}},
    "unknown parse kind": {"content": "x", "allowed_mentions": {"parse": ["channels"]}},
}


@pytest.mark.parametrize("payload", BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_bad_messages(payload: dict[str, Any]) -> None:
    with pytest.raises(InvalidFormBody):
        limits.check_message(payload, creating=True)


def test_good_message_and_empty_message() -> None:
    limits.check_message(
        {"content": "x" * 2000, "components": [row(select(25, max_values=25))]}, creating=True
    )
    with pytest.raises(CannotSendEmptyMessage):
        limits.check_message({"content": ""}, creating=True)


def modal(**changes: Any) -> dict[str, Any]:
    field = {"type": 4, "style": 1, "label": "Name", "custom_id": "name"}
    return {"custom_id": "m", "title": "Form", "components": [row(field)]} | changes


@pytest.mark.parametrize(
    "data",
    [
        modal(title="t" * 46),
        modal(components=[]),
        modal(
            components=[
                row({"type": 4, "style": 1, "label": f"L{i}", "custom_id": str(i)})
                for i in range(6)
            ]
        ),
        modal(components=[row({"type": 4, "style": 1, "label": "l" * 46, "custom_id": "x"})]),
    ],
    ids=["title-46", "no-components", "6-components", "label-46"],
)
def test_bad_modals(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidFormBody):
        limits.check_modal(data)


def command(**changes: Any) -> dict[str, Any]:
    return {"name": "event", "description": "Events", "options": []} | changes


def option(name: str = "when", **changes: Any) -> dict[str, Any]:
    return {"name": name, "description": "d", "type": 3} | changes


BAD_COMMANDS = {
    "upper-case name": [command(name="Event")],
    "space in name": [command(name="my event")],
    "name 33": [command(name="e" * 33)],
    "upper-case localized name": [command(name_localizations={"fi": "Tapahtuma"})],
    "description 101": [command(description="d" * 101)],
    "empty description": [command(description="")],
    "localized description 101": [command(description_localizations={"fi": "d" * 101})],
    "26 options": [command(options=[option(f"o{i}") for i in range(26)])],
    "26 choices": [
        command(options=[option(choices=[{"name": str(i), "value": str(i)} for i in range(26)])])
    ],
    "required after optional": [command(options=[option("a"), option("b", required=True)])],
    "duplicate commands": [command(), command()],
    "101 commands": [command(name=f"c{i}") for i in range(101)],
}


@pytest.mark.parametrize("payload", BAD_COMMANDS.values(), ids=BAD_COMMANDS.keys())
def test_bad_commands(payload: list[dict[str, Any]]) -> None:
    with pytest.raises(InvalidFormBody):
        limits.check_commands(payload)


def test_good_commands_include_non_latin_letters() -> None:
    limits.check_commands([command(name="tapahtumat", name_localizations={"fi": "tietoja-ö"})])


def event(**changes: Any) -> dict[str, Any]:
    start = NOW + timedelta(days=1)
    return {
        "name": "Kickoff",
        "entity_type": 3,
        "location": "Hall",
        "scheduled_start_time": start,
        "scheduled_end_time": start + timedelta(hours=1),
    } | changes


@pytest.mark.parametrize(
    "merged",
    [
        event(name="n" * 101),
        event(description="d" * 1001),
        event(location="l" * 101),
        event(location=None),
        event(scheduled_end_time=None),
        event(scheduled_start_time=NOW - timedelta(minutes=1)),
        event(scheduled_end_time=NOW),
        event(entity_type=2),
    ],
    ids=["name", "description", "location", "no-location", "no-end", "past", "end-first", "voice"],
)
def test_bad_scheduled_events(merged: dict[str, Any]) -> None:
    with pytest.raises(InvalidFormBody):
        limits.check_scheduled_event(merged, now=NOW, creating=True)


def test_timestamps_render_in_utc_and_relative() -> None:
    start = int(datetime(2026, 12, 3, 14, 0, tzinfo=UTC).timestamp())
    text = render_timestamps(f"<t:{start}:F> (<t:{start}:R>)", NOW)
    assert text == "Thu 3 Dec 2026 14:00 UTC (in 5 days)"
    # 1 day 20 hours ago: Discord rounds to the nearest day.
    assert render_timestamps(f"<t:{start}:R>", NOW + timedelta(days=7)) == "2 days ago"


NOTIFIED = {
    "no rules: everything in the content": (None, (True, {5}, {7})),
    "parse nothing": ({"parse": []}, (False, set(), set())),
    "one role by id": ({"parse": [], "roles": [5]}, (False, {5}, set())),
    "another role by id": ({"parse": [], "roles": [6]}, (False, set(), set())),
    "users only": ({"parse": ["users"]}, (False, set(), {7})),
}


@pytest.mark.parametrize(("rules", "expected"), NOTIFIED.values(), ids=NOTIFIED.keys())
def test_who_a_message_notifies(rules: dict[str, Any] | None, expected: Any) -> None:
    """Discord's allowed_mentions rules: only the content's mentions, filtered by the rules."""
    author = User(1, "bot")
    message = Message(2, 3, 4, author, NOW, content="<@&5> <@7> @everyone", mention_rules=[rules])
    assert message.notified() == expected
