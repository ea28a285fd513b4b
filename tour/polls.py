"""The tour's polls: a partnership picks 3 of 8 support actions, one secret vote per region; the
community ranks conference themes and sees the instant-runoff rounds; a quick native poll."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.sandbox.driver import InteractionResult
from bot.sandbox.limits import walk_components
from bot.sandbox.models import Message
from bot.sandbox.transcript import INDENT, command_text
from db.groups import Groups
from tour import Section, Tour, TourError

ORDER = 25
POLL_RESULT = 46  # the message type Discord posts under a poll when it ends

ACTIONS = (
    "Peer review of regional strategies",
    "Matchmaking events for SMEs",
    "Joint pilot projects",
    "Training for managing authorities",
    "Interregional investment pipeline",
    "Data and monitoring toolkit",
    "Stakeholder engagement guide",
    "Policy learning platform",
)
THEMES = ("Green transition", "Digital transformation", "Health and life sciences", "Skills")


def _poll_message(tour: Tour) -> Message:
    polls = [m for m in tour.channel("announcements") if m.embeds and m.components is not None]
    found = [
        m for m in polls if any(c.get("label") == "Vote" for c in walk_components(m.components))
    ]
    if not found:
        raise TourError("no poll message in #announcements")
    return found[-1]


def _latest(tour: Tour, message: Message) -> Message:
    return tour.community.sandbox.backend.messages[message.id]


async def _create(tour: Tour, name: str, form: dict[str, str], **options: Any) -> Message:
    """/poll create, then its form; prints both and returns the poll message."""
    tour.acts(name, command_text("poll create", options))
    opened = await tour.community.as_member(name).slash("poll create", **options)
    if opened.modal is None:
        raise tour.fail(opened, "the poll's form")
    shown = {k: v.replace("\n", " / ") for k, v in form.items()}
    tour.print(f"{INDENT}s3cop opens a form; {name.capitalize()} fills it in:")
    for label, value in shown.items():
        tour.print(f"{INDENT * 2}{label}: {value}")
    done = await opened.submit_modal(form)
    if done.message is None:
        raise tour.fail(done, "the poll's confirmation")
    tour.shows(done.message)
    message = _poll_message(tour)
    tour.shows(message, "In #announcements:")
    return message


async def _vote(tour: Tour, name: str, message: Message, picks: list[str]) -> InteractionResult:
    """Press Vote, show the ballot, pick in the select; shows the receipt."""
    driver = tour.community.as_member(name)
    tour.acts(name, "presses [Vote] on the poll")
    ballot = await driver.click(message, "Vote")
    if ballot.message is None:
        raise tour.fail(ballot, "a ballot")
    tour.shows(ballot.message)
    tour.acts(name, f"chooses {', '.join(picks)}")
    receipt = await driver.select(ballot.message, picks)
    if receipt.message is None:
        raise tour.fail(receipt, "a receipt")
    tour.shows(receipt.message)
    return receipt


async def _rank(tour: Tour, name: str, message: Message, order: list[str]) -> None:
    """Press Vote, pick one option at a time, press Done; shows the receipt."""
    driver = tour.community.as_member(name)
    step = await driver.click(message, "Vote")
    for option in order:
        if step.message is None:
            raise tour.fail(step, "the next ranking step")
        step = await driver.select(step.message, [option])
    if step.message is None:
        raise tour.fail(step, "the ranked ballot")
    done = next(
        c["custom_id"]
        for c in walk_components(step.message.components)
        if ":done:" in c.get("custom_id", "")
    )
    tour.acts(name, f"presses [Vote], ranks {' > '.join(order)}, presses [Done]")
    receipt = await driver.click(step.message, custom_id=done)
    if receipt.message is None:
        raise tour.fail(receipt, "a receipt")
    tour.shows(receipt.message)


async def polls_regions(tour: Tour) -> None:
    community = tour.community
    assert community.db is not None
    group = next(
        (
            g
            for g in await Groups(community.db).in_guild(community.guild.id)
            if g.name == "Arctic tourism"
        ),
        None,
    )
    if group is None:
        raise TourError("the groups tour made no Arctic tourism partnership")
    tour.note(
        "Arctic tourism decides which 3 of the 8 support actions on offer it takes up. Each region "
        "taking part has one ballot, and the ballot is secret."
    )
    for name in ("aino", "lena"):
        await tour.slash(
            "olli", "group member add", group="Arctic tourism", member=community.members[name]
        )
    await tour.slash("aino", "profile set", country="FI", region="Lappi")
    await tour.slash("lena", "profile set", country="DE", region="Bayern")
    message = await _create(
        tour,
        "olli",
        {
            "question": "Which 3 support actions should Arctic tourism take up in 2027?",
            "options": "\n".join(ACTIONS),
            "description": "One ballot per region; any member from the region can cast it.",
        },
        channel=community.channels["announcements"],
        mode="multiple",
        minimum=3,
        maximum=3,
        winners=3,
        electorate="region",
        group=group.name,
        secret=True,
        closes="in 2 days",
        quorum=60,
        remind="1d",
    )
    tour.print(f"{INDENT}(Olli leads Arctic tourism, so he may open its polls. The electorate was")
    tour.print(f"{INDENT}fixed now: Lapland (Olli, Aino), Trento (Marco) and Bavaria (Lena).)")
    await _vote(tour, "aino", message, list(ACTIONS[:3]))
    had = len(tour.dms("aino"))
    await _vote(tour, "olli", message, [ACTIONS[0], ACTIONS[3], ACTIONS[4]])
    tour.shows(await tour.dm_arrives("aino", had), "Aino gets a DM:")
    await _vote(tour, "marco", message, [ACTIONS[0], ACTIONS[1], ACTIONS[4]])
    tour.acts("marco", "tries a crafted ballot with 4 choices (a modified client)")
    ballot = await community.as_member("marco").click(message, "Vote")
    if ballot.message is None:
        raise tour.fail(ballot, "a ballot")
    select = next(c for c in walk_components(ballot.message.components) if c.get("type") == 3)
    crafted = await community.as_member("marco")._component_interaction(
        ballot.message,
        {"custom_id": select["custom_id"], "component_type": 3, "values": ["0", "1", "2", "3"]},
    )
    if crafted.message is None:
        raise tour.fail(crafted, "a refusal")
    tour.shows(crafted.message)
    assert community.bot is not None
    posted = await tour.due_actions(
        tour.clock.now() + timedelta(days=1, minutes=1), "a day before the close"
    )
    reminders = [m for m in posted if "not voted" in m.content or "äänestänyt" in m.content]
    if not reminders:
        raise TourError("no reminder was sent")
    tour.shows(reminders[0], "Lena, whose region has not voted, gets a DM:")
    tour.print(f"{INDENT}(Only Lena: Lapland and Trento have voted.)")
    await _vote(tour, "lena", message, [ACTIONS[0], ACTIONS[1], ACTIONS[4]])
    await tour.due_actions(tour.clock.now() + timedelta(days=1), "the close time")
    tour.shows(_latest(tour, message), "The poll message now shows the result and a chart:")
    tour.print(
        f"{INDENT}(At close the key that linked ballots to regions was destroyed and the database's"
    )
    tour.print(f"{INDENT}log emptied: nobody can now tell which region cast which ballot.)")


async def polls_ranked(tour: Tour) -> None:
    community = tour.community
    message = await _create(
        tour,
        "sofia",
        {
            "question": "Which theme should lead the 2027 S3 conference?",
            "options": "\n".join(THEMES),
            "description": "",
        },
        channel=community.channels["announcements"],
        mode="ranked",
        results="live",
        secret=False,
    )
    orders = {
        "sofia": [THEMES[0], THEMES[1]],
        "olli": [THEMES[0], THEMES[3]],
        "aino": [THEMES[1], THEMES[0]],
        "marco": [THEMES[1], THEMES[2]],
        "lena": [THEMES[2], THEMES[0]],
    }
    for name, order in orders.items():
        await _rank(tour, name, message, order)
    asked = await tour.slash("sofia", "poll close", poll=2)
    await tour.confirm("sofia", asked, "Close it now")
    tour.shows(_latest(tour, message), "The poll message, with the instant-runoff rounds:")


async def polls_quick(tour: Tour) -> None:
    posted = await tour.slash(
        "sofia", "poll quick", question="Coffee break at 10:30 or 11:00?", answers="10:30; 11:00"
    )
    assert posted.message is not None
    for name, answer in (("aino", "10:30"), ("marco", "11:00"), ("lena", "10:30")):
        tour.acts(name, f"votes {answer} in Discord's own poll")
        await tour.community.as_member(name).vote_poll(posted.message, [answer])
    tour.shows(_latest(tour, posted.message), "Discord counts the votes itself:")
    listed = await tour.press("sofia", posted.message, "Voters (CSV)")
    assert listed.message is not None
    if not listed.message.attachments:
        raise TourError("Voters (CSV) sent no file")
    for line in listed.message.attachments[0].data.decode("utf-8-sig").splitlines():
        tour.print(f"{INDENT}  {line}")
    tour.acts("sofia", "presses [End now] on the poll")
    ended = await tour.community.as_member("sofia").click(posted.message, "End now")
    if ended.kind != "update":
        raise tour.fail(ended, "the poll's buttons updated")
    sandbox = tour.community.sandbox
    channel = sandbox.backend.channels[posted.message.channel_id]
    result = await sandbox.wait_until(
        lambda: next((m for m in sandbox.messages(channel) if m.type == POLL_RESULT), None)
    )
    tour.shows(_latest(tour, posted.message), "The poll is final; Voters (CSV) stays:")
    shown = {f["name"]: f["value"] for f in result.embeds[0].get("fields", [])}
    tour.print(
        f"{INDENT}Under it Discord posts the result: “{shown.get('victor_answer_text')}” won with "
        f"{shown.get('victor_answer_votes')} of {shown.get('total_votes')} votes."
    )


def sections() -> list[Section]:
    return [
        Section("Polls: 3 of 8 support actions, one secret vote per region", polls_regions, 10.0),
        Section("Polls: a ranked vote and its rounds", polls_ranked, budget=6.0),
        Section("Polls: a quick question as Discord's own poll", polls_quick, budget=3.0),
    ]
