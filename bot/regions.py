"""Regions: ISO 3166-2 subdivisions by code and by name, in their own language, English and Finnish.

The data is pycountry's copy of Debian's iso-codes (kept up to date upstream, with translations),
so Lapland = Lappi = FI-10 without a list of our own. A region the list lacks is kept as the text
the member typed. Plain Python, no discord import: shared by groups (profiles, partnerships)
and polls (electorates by region).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from bot.errors import UserFacingError
from bot.i18n import _
from db.groups import region_key

# Discord: an autocomplete answers with at most 25 choices; a choice name is 1-100 characters.
MAX_CHOICES = 25
MAX_REGION_TEXT = 100
_CODE = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")
# "Catalunya [Cataluña]" names an alias; "Uppsala län [SE-03]" an older code, not a name.
_BRACKETED = re.compile(r"^(?P<main>.*?)\s*\[(?P<alias>[^\]]+)\]\s*$")


def fold(text: str) -> str:
    """A name as compared: Unicode-normalised, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def loose(text: str) -> str:
    """For matching what a member types: folded and without accents (paijat-hame finds
    Päijät-Häme), hyphens as spaces."""
    decomposed = unicodedata.normalize("NFKD", fold(text).replace("-", " "))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class Region:
    """One ISO 3166-2 subdivision and the names it answers to."""

    code: str  # FI-10
    country: str  # FI
    name: str  # in its own language: Lappi
    english: str  # Lapland
    finnish: str  # Lappi
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every distinct name, own language first."""
        seen: dict[str, str] = {}
        for name in (self.name, self.english, self.finnish, *self.aliases):
            seen.setdefault(fold(name), name)
        return tuple(seen.values())

    def display(self, language: str) -> str:
        """The name a reader of ``language`` knows best, with the own name beside it."""
        preferred = self.finnish if language == "fi" else self.english
        if fold(preferred) == fold(self.name):
            return self.name
        return f"{preferred} ({self.name})"

    in_language = display  # named in the reader's language in any message (bot.i18n.translate)


@dataclass(frozen=True)
class Country:
    code: str  # FI
    english: str
    finnish: str

    def display(self, language: str) -> str:
        return self.finnish if language == "fi" else self.english

    in_language = display


@cache
def _translator(domain: str, language: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _split_name(raw: str) -> tuple[str, tuple[str, ...]]:
    match = _BRACKETED.match(raw)
    if match is None:
        return raw, ()
    alias = match.group("alias")
    if _CODE.match(alias) or fold(alias) == fold(match.group("main")):
        return match.group("main"), ()
    return match.group("main"), (alias,)


@cache
def _regions() -> dict[str, Region]:
    """Every subdivision by code, read once (about 5,000; 25 ms)."""
    english = _translator("iso3166-2", "en")
    finnish = _translator("iso3166-2", "fi")
    import pycountry  # read on the first lookup, not at start

    result: dict[str, Region] = {}
    for sub in pycountry.subdivisions:
        own, aliases = _split_name(sub.name)
        result[sub.code.upper()] = Region(
            code=sub.code.upper(),
            country=sub.country_code.upper(),
            name=own,
            english=_split_name(english.gettext(sub.name))[0],
            finnish=_split_name(finnish.gettext(sub.name))[0],
            aliases=aliases,
        )
    return result


@cache
def _by_country() -> dict[str, tuple[Region, ...]]:
    grouped: dict[str, list[Region]] = defaultdict(list)
    for region in _regions().values():
        grouped[region.country].append(region)
    return {code: tuple(sorted(rs, key=lambda r: loose(r.name))) for code, rs in grouped.items()}


@cache
def _countries() -> dict[str, Country]:
    import pycountry

    finnish = _translator("iso3166-1", "fi")
    return {
        c.alpha_2: Country(c.alpha_2, c.name, finnish.gettext(c.name)) for c in pycountry.countries
    }


def region(code: str) -> Region | None:
    """The subdivision with this ISO 3166-2 code (any case), or None."""
    return _regions().get(code.strip().upper())


def subdivisions(country: str) -> tuple[Region, ...]:
    """A country's subdivisions, sorted by name."""
    return _by_country().get(country.strip().upper(), ())


def country(text: str) -> Country | None:
    """A country by alpha-2 code or by its English or Finnish name."""
    text = text.strip()
    found = _countries().get(text.upper())
    if found is not None:
        return found
    wanted = loose(text)
    return next(
        (c for c in _countries().values() if wanted in (loose(c.english), loose(c.finnish))),
        None,
    )


def search_countries(text: str, limit: int = MAX_CHOICES) -> list[Country]:
    """Countries whose code or name starts with (then contains) what was typed."""
    wanted = loose(text)
    every = sorted(_countries().values(), key=lambda c: c.english)
    if not wanted:
        return every[:limit]

    def rank(c: Country) -> int | None:
        names = (loose(c.english), loose(c.finnish))
        if c.code.casefold() == wanted or any(n.startswith(wanted) for n in names):
            return 0
        return 1 if any(wanted in n for n in names) else None

    ranked = [(r, c) for c in every if (r := rank(c)) is not None]
    return [c for _, c in sorted(ranked, key=lambda pair: pair[0])][:limit]


def search(text: str, country_code: str | None = None, limit: int = MAX_CHOICES) -> list[Region]:
    """Regions matching what was typed: code or a name starting with it first, then names
    containing it; within one country when it is known."""
    pool = subdivisions(country_code) if country_code else tuple(_regions().values())
    wanted = loose(text)
    if not wanted:
        return list(pool[:limit])
    starts: list[Region] = []
    contains: list[Region] = []
    for candidate in pool:
        names = [loose(n) for n in candidate.names]
        if candidate.code.casefold() == wanted or any(n.startswith(wanted) for n in names):
            starts.append(candidate)
        elif any(wanted in n for n in names):
            contains.append(candidate)
    return (starts + contains)[:limit]


def resolve(text: str, country_code: str | None = None) -> Region | None:
    """The one region an exact code or an exact name (any of its languages) names, else None.

    A name shared by two subdivisions of the country (rare) resolves to none: the member picks
    from the autocomplete, which sends the code.
    """
    text = text.strip()
    if _CODE.match(text):
        found = region(text)
        if found is not None and (country_code is None or found.country == country_code.upper()):
            return found
        return None
    pool = subdivisions(country_code) if country_code else tuple(_regions().values())
    wanted = loose(text)
    matches = [r for r in pool if any(loose(n) == wanted for n in r.names)]
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class RegionRef:
    """A member's or a partnership's region: an ISO subdivision, or free text the list lacks."""

    code: str | None = None
    text: str | None = None

    @property
    def key(self) -> str:
        """One key per region, so profiles and lead-added regions meet."""
        return region_key(self.code, self.text) or ""

    def display(self, language: str) -> str:
        found = region(self.code) if self.code else None
        return found.display(language) if found else (self.text or "")

    in_language = display  # named in the reader's language in any message (bot.i18n.translate)

    @staticmethod
    def from_key(key: str, text: str | None = None) -> RegionRef:
        if key.startswith("text:"):
            return RegionRef(text=text or key.removeprefix("text:"))
        return RegionRef(code=key)


def parse_region(text: str, country_code: str | None = None) -> RegionRef:
    """What a member typed as a region: a code (which must exist), a known name, or free text.

    Raises UserFacingError for a code that names no subdivision, or for text over Discord's
    100-character choice limit.
    """
    text = " ".join(text.split())
    if not text:
        raise UserFacingError(_("The region is empty: type its name or its ISO code (FI-10)."))
    if _CODE.match(text):
        found = region(text)
        if found is None:
            raise UserFacingError(
                _(
                    "There is no region with the code {code}: pick one from the list, or type "
                    "the region's name."
                ),
                code=text.upper(),
            )
        if country_code and found.country != country_code.upper():
            raise _elsewhere(found, country_code)
        return RegionRef(code=found.code)
    found = resolve(text, country_code)
    if found is not None:
        return RegionRef(code=found.code)
    if country_code:
        wanted = loose(text)
        elsewhere = [r for r in _regions().values() if any(loose(n) == wanted for n in r.names)]
        if elsewhere:
            raise _elsewhere(elsewhere[0], country_code)
    if len(text) > MAX_REGION_TEXT:
        raise UserFacingError(
            _("A region name can be at most {limit} characters."), limit=MAX_REGION_TEXT
        )
    return RegionRef(text=text)


def _elsewhere(found: Region, country_code: str) -> UserFacingError:
    """A region typed with the wrong country: kept, it would form a region of its own (and
    vote apart from its real members in a region poll)."""
    own = country(country_code)
    return UserFacingError(
        _(
            "{region} is a region of {other}, not of {country}: change the country, or pick a "
            "region of {country} from the list."
        ),
        region=found,
        other=country(found.country) or found.country,
        country=own or country_code.upper(),
    )
