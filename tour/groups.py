"""The tour's groups: a working group and partnerships, joining and applying, regions."""

from __future__ import annotations

from typing import Any

from bot.sandbox.driver import InteractionResult
from bot.sandbox.models import LOADING, Message
from bot.sandbox.transcript import INDENT, command_text
from tour import Section, Tour, TourError

ORDER = 20


async def _answered(tour: Tour, name: str, result: InteractionResult, what: str) -> Message:
    """The bot's answer, after a deferral is filled; printed."""
    if result.message is not None and result.message.flags & LOADING:
        await result.wait_edit()
    if result.message is None:
        raise tour.fail(result, what)
    tour.shows(result.message)
    return result.message


async def _create_group(tour: Tour, **options: Any) -> None:
    tour.acts("sofia", command_text("group create", options))
    result = await tour.community.as_member("sofia").slash("group create", **options)
    await _answered(tour, "sofia", result, "the group's creation")


def _card(tour: Tour, title: str) -> Message:
    cards = [m for m in tour.channel("groups") if m.embeds and title in m.embeds[0]["title"]]
    if not cards:
        raise TourError(f"no card for {title} in #groups")
    return cards[-1]


async def groups_create(tour: Tour) -> None:
    olli = tour.community.members["olli"]
    await _create_group(
        tour,
        name="Industrial transition",
        name_fi="Teollinen muutos",
        kind="working_group",
        description="Regions in industrial transition: jobs, skills and new value chains.",
        joining="open",
        visibility="public",
        lead=olli,
    )
    tour.print(f"{INDENT}(A role and a channel under “Working groups”: everyone reads it, members")
    tour.print(
        f"{INDENT}write. A private group's channel only its members see; they apply to join.)"
    )
    tour.shows(_card(tour, "Industrial transition"), "In #groups, everyone sees:")
    for name in ("Arctic tourism", "Bioeconomy"):
        await _create_group(
            tour,
            name=name,
            kind="partnership",
            description=f"Thematic partnership: {name.lower()} in Europe's regions.",
            joining="application",
            visibility="private",
            lead=olli,
        )


async def groups_join(tour: Tour) -> None:
    card = _card(tour, "Industrial transition")
    tour.acts("aino", "presses [Join] on the card in #groups")
    joined = await tour.community.as_member("aino").click(card, "Join")
    await _answered(tour, "aino", joined, "the join")
    partnership = _card(tour, "Arctic tourism")
    tour.acts("marco", "presses [Apply] on the Arctic tourism card")
    form = await tour.community.as_member("marco").click(partnership, "Apply")
    if form.modal is None:
        raise tour.fail(form, "the application form")
    fields = [i["label"] for row in form.modal["components"] for i in row.get("components", [])]
    tour.print(f"{INDENT}s3cop opens a form, “{form.modal['title']}”: {', '.join(fields)}")
    had = len(tour.dms("olli"))
    motivation = "Our cluster connects tourism SMEs across the Alps and Lapland."
    tour.acts("marco", f"sends it: “{motivation}”, organisation “Trentino Sviluppo”")
    sent = await form.submit_modal({"motivation": motivation, "organisation": "Trentino Sviluppo"})
    await _answered(tour, "marco", sent, "the application's confirmation")
    copy = await tour.dm_arrives("olli", had)
    tour.shows(copy, "Olli, the lead, gets a DM (in Finnish):")
    tour.acts("olli", '/group applications group:"Arctic tourism"')
    pending = await tour.community.as_member("olli").slash(
        "group applications", group="Arctic tourism"
    )
    await _answered(tour, "olli", pending, "the pending applications")
    tour.print(f"{INDENT}(Every application still waiting, with buttons to decide from here too.)")
    had = len(tour.dms("marco"))
    tour.acts("olli", "presses [Hyväksy] (Approve) in that DM")
    decided = await tour.community.as_member("olli").click(copy, "Hyväksy")
    if decided.kind != "update":
        raise tour.fail(decided, "the decision on Olli's copy")
    tour.shows(tour.community.sandbox.backend.messages[copy.id], "Olli's copy now reads:")
    tour.shows(await tour.dm_arrives("marco", had), "Marco gets a DM:")


async def groups_regions(tour: Tour) -> None:
    await tour.slash(
        "olli",
        "profile set",
        country="FI",
        region="Lappi",
        organisation="Lapin liitto",
        stakeholder="public_authority",
        languages="fi, en, sv",
    )
    tour.print(f"{INDENT}(Regions autocomplete from ISO 3166-2 in their own language, English and")
    tour.print(f"{INDENT}Finnish: Lappi, Lapland and FI-10 are the same region.)")
    await tour.slash("marco", "profile set", country="IT", region="Trento")
    await tour.slash("olli", "group region add", group="Bioeconomy", region="FI-10")
    await tour.slash("marco", "region show", name="Lapland")
    await tour.slash("aino", "region show", name="lappi")


def sections() -> list[Section]:
    return [
        Section("Groups: a working group and two partnerships", groups_create, budget=4.0),
        Section("Groups: joining, and an application the lead approves", groups_join, budget=4.0),
        Section("Profiles and regions: who takes part where", groups_regions, budget=6.0),
    ]
