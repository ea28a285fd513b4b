"""The tour's support requests: a region asks the secretariat, who claims, answers and resolves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from bot.sandbox.models import Channel, Message
from bot.sandbox.transcript import INDENT
from tour import Section, Tour, TourError

ORDER = 30


@dataclass
class SupportTour:
    """What the support sections pass on: the private thread and the triage card."""

    thread: Channel | None = None
    card: Message | None = None


async def support_asking(tour: Tour, state: SupportTour) -> None:
    """A region asks the secretariat for help, in Finnish."""
    community = tour.community
    tour.acts("aino", "/support request language:fi")
    opened = await community.as_member("aino").slash("support request", language="fi")
    if opened.modal is None:
        raise tour.fail(opened, "the request form")
    tour.print(f"{INDENT}s3cop opens a form, “{opened.modal['title']}”, with:")
    for row in opened.modal["components"]:
        for item in row.get("components", []):
            need = "required" if item.get("required", True) else "optional"
            limit = f", up to {item['max_length']:,} characters" if "max_length" in item else ""
            tour.print(f"{INDENT}  {item['label']} ({need}{limit})")
    form = {
        "topic": "Monitoring our smart specialisation strategy",
        "need": "Lapland is revising its S3 for 2028-2034 and needs an expert on monitoring "
        "indicators and a peer region that has done it.",
        "region": "Lappi",
        "group": "Arctic partnership",
    }
    tour.acts("aino", "fills in the form (topic, need, region Lappi, group) and sends it")
    result = await opened.submit_modal(form)
    answer = await result.wait_followup()
    tour.shows(answer)
    threads = community.sandbox.threads(community.channels["support"])
    if not threads:
        raise TourError("no private thread was opened")
    thread = threads[-1]
    state.thread = thread
    tour.shows(community.as_member("aino").read(thread)[0], "In her private thread, Aino reads:")
    cards = [m for m in tour.channel("support-triage") if m.embeds]
    if not cards:
        raise TourError("no card reached #support-triage")
    state.card = cards[-1]
    tour.shows(cards[-1], "In #support-triage, which only the secretariat sees:")
    outsider = community.as_member("marco")
    tour.print()
    tour.print(
        f"  Can Marco see Aino's thread? {'yes' if outsider.can_see(thread) else 'no'};"
        " the secretariat can."
    )


async def support_handling(tour: Tour, state: SupportTour) -> None:
    """The secretariat claims, answers and resolves; the requester reads it all in Finnish."""
    community = tour.community
    thread, card = state.thread, state.card
    if thread is None or card is None:
        raise TourError("the support request was not opened")
    aino, sofia = community.as_member("aino"), community.as_member("sofia")
    had = len(tour.dms("aino"))
    tour.acts("sofia", "presses [Claim] on the card in #support-triage")
    claimed = await sofia.click(card, "Claim")
    if claimed.message is None:
        raise tour.fail(claimed, "a message after Claim")
    tour.shows(claimed.message)
    tour.shows(
        await tour.dm_arrives("aino", had), "Aino gets a DM (a courtesy: the thread has it all):"
    )
    tour.acts("sofia", "writes in the thread")
    sofia.say("Hei Aino! I have asked Päivi from Norrbotten, who led their S3 monitoring.", thread)
    tour.acts("aino", "adds a file in the thread: indicators.xlsx")
    aino.say("Kiitos! Tässä nykyiset indikaattorimme.", thread, files=[("indicators.xlsx", b"PK")])
    tour.acts("sofia", "presses [Resolve] on the card")
    form = await sofia.click(card, "Resolve")
    if form.modal is None:
        raise tour.fail(form, "the outcome form")
    outcome = "Päivi (Norrbotten) and a JRC expert will meet Lapland on 12 January."
    tour.acts("sofia", f"writes the outcome: “{outcome}”")
    resolved = await form.submit_modal({"outcome": outcome})
    try:
        tour.shows(await resolved.wait_followup())
    except TimeoutError:
        raise tour.fail(resolved, "a message after resolving") from None
    tour.shows(aino.read(thread)[-1], "In her thread, Aino reads (with a Reopen button):")
    tour.shows(card, "The card in #support-triage now reads:")
    await tour.slash("sofia", "support transcript", request=1)


def sections() -> list[Section]:
    state = SupportTour()
    return [
        Section(
            "Support: a region asks the secretariat, in Finnish",
            partial(support_asking, state=state),
            budget=6.0,
        ),
        Section(
            "Support: claimed, answered and resolved, with a transcript kept",
            partial(support_handling, state=state),
            budget=4.0,
        ),
    ]
