"""Messages as readable plain text, for the demo transcript and the interactive prompt.

Discord timestamps render as a fixed UTC time (``<t:UNIX:F>`` -> ``Thu 3 Dec 2026 14:00 UTC``) or
relative to a given ``now`` (``<t:UNIX:R>`` -> ``in 3 days``), so a transcript is reproducible.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.sandbox.models import EPHEMERAL, LOADING, Message

TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def _relative(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    ahead, span = seconds >= 0, abs(seconds)
    for name, size in UNITS:
        if span >= size:
            count = int(span // size)
            text = f"{count} {name}{'s' if count != 1 else ''}"
            return f"in {text}" if ahead else f"{text} ago"
    return "in a few seconds" if ahead else "a few seconds ago"


def render_timestamps(text: str, now: datetime | None = None) -> str:
    """Replace Discord's ``<t:...>`` markup with what a UTC reader would see."""
    now = now or datetime.now(UTC)

    def one(match: re.Match[str]) -> str:
        moment = datetime.fromtimestamp(int(match.group(1)), UTC)
        style = match.group(2) or "f"
        if style == "R":
            return _relative(moment, now)
        day = f"{moment.day} {moment:%b %Y}"
        clock = f"{moment:%H:%M}"
        return {
            "t": f"{clock} UTC",
            "T": f"{moment:%H:%M:%S} UTC",
            "d": f"{moment:%Y-%m-%d}",
            "D": day,
            "f": f"{day} {clock} UTC",
            "F": f"{moment:%a} {day} {clock} UTC",
        }[style]

    return TIMESTAMP.sub(one, text)


def _components(components: list[dict[str, Any]], out: list[str], now: datetime) -> None:
    for comp in components:
        kind = comp.get("type")
        if kind == 1:
            parts = []
            for item in comp.get("components", []):
                if item.get("type") == 2:
                    label = item.get("label") or (item.get("emoji") or {}).get("name") or "?"
                    parts.append(f"[{label}{' (disabled)' if item.get('disabled') else ''}]")
                else:
                    options = " | ".join(o["label"] for o in item.get("options", []))
                    placeholder = item.get("placeholder") or "select"
                    parts.append(f"<{placeholder}: {options}>" if options else f"<{placeholder}>")
            out.append("  " + " ".join(parts))
        elif kind == 10:
            out.append("  " + render_timestamps(comp.get("content", ""), now))
        elif kind in (9, 17):
            _components(comp.get("components", []), out, now)
            if isinstance(comp.get("accessory"), dict):
                _components([{"type": 1, "components": [comp["accessory"]]}], out, now)
        elif kind == 14:
            out.append("  ---")


def render_message(msg: Message, *, now: datetime | None = None) -> str:
    """Author, content, embeds, components and attachments as a few lines of text."""
    now = now or datetime.now(UTC)
    head = msg.author.name + (" (only you)" if msg.flags & EPHEMERAL else "")
    out = [f"{head}:"]
    if msg.flags & LOADING:
        out.append(f"  {msg.author.name} is thinking...")
    if msg.content:
        out.extend("  " + line for line in render_timestamps(msg.content, now).splitlines())
    for embed in msg.embeds:
        if embed.get("title"):
            out.append(f"  | {render_timestamps(embed['title'], now)}")
        if embed.get("description"):
            for line in render_timestamps(embed["description"], now).splitlines():
                out.append(f"  | {line}")
        for fld in embed.get("fields", []):
            name = render_timestamps(fld.get("name", ""), now)
            out.append(f"  | {name}: {render_timestamps(fld.get('value', ''), now)}")
        footer = (embed.get("footer") or {}).get("text")
        if footer:
            out.append(f"  | -- {render_timestamps(footer, now)}")
    if msg.poll is not None:
        state = "closed" if msg.poll.finalized(now) else "open"
        out.append(f"  📊 {msg.poll.question} (Discord poll, {state})")
        for number, answer in enumerate(msg.poll.answers, start=1):
            out.append(f"  ( ) {answer}: {msg.poll.count(number)}")
    _components(msg.components, out, now)
    for att in msg.attachments:
        out.append(f"  📎 {att.filename} ({len(att.data)} bytes)")
    return "\n".join(out)
