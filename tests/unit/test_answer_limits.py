"""Every answer fits Discord's message limits (docs/DISCORD_WIRE.md), checked against the
sandbox's own validator: what :func:`bot.answering.fit` lets through, Discord accepts."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.answering import fit
from bot.sandbox.errors import InvalidFormBody
from bot.sandbox.limits import check_message

text = st.text(alphabet="ab ", min_size=1, max_size=3000) | st.sampled_from(["x" * 5000, "y"])


@st.composite
def embeds(draw: st.DrawFn) -> discord.Embed:
    embed = discord.Embed(
        title=draw(st.none() | text), description=draw(st.none() | text | st.just("d" * 7000))
    )
    for _ in range(draw(st.integers(0, 30))):
        embed.add_field(name=draw(text), value=draw(text))
    if draw(st.booleans()):
        embed.set_footer(text=draw(text))
    if draw(st.booleans()):
        embed.set_author(name=draw(text))
    return embed


def payload(fields: dict[str, Any]) -> dict[str, Any]:
    """What discord.py sends for these fields."""
    found = fields.get("embeds") or ([fields["embed"]] if fields.get("embed") else [])
    return {"content": fields.get("content"), "embeds": [e.to_dict() for e in found]}


@given(content=st.none() | text, many=st.lists(embeds(), min_size=0, max_size=12))
def test_whatever_an_answer_holds_discord_accepts_it(
    content: str | None, many: list[discord.Embed]
) -> None:
    fitted = fit({"content": content, "embeds": many})
    check_message(payload(fitted), creating=False)


@given(one=embeds())
def test_a_single_embed_fits_too(one: discord.Embed) -> None:
    check_message(payload(fit({"content": "hi", "embed": one})), creating=True)


def test_what_fits_already_is_sent_as_it_is() -> None:
    embed = discord.Embed(title="Groups", description="• one\n• two").add_field(name="a", value="b")
    fitted = fit({"content": "ok", "embed": embed})
    assert fitted["embed"] is embed and fitted["content"] == "ok"


def test_the_oracle_refuses_what_fit_would_cut() -> None:
    """The validator does refuse each limit, so the properties above can fail."""
    too_long = discord.Embed(title="t" * 300, description="d" * 5000)
    for fields in ({"content": "x" * 2001}, {"embed": too_long}):
        with pytest.raises(InvalidFormBody):
            check_message(payload(fields), creating=True)
