"""Messages as readable plain text, for the demo transcript and the interactive prompt.

Discord's client renders ``<t:UNIX:STYLE>`` timestamps itself, in the reader's language and the
zone of the reader's device; a :class:`Viewer` says who reads. For Finnish Discord in Helsinki
``<t:UNIX:F>`` is ``keskiviikko 2. joulukuuta 2026 14.00`` and ``<t:UNIX:R>`` is
``2 tunnin päästä``; the formats are CLDR's (Babel), as Discord's client takes them from the
browser's Intl. Without a viewer (a transcript for no one in particular) a time is shown in a
fixed form that names its zone, ``Thu 3 Dec 2026 14:00 UTC``. Relative times are counted from a
given ``now`` and rounded as Discord rounds them (90 minutes is "in 2 hours"), so a transcript is
reproducible.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

from bot.sandbox.models import EPHEMERAL, LOADING, Message

TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
# Discord's relative times (moment.js's thresholds): the largest unit the span reaches, rounded
# to the nearest whole one; under 45 seconds is "a few seconds".
UNITS = (
    ("year", 365 * 86400, 320 * 86400),
    ("month", 30 * 86400, 26 * 86400),
    ("day", 86400, 22 * 3600),
    ("hour", 3600, 45 * 60),
    ("minute", 60, 45),
)


@dataclass(frozen=True)
class Viewer:
    """Whose Discord shows the message: the client's language and the device's time zone."""

    locale: str = "en-US"
    zone: str = "UTC"

    @property
    def babel(self) -> Locale:
        try:
            return Locale.parse(self.locale.replace("-", "_"))
        except (ValueError, UnknownLocaleError):  # unknown to Babel: English, as Discord does
            return Locale.parse("en_US")


def relative_parts(moment: datetime, now: datetime) -> tuple[str | None, int, bool]:
    """``(unit, count, ahead)`` as Discord counts a relative time; unit None is "a few
    seconds"."""
    seconds = (moment - now).total_seconds()
    # This very second is past, as in Discord (moment.js: only ``diff > 0`` is the future): a
    # request opened now reads "a few seconds ago", never "in 1 second".
    ahead, span = seconds > 0, abs(seconds)
    for name, size, reaches in UNITS:
        if span >= reaches:
            return name, max(1, math.floor(span / size + 0.5)), ahead
    return None, 0, ahead


def _relative(moment: datetime, now: datetime, viewer: Viewer | None) -> str:
    unit, count, ahead = relative_parts(moment, now)
    if viewer is None:
        if unit is None:
            return "in a few seconds" if ahead else "a few seconds ago"
        text = f"{count} {unit}{'s' if count != 1 else ''}"
        return f"in {text}" if ahead else f"{text} ago"
    locale = viewer.babel
    if unit is None:
        unit, count = "second", max(1, round(abs((moment - now).total_seconds())))
    # CLDR's relative-time patterns ("in {0} hours", "{0} tunnin päästä"), by plural form.
    patterns = locale._data["date_fields"][unit]["future" if ahead else "past"]
    return str(patterns[locale.plural_form(count)]).replace("{0}", str(count))


def _absolute(moment: datetime, style: str, viewer: Viewer) -> str:
    """One of Discord's absolute styles (t T d D f F) in the viewer's language and zone."""
    local = moment.astimezone(ZoneInfo(viewer.zone))
    locale = viewer.babel
    clock = format_time(local, "short", locale=locale)
    if style == "t":
        return clock
    if style == "T":
        return format_time(local, "medium", locale=locale)
    if style == "d":
        return format_date(local, "short", locale=locale)
    date = format_date(local, "long" if style in "Df" else "full", locale=locale)
    if style == "D":
        return date
    combined = str(locale.datetime_formats["long" if style == "f" else "full"])
    # CLDR's pattern joins date {1} and time {0}, with quoted literals such as 'klo'.
    return re.sub(r"'([^']*)'", r"\1", combined).replace("{1}", date).replace("{0}", clock)


def render_timestamps(text: str, now: datetime | None = None, viewer: Viewer | None = None) -> str:
    """Replace Discord's ``<t:...>`` markup with what ``viewer``'s Discord shows (or the fixed
    UTC form without one)."""
    now = now or datetime.now(UTC)

    def one(match: re.Match[str]) -> str:
        moment = datetime.fromtimestamp(int(match.group(1)), UTC)
        style = match.group(2) or "f"
        if style == "R":
            return _relative(moment, now, viewer)
        if viewer is not None:
            return _absolute(moment, style, viewer)
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


def _components(
    components: list[dict[str, Any]], out: list[str], stamp: Callable[[str], str]
) -> None:
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
            out.append("  " + stamp(comp.get("content", "")))
        elif kind in (9, 17):
            _components(comp.get("components", []), out, stamp)
            if isinstance(comp.get("accessory"), dict):
                _components([{"type": 1, "components": [comp["accessory"]]}], out, stamp)
        elif kind == 14:
            out.append("  ---")


def render_message(
    msg: Message, *, now: datetime | None = None, viewer: Viewer | None = None
) -> str:
    """Author, content, embeds, components and attachments as a few lines of text, with
    timestamps as ``viewer``'s Discord shows them."""
    moment = now or datetime.now(UTC)

    def stamp(text: str) -> str:
        return render_timestamps(text, moment, viewer)

    head = msg.author.name + (" (only you)" if msg.flags & EPHEMERAL else "")
    out = [f"{head}:"]
    if msg.flags & LOADING:
        out.append(f"  {msg.author.name} is thinking...")
    if msg.content:
        out.extend("  " + line for line in stamp(msg.content).splitlines())
    for embed in msg.embeds:
        if embed.get("title"):
            out.append(f"  | {stamp(embed['title'])}")
        if embed.get("description"):
            for line in stamp(embed["description"]).splitlines():
                out.append(f"  | {line}")
        for fld in embed.get("fields", []):
            name = stamp(fld.get("name", ""))
            out.append(f"  | {name}: {stamp(fld.get('value', ''))}")
        footer = (embed.get("footer") or {}).get("text")
        if footer:
            out.append(f"  | -- {stamp(footer)}")
    if msg.poll is not None:
        state = "closed" if msg.poll.finalized(moment) else "open"
        out.append(f"  📊 {msg.poll.question} (Discord poll, {state})")
        for number, answer in enumerate(msg.poll.answers, start=1):
            out.append(f"  ( ) {answer}: {msg.poll.count(number)}")
    _components(msg.components, out, stamp)
    for att in msg.attachments:
        out.append(f"  📎 {att.filename} ({len(att.data)} bytes)")
    return "\n".join(out)
