"""``s3cop demo``: the tour runs end to end, quickly, and shows each key moment readably."""

from __future__ import annotations

import io
import re

import pytest

from tour import Section, Tour, TourError, all_sections, run_demo


def step(transcript: str, line: str) -> str:
    """The transcript from the ▶ line starting with ``line`` to the next ▶, ⏩ or section."""
    start = transcript.index(f"▶ {line}")
    end = re.compile(r"^(▶|⏩|\d+\. )", re.M).search(transcript, start + 1)
    return transcript[start : end.start() if end else None]


async def test_the_tour_shows_every_key_moment(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    timings: dict[str, float] = {}
    assert await run_demo(out, timings=timings) == 0
    budgets = {section.title: section.budget for section in all_sections()}
    assert timings.keys() == budgets.keys()
    over = {title: round(took, 1) for title, took in timings.items() if took > budgets[title]}
    assert over == {}, f"sections over their time budget (seconds): {over}"
    transcript = out.getvalue()
    # The tour's clock jumps are time passing: nothing is late or missed, and no log line
    # (the demo shows warnings on stderr) breaks into the transcript on a terminal.
    assert capsys.readouterr().err == ""

    assert "no token, no network" in transcript
    english = step(transcript, "Sofia (secretariat, organiser; Discord in English): /about")
    finnish = step(transcript, "Aino (Discord in Finnish): /about")
    assert "Uptime" in english and "only Sofia sees this" in english
    assert "only Aino sees this" in finnish and "Uptime" not in finnish  # in Finnish instead
    assert "`/event create`" in step(transcript, "Marco (Discord in Italian): /help")

    create = step(transcript, "Olli (organiser; Discord in Finnish): /event create")
    assert 'start:"ensi tiistaina klo 10"' in create and "capacity:2" in create
    assert "opens a form" in create
    sent = step(transcript, "Olli: types into the form")
    # The bot itself says which zone it read the time in (Olli set none), in his language.
    assert "vyöhykkeellä Europe/Brussels, joka on palvelimen oletus" in sent
    assert "In #events, everyone sees:" in transcript and "[Going] [Maybe] [Can't go]" in transcript
    assert "number 1 on the waitlist" in step(transcript, "Lena (Discord in German): presses")
    promoted = step(transcript, "Marco: presses [Can't go]")
    assert "Lena gets a DM" in promoted and "moved up from the waitlist" in promoted
    # Lena's Discord is German, which the bot does not speak: the demo says she got English.
    assert "Lena gets a DM (in English, the fallback: the bot does not speak German):" in promoted
    assert "each in their language" not in transcript
    assert "Places: 2 of 2 taken" in promoted and "Can't go: 1" in promoted

    assert "⏰ Reminder: **Industrial transition WG** starts " in transcript
    assert "Lena, who is going, gets a DM" in transcript
    edit = step(transcript, "Sofia: /event edit")
    assert re.search(r"When: .+ UTC .*→ .+ UTC", edit.replace("\n", " "))
    new_time = re.search(r"→ (.+? UTC)", edit.replace("\n", " "))
    assert new_time is not None
    reminded = transcript[transcript.index("an hour before the new time") :]
    reminded = reminded[: reminded.index("▶")]
    assert f"starts {new_time.group(1)} (in 1 hour)" in reminded.replace("\n", " ")
    assert "Lena, who is going, gets a DM" in reminded
    ics = step(transcript, "Aino: /event ics")
    assert "event-1.ics" in ics and "BEGIN:VCALENDAR" in ics and "BEGIN:VEVENT" in ics
    assert "Industrial transition WG" in step(transcript, "Aino: /event list")
    ended = transcript[transcript.index("after the event has ended") :]
    ended = ended[: ended.index("\n▶ ")]
    assert "(ended)" in ended and "Final answers: Going: 1" in ended and "[Going]" not in ended
    attendees = step(transcript, "Sofia: /event attendees")
    assert "Going (1): Aino" in attendees and "(2 hours ago)" in attendees
    assert "event-1-attendees.csv" in attendees and ",Aino,going," in attendees

    created = step(transcript, 'Sofia: /group create name:"Industrial transition"')
    assert "lead:@Olli" in created and "[Join] [Leave]" in created
    pending = step(transcript, 'Olli: /group applications group:"Arctic tourism"')
    assert "1. @Marco — Our cluster" in pending and "[Hyväksy #1] [Hylkää #1]" in pending
    applied = step(transcript, "Olli: presses [Hyväksy]")
    assert (
        "Hyväksyjä: @Olli" in applied and "Welcome! Your application to Arctic tourism" in applied
    )
    assert "Liityit ryhmään Teollinen muutos" in step(transcript, "Aino: presses [Join]")
    lapland = step(transcript, "Marco: /region show")
    assert "Thematic partnerships: 2, Working groups: 1" in lapland
    assert "Temaattiset kumppanuudet: 2" in step(transcript, "Aino: /region show")

    regions = step(transcript, "Olli: /poll create")
    assert "electorate:region" in regions and "channel:#announcements" in regions
    assert "Turnout: 0 of 3 regions have voted" in regions
    assert "Olli muutti alueen Lappi ääntä" in step(transcript, "Olli: chooses")
    assert "Choose exactly 3 options." in step(transcript, "Marco: tries a crafted ballot")
    assert "Lena, whose region has not voted, gets a DM" in transcript
    assert "✅ Peer review of regional strategies — 3 votes (100 %)" in transcript
    assert "results.png" in transcript
    asked = step(transcript, "Sofia: /poll close")
    assert (
        "Close poll #2 **Which theme should lead the 2027 S3 conference?** now?" in asked
        and "[Close it now]" in asked
    )
    ranked = step(transcript, "Sofia: presses [Close it now]")
    assert "✅ **1.** Green transition — 3 votes" in ranked and "R3" in ranked
    assert "10:30: 2" in step(transcript, "Lena: votes 10:30")
    voters = step(transcript, "Sofia: presses [Voters (CSV)]")
    assert "poll-voters.csv" in voters and "10:30,Aino," in voters and "11:00,Marco," in voters
    ended = step(transcript, "Sofia: presses [End now]")
    assert "(Discord poll, closed)" in ended and "“10:30” won with 2 of 3 votes" in ended

    # Readable: Discord markup is rendered, and no Python objects leak into the text.
    for raw in (
        "<t:",
        "<@",
        "<#",
        "Message(",
        "Channel(",
        "InteractionResult",
        "https://discord.com",
    ):
        assert raw not in transcript


async def test_an_unexpected_answer_is_printed_and_stops_the_demo() -> None:
    async def marco_announces(tour: Tour) -> None:
        result = await tour.community.as_member("marco").slash(
            "event create", title="Mine", start="tomorrow 14:00", format="online"
        )
        if result.modal is None:
            raise tour.fail(result, "the description form")

    out = io.StringIO()
    with pytest.raises(TourError, match="expected the description form"):
        await run_demo(out, [Section("Marco is no organiser", marco_announces, budget=5.0)])
    assert "(unexpected answer)" in out.getvalue()
    assert "Only organisers" in out.getvalue()
