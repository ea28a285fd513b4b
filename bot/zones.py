"""Time zones by name: an IANA name, or a city or country in English or Finnish.

Kept free of Discord so the time grammar (bot/timeparse.py) reads ``14:00 Helsinki time`` with the
same lookup ``/timezone set`` uses.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import UserFacingError
from bot.i18n import _


@cache
def all_zones() -> frozenset[str]:
    """Every IANA zone name; read from tzdata on first use, not at import (start-up time)."""
    return frozenset(available_timezones())


def pick_zone(name: str) -> ZoneInfo:
    """The zone a member typed (an IANA name, or a city or country with one zone, in English or
    Finnish: ``helsinki``, ``Suomi``, ``Bryssel``), or a readable refusal."""
    if name in all_zones():
        return ZoneInfo(name)
    needle = folded(name)
    named = [zone for zone, words in zone_words().items() if needle and needle in words]
    if any("/" in zone for zone in named):  # Europe/Brussels, not the CET that shares its city
        named = [zone for zone in named if "/" in zone]
    by_city = [zone for zone in named if folded(zone.rsplit("/", 1)[-1]) == needle]
    if len(by_city) == 1:  # America/New_York, not its alias US/Eastern
        named = by_city
    if len(named) == 1:
        return ZoneInfo(named[0])
    raise UserFacingError(
        _("“{zone}” is not a time zone I know. Pick one from the list, e.g. Europe/Helsinki."),
        zone=name,
    )


def folded(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


@cache
def zone_words() -> dict[str, frozenset[str]]:
    """For each zone, the words a member may look it up by: its IANA name and city, and the
    city and country names in English and Finnish (from Babel's CLDR data). Built once."""
    from babel import Locale
    from babel.core import get_global
    from babel.dates import get_timezone_location

    countries: dict[str, set[str]] = {}
    for territory, zones in get_global("territory_zones").items():
        for zone in zones:
            names = countries.setdefault(zone, set())
            for language in SUPPORTED_ZONE_LANGUAGES:
                name = Locale(language).territories.get(territory)
                if name:
                    names.add(folded(name))
    found = {}
    for zone in all_zones():
        words = {folded(zone), folded(zone.rsplit("/", 1)[-1]), *countries.get(zone, ())}
        for language in SUPPORTED_ZONE_LANGUAGES:
            try:
                words.add(folded(get_timezone_location(zone, locale=language, return_city=True)))
            except (LookupError, ValueError):
                continue
        found[zone] = frozenset(words)
    return found


SUPPORTED_ZONE_LANGUAGES = ("en", "fi")
