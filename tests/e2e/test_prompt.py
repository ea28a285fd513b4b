"""``s3cop sandbox``: what a person types at the prompt, and what the prompt shows back."""

from __future__ import annotations

import io
import logging
import re
import socket
import urllib.request
from datetime import UTC, datetime

from bot.prompt import run_prompt


async def session(*lines: str, start: datetime | None = None) -> str:
    """Type ``lines`` at the prompt, then end the input; returns everything it printed."""
    out = io.StringIO()
    script = io.StringIO("".join(f"{line}\n" for line in lines))
    assert await run_prompt(script, out, start=start) == 0
    return out.getvalue()


async def test_about_typed_at_the_prompt_is_answered() -> None:
    output = await session("/about")
    assert "sofia> /about" in output
    assert "s3cop (only Sofia sees this):" in output and "Uptime" in output


async def test_a_session_as_several_members() -> None:
    output = await session(
        "/about",
        "as aino",
        "/about",
        "as olli",
        '/event create title:"Kick-off" start:"in 3 hours" format:online '
        "link:https://meet.example.org capacity:1 reminders:1h channel:#events",
        "Agenda: priorities for 2027",
        "",
        "as aino",
        "press Maybe in #events",
        "press Tulen",
        "as lena",
        "press Going in #events",
        "as aino",
        "press En pääse",
        "as lena",
        "dms",
        "wait 2h",
        "events",
        "members",
        "quit",
        "/about",  # never read: the session ended
    )
    sofia_about, aino_about = output.split("> /about\n")[1:3]
    assert "Uptime" in sofia_about and "Uptime" not in aino_about  # Aino reads it in Finnish
    assert "aino> " in output and "olli> " in output and "lena> " in output

    # The create command opens the description form; the answer typed becomes the description.
    assert "The bot opens a form" in output
    assert "In #events:" in output and "| Agenda: priorities for 2027" in output
    assert "[Going] [Maybe] [Can't go]" in output
    # Aino's own answers come in Finnish, with the buttons to change her mind.
    assert "[Tulen]" in output
    # Lena finds the one place taken, then moves up when Aino cannot go.
    assert "number 1 on the waitlist" in output
    assert "you moved up" in " ".join(output.split("lena> dms\n", 1)[1].split())
    # Two hours on, the one-hour reminder goes to the channel and to Lena.
    waited = output.split("> wait 2h\n", 1)[1]
    assert "The clock is now" in waited and "⏰ Reminder: **Kick-off**" in waited
    assert "DM to Lena:" in waited
    assert "Kick-off:" in output.split("> events\n", 1)[1]
    assert " * lena: Lena (Discord in German)" in output
    assert output.count("> /about\n") == 2


async def test_a_poll_created_with_its_options_one_per_line_and_voted_on() -> None:
    """A paragraph field takes lines until an empty one: the options of /poll create, one per
    line, as Discord's box of several lines takes them; several members then vote."""
    output = await session(
        "/poll create secret:false results:live",
        "Which theme for the 2027 conference?",
        "",  # no option yet: refused, and asked again
        "Green transition",
        "Digital innovation",
        "Skills and talent",
        "",
        "Two lines",
        "of description",
        "",
        "as aino",
        "press Vote",
        "choose Skills and talent",
        "as marco",
        "press Vote",
        "choose Digital innovation, Skills and talent",
        "choose Digital innovation",
        "/poll results poll:1",
        "as sofia",
        "/poll close poll:1",
        "press Close it now",
    )
    refused = output.split("  Options, one per line (2 to 25) (lines, then an empty one):\n")[1]
    assert refused.startswith("  | \n  ! this field is required\n")  # required: asked again
    assert "  Description (optional; lines, then an empty one):" in output
    opened = output.split("  | Skills and talent\n", 1)[1]
    assert "Poll #1 is open" in opened
    # Three options, each a line of its own, and the two lines of the description.
    assert "| **1.** Green transition\n" in opened and "| **3.** Skills and talent\n" in opened
    assert "| Two lines\n      | of description\n" in opened
    assert "Kirjattu äänestykseen **Which theme for the 2027 conference?**: Skills and talent" in (
        output
    )
    # Two picks on a one-choice ballot: the menu's rule in words, not its custom_id.
    assert (
        "  ! this menu takes exactly 1 of: Green transition, Digital innovation, Skills and "
        "talent; separate them with commas"
    ) in output
    closing = output.split("sofia> /poll close poll:1\n", 1)[1]
    assert "Close poll #1 **Which theme for the 2027 conference?** now?" in closing
    closed = closing.split("sofia> press Close it now\n", 1)[1]
    # The question becomes the outcome once the (deferred) close is done.
    assert closed.startswith("  s3cop (only Sofia sees this):\n    Poll #1 is closed")
    results = output.split("marco> /poll results poll:1\n", 1)[1]
    assert "2 of 5 have voted" in results
    assert "Skills and talent — 1 vote" in results and "Digital innovation — 1 vote" in results


async def test_bad_input_gets_a_one_line_hint_never_a_traceback() -> None:
    output = await session(
        "hello there",
        "/event create",
        "/nope",
        '/event create title:"unclosed',
        "/event info event:first",
        "press Going",
        "read #nowhere",
        "as nobody",
        "wait soon",
        "choose Brussels",
    )
    hints = [line for line in output.splitlines() if line.startswith("  ! ")]
    assert len(hints) == 10
    assert "type help" in hints[0]
    # Every required option at once, and the commands there are, as the member's Discord names them.
    assert "/event create needs title:… start:… format:…" in hints[1]
    assert "there is no command /nope; the commands: /about, " in hints[2]
    assert "[" not in hints[2]  # no Python list
    assert "quote" in hints[3]
    assert "takes a number" in hints[4]
    assert "Traceback" not in output


async def test_end_of_input_inside_a_form_closes_it_and_the_prompt() -> None:
    output = await session(
        '/event create title:"Kick-off" start:"tomorrow 14:00" format:online '
        "link:https://meet.example.org"
    )
    assert "closed without sending" in output
    assert "In #events:" not in output


async def test_a_finnish_member_reads_times_in_finnish_and_in_their_zone() -> None:
    start = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # 12:00 in Helsinki, 11:00 in Brussels
    output = await session(
        '/event create title:"Kick-off" start:"in 90 minutes" format:online '
        "link:https://meet.example.org",
        "",
        "as aino",
        "read #events",
        "as marco",
        "read #events",
        start=start,
    )
    aino = output.split("aino> read #events\n", 1)[1].split("marco> ", 1)[0]
    marco = output.split("marco> read #events\n", 1)[1]
    # <t:…:F> and <t:…:R> as each member's Discord shows them; 90 minutes is "in 2 hours".
    assert "When: lauantai 28. marraskuuta 2026 13.30 – 14.30 (2 tunnin päästä)" in aino
    assert "When: sabato 28 novembre 2026 12:30 – 13:30 (tra 2 ore)" in marco
    assert "Aino (Discord in Finnish); your Discord shows times in Europe/Helsinki" in output


async def test_finnish_command_and_option_names_work_for_a_finnish_member() -> None:
    output = await session(
        "as olli",
        "/ohje",
        '/tapahtuma luo otsikko:"Kick-off" alkaa:"huomenna klo 14" muoto:etätapahtuma '
        "linkki:https://meet.example.org",
        "Agenda",
        "",
        "/tapahtuma lista",
    )
    assert "  ! " not in output
    assert "`/tapahtuma luo`" in output.split("olli> /ohje\n", 1)[1]
    assert "Tapahtumasta #1 on ilmoitettu" in output
    assert "Kick-off" in output.split("olli> /tapahtuma lista\n", 1)[1]


# Two events, each created with an empty description form, to pick from.
TWO_EVENTS = (
    '/event create title:"Kick-off" start:"tomorrow 14:00" format:online '
    "link:https://meet.example.org",
    "",
    '/event create title:"Steering group" start:"tomorrow 16:00" format:online '
    "link:https://meet.example.org",
    "",
)


async def test_autocomplete_lists_the_bots_choices_and_one_is_picked() -> None:
    output = await session(
        *TWO_EVENTS,
        "/event info event:?",
        "7",
        "2",
        "/event info event:kick?",
        "1",
        "/event info event:zzz?",
    )
    listed = output.split("sofia> /event info event:?\n", 1)[1]
    assert "  1. #1 Kick-off" in listed and "  2. #2 Steering group" in listed
    assert "! type a number from 1 to 2" in listed
    assert "| Steering group" in listed.split("sofia> ", 1)[0]
    narrowed = output.split("sofia> /event info event:kick?\n", 1)[1]
    assert "  1. #1 Kick-off" in narrowed and "Steering" not in narrowed.split("pick", 1)[0]
    assert "| Kick-off" in narrowed.split("sofia> ", 1)[0]
    assert "(no choices for event matching 'zzz')" in output


async def test_press_reaches_any_announcement_and_files_can_be_read() -> None:
    output = await session(
        '/event create title:"Kick-off" start:"tomorrow 14:00" format:online '
        "link:https://meet.example.org capacity:5",
        "",
        '/event create title:"Steering group" start:"tomorrow 16:00" format:online '
        "link:https://meet.example.org",
        "",
        "as aino",
        "press Going on Kick-off",
        "press Maybe on #2",
        "press Going on Nowhere",
        "/event ics event:1",
        "file",
        "file event-1.ics",
        "file nope.csv",
    )
    assert "Vastauksesi tapahtumaan **Kick-off**" in output.split("press Going on Kick-off", 1)[1]
    assert "tapahtumaan **Steering group**" in output.split("press Maybe on #2", 1)[1]
    assert "! nothing in the announcement of 'Nowhere' has a [Going] button" in output
    files = output.split("aino> file\n", 1)[1]
    assert files.startswith("  📎 event-1.ics (")
    calendar = output.split("aino> file event-1.ics\n", 1)[1]
    assert "  BEGIN:VCALENDAR" in calendar and "  SUMMARY:Kick-off" in calendar
    assert "! no file 'nope.csv'" in output


async def test_the_web_server_serves_the_feed_while_the_prompt_runs() -> None:
    """As a person would: /calendar link at the prompt, then curl from another terminal."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = io.StringIO()
    fetched: dict[str, bytes] = {}

    class Typist(io.StringIO):
        """Types the lines; before the last one, fetches what the prompt showed so far."""

        def readline(self, size: int = -1) -> str:
            line = super().readline(size)
            if line == "as aino\n":
                url = re.search(r"http://127\.0\.0\.1:\d+/calendar/\S+\.ics", out.getvalue())
                assert url is not None
                health = f"http://127.0.0.1:{port}/healthz"
                for name, address in (("feed", url.group(0)), ("health", health)):
                    with urllib.request.urlopen(address, timeout=5) as answer:  # noqa: S310
                        fetched[name] = answer.read()
            return line

    lines = [
        '/event create title:"Kick-off" start:"tomorrow 14:00" format:online '
        "link:https://meet.example.org",
        "",
        "/calendar link",
        "as aino",
    ]
    typist = Typist("".join(f"{line}\n" for line in lines))
    assert await run_prompt(typist, out, web_port=port) == 0
    assert f"The bot's web server is on http://127.0.0.1:{port}" in out.getvalue()
    assert b"SUMMARY:Kick-off" in fetched["feed"]
    assert b'"ok": true' in fetched["health"]


async def test_library_warnings_wait_for_their_own_line() -> None:
    """A warning logged while a person types shows before the next prompt, never inside it."""

    class Typist(io.StringIO):
        def readline(self, size: int = -1) -> str:
            logging.getLogger("discord.gateway").warning("Shard ID None heartbeat blocked")
            return super().readline(size)

    out = io.StringIO()
    assert await run_prompt(Typist("/about\nmembers\n"), out) == 0
    lines = out.getvalue().splitlines()
    assert "sofia> /about" in lines and "sofia> members" in lines
    warned = lines.index("  ⚠ WARNING discord.gateway: Shard ID None heartbeat blocked")
    assert lines[warned + 1].startswith("sofia> ")


async def test_an_answer_filled_right_after_deferring_is_shown_at_once() -> None:
    # /group defers, then answers at once: a refusal or a quick edit must be shown, not waited on.
    output = await session(
        "/group create name:digital kind:working_group description:x joining:open "
        "visibility:public",
        "/group create name:other kind:nonsense description:x joining:open visibility:public",
        "/group edit group:digital joining:application",
    )
    assert "did not answer" not in output
    refused = output.split("kind:nonsense", 1)[1].split("sofia> ", 1)[0]
    assert "“nonsense” is not a kind of group here." in refused
    edited = output.split("joining:application\n", 1)[1]
    assert "digital is updated." in edited


async def test_a_value_ending_in_a_question_mark_is_literal_unless_it_asks_autocomplete() -> None:
    # Questions end in "?": quoted it is always the text; unquoted too on an option without
    # autocomplete. Only an unquoted name:start? on an autocomplete option lists choices.
    output = await session(
        '/poll quick question:"Kahvi?" answers:"kyllä; ei"',
        '/poll quick question:Tee? answers:"a; b"',
    )
    assert "! " not in output
    assert "📊 Kahvi? (Discord poll, open)" in output
    assert "📊 Tee? (Discord poll, open)" in output


async def test_a_support_request_is_answered_in_its_thread_with_say() -> None:
    """Review #15, #26, #27: the form shows the region the bot filled in and Enter keeps it;
    the secretariat and the requester write in the request's thread with ``say``."""
    output = await session(
        "as aino",
        "/profiili aseta country:FI region:Lappi",
        "/tuki pyyntö",
        "Rahoitus",
        "Tarvitsemme apua",
        "",  # Enter at the region: keeps Lappi, from her profile
        "",
        "",
        "read #support-triage",
        "say #support-triage Hei?",
        "as sofia",
        "say #1 Hello Aino, we can help: which call?",
        "as aino",
        "say #1 Horizon Europe, kiitos!",
        "read #1",
    )
    assert "  Alue [Lappi]: " in output
    assert "(valinnainen) (optional)" not in output
    assert "Pyyntö #1 on avoinna" in output
    assert "  ! you cannot see #support-triage" in output  # reading and writing alike
    assert output.count("  ! you cannot see #support-triage") == 2
    read = output.split("aino> read #1\n", 1)[1]
    assert "Hello Aino, we can help: which call?" in read
    assert "Horizon Europe, kiitos!" in read
    assert "Alue: Lappi" in read  # the thread's opening message


async def test_choices_are_listed_picked_by_name_and_a_command_typed_instead_runs() -> None:
    output = await session(
        "/support list status:?",
        "claim",
        "/support list status:nope",
        *TWO_EVENTS,
        "/event info event:?",
        "Steer",
        "/event info event:?",
        "/about",
    )
    listed = output.split("sofia> /support list status:?\n", 1)[1]
    assert "  1. new" in listed.lower() and "status: claimed" in listed.lower()
    assert "  ! status is one of: " in output and "(or type status:? to pick)" in output
    picked = output.split("sofia> /event info event:?\n", 1)[1]
    assert "  event: #2 Steering group" in picked
    retyped = output.split("sofia> /event info event:?\n", 2)[2]
    assert "(event not picked)" in retyped and "Uptime" in retyped
