"""Region lookups: ISO 3166-2 by code and by name in its own language, English and Finnish."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import regions
from bot.errors import UserFacingError
from bot.i18n import translate
from bot.regions import RegionRef, parse_region

ALL = sorted(regions._regions().values(), key=lambda r: r.code)
FINNISH = list(regions.subdivisions("FI"))


@pytest.mark.parametrize("typed", ["FI-10", "fi-10", "Lappi", "Lapland", "LAPLAND", " lappi "])
def test_lapland_is_lappi_is_fi_10(typed: str) -> None:
    found = regions.resolve(typed, "FI")
    assert found is not None and found.code == "FI-10"
    assert parse_region(typed, "FI") == RegionRef(code="FI-10")


def test_names_in_three_languages_and_display() -> None:
    lapland = regions.region("FI-10")
    assert lapland is not None
    assert (lapland.name, lapland.english, lapland.finnish) == ("Lappi", "Lapland", "Lappi")
    assert lapland.display("fi") == "Lappi"
    assert lapland.display("en") == "Lapland (Lappi)"
    north = regions.region("FI-14")
    assert north is not None and north.display("en") == "North Ostrobothnia (Pohjois-Pohjanmaa)"


def test_bracketed_alias_is_a_name_and_a_bracketed_code_is_not() -> None:
    catalonia = regions.region("ES-CT")
    assert catalonia is not None and catalonia.name == "Catalunya"
    assert "Cataluña" in catalonia.names
    uppsala = regions.region("SE-C")
    assert uppsala is not None and uppsala.name == "Uppsala län"


def test_search_finds_by_any_name_without_accents_and_ranks_prefixes_first() -> None:
    assert regions.search("lapl", "FI")[0].code == "FI-10"
    assert regions.search("paijat", "FI")[0].code == "FI-16"
    codes = [r.code for r in regions.search("pohjanmaa", "FI")]
    assert codes[0] == "FI-12"  # the name itself first, then names containing it
    assert set(codes) >= {"FI-03", "FI-07", "FI-12", "FI-14"}
    assert len(regions.search("", "FR")) == regions.MAX_CHOICES


def test_free_text_is_allowed_and_a_bad_code_is_refused() -> None:
    assert parse_region("Tornio river valley", "FI") == RegionRef(text="Tornio river valley")
    with pytest.raises(UserFacingError, match="no region with the code"):
        parse_region("FI-99", "FI")
    # A region of another country, by code or by name, is refused naming both countries.
    for typed, country, other in (
        ("SE-BD", "FI", "SE"),
        ("Bayern", "IT", "DE"),
        ("Lappi", "SE", "FI"),
    ):
        with pytest.raises(UserFacingError) as refused:
            parse_region(typed, country)
        text = translate("en", refused.value.message, **refused.value.params)
        assert "is a region of" in text, text
        assert refused.value.params["other"].code == other  # type: ignore[attr-defined]
        assert refused.value.params["country"].code == country  # type: ignore[attr-defined]
    with pytest.raises(UserFacingError):
        parse_region("x" * 101)
    with pytest.raises(UserFacingError):
        parse_region("   ")


def test_countries_by_code_and_name_in_english_and_finnish() -> None:
    for typed in ("FI", "fi", "Finland", "Suomi"):
        found = regions.country(typed)
        assert found is not None and found.code == "FI"
    assert regions.search_countries("ruot")[0].code == "SE"  # Ruotsi
    assert regions.country("Atlantis") is None


@given(st.sampled_from(ALL))
def test_every_code_round_trips(region: regions.Region) -> None:
    assert regions.region(region.code.lower()) == region
    assert parse_region(region.code, region.country) == RegionRef(code=region.code)


@given(
    st.sampled_from(FINNISH),
    st.sampled_from(["name", "english", "finnish"]),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
)
def test_every_finnish_region_resolves_by_each_name_in_any_case(
    region: regions.Region, which: str, case: object
) -> None:
    typed = case(getattr(region, which))  # type: ignore[operator]
    assert regions.resolve(typed, "FI") == region
    assert region in regions.search(typed, "FI")


@given(st.text(max_size=120), st.sampled_from([None, "FI", "SE", "ES"]))
def test_any_text_parses_or_is_refused_clearly(text: str, country: str | None) -> None:
    try:
        ref = parse_region(text, country)
    except UserFacingError:
        return
    assert (ref.code is None) != (ref.text is None)
    if ref.code:
        assert regions.region(ref.code) is not None
    else:
        assert ref.text and len(ref.text) <= regions.MAX_REGION_TEXT
        assert ref.key == RegionRef(text=ref.text.upper()).key or not ref.text.isascii()


@given(st.text(max_size=40))
def test_search_never_exceeds_discords_25_choices(text: str) -> None:
    assert len(regions.search(text)) <= 25
    assert len(regions.search_countries(text)) <= 25


@given(st.sampled_from(ALL), st.sampled_from(["FI", "SE", "DE", "IT", "ES", "FR"]))
def test_a_region_named_with_another_country_never_becomes_free_text(
    region: regions.Region, country: str
) -> None:
    """Kept as text it would be a region of its own, voting apart from its members."""
    try:
        ref = parse_region(region.english, country)
    except UserFacingError as refused:
        assert refused.message.startswith("{region} is a region of")
        return
    assert ref.code is not None and regions.region(ref.code) is not None
    assert regions.region(ref.code).country == country  # type: ignore[union-attr]
