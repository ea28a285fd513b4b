"""Timestamps as each member's Discord shows them: their language, their device's zone, and
Discord's rounding of relative times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.sandbox.render import Viewer, render_timestamps

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
AT = int((NOW + timedelta(minutes=90)).timestamp())  # 13:30 UTC

AINO = Viewer("fi", "Europe/Helsinki")
SOFIA = Viewer("en-GB", "Europe/Brussels")
LENA = Viewer("de", "Europe/Berlin")
NEW_YORK = Viewer("en-US", "America/New_York")


@pytest.mark.parametrize(
    ("viewer", "style", "shown"),
    [
        (AINO, "F", "tiistai 1. joulukuuta 2026 15.30"),
        (AINO, "f", "1. joulukuuta 2026 15.30"),
        (AINO, "t", "15.30"),
        (AINO, "d", "1.12.2026"),
        (AINO, "R", "2 tunnin päästä"),
        (SOFIA, "F", "Tuesday, 1 December 2026, 14:30"),
        (SOFIA, "D", "1 December 2026"),
        (SOFIA, "R", "in 2 hours"),
        (LENA, "F", "Dienstag, 1. Dezember 2026, 14:30"),
        (LENA, "R", "in 2 Stunden"),
        (NEW_YORK, "t", "8:30\u202fAM"),
        (Viewer("xx-YY", "UTC"), "t", "1:30\u202fPM"),  # a language Babel lacks: English
        (None, "F", "Tue 1 Dec 2026 13:30 UTC"),  # no viewer: the fixed UTC form
    ],
)
def test_each_viewer_sees_their_language_and_zone(
    viewer: Viewer | None, style: str, shown: str
) -> None:
    assert render_timestamps(f"<t:{AT}:{style}>", NOW, viewer) == shown


@pytest.mark.parametrize(
    ("offset", "shown"),
    [
        (timedelta(seconds=30), "in a few seconds"),
        (timedelta(minutes=44), "in 44 minutes"),
        (timedelta(minutes=50), "in 1 hour"),
        (timedelta(minutes=90), "in 2 hours"),  # Discord rounds; never "in 1 hour"
        (timedelta(hours=21, minutes=29), "in 21 hours"),
        (timedelta(hours=23), "in 1 day"),
        (timedelta(days=2, hours=12), "in 3 days"),
        (-timedelta(hours=2, minutes=31), "3 hours ago"),
        (timedelta(days=45), "in 2 months"),
        (timedelta(days=400), "in 1 year"),
    ],
)
def test_relative_times_round_as_discord_does(offset: timedelta, shown: str) -> None:
    moment = int((NOW + offset).timestamp())
    assert render_timestamps(f"<t:{moment}:R>", NOW) == shown


@pytest.mark.parametrize(
    ("viewer", "shown"), [(None, "a few seconds ago"), (AINO, "1 sekunti sitten")]
)
def test_the_present_moment_is_past_not_future(viewer: Viewer | None, shown: str) -> None:
    """What happened at this very second (a request opened now, on a clock that stands still)
    reads as just past: Discord counts a span of 0 as past, like moment.js (``diff > 0`` is
    the future), never "in 1 second"."""
    assert render_timestamps(f"<t:{int(NOW.timestamp())}:R>", NOW, viewer) == shown
