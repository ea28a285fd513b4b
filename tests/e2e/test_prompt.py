"""``s3cop sandbox``: what a person types at the prompt, and what the prompt shows back."""

from __future__ import annotations

import io

from bot.prompt import run_prompt


async def session(*lines: str) -> str:
    """Type ``lines`` at the prompt, then end the input; returns everything it printed."""
    out = io.StringIO()
    assert await run_prompt(io.StringIO("".join(f"{line}\n" for line in lines)), out) == 0
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
    assert "you moved up" in output.split("lena> dms\n", 1)[1]
    # Two hours on, the one-hour reminder goes to the channel and to Lena.
    waited = output.split("> wait 2h\n", 1)[1]
    assert "The clock is now" in waited and "⏰ Reminder: **Kick-off**" in waited
    assert "DM to Lena:" in waited
    assert "Kick-off:" in output.split("> events\n", 1)[1]
    assert " * lena: Lena (Discord in German)" in output
    assert output.count("> /about\n") == 2


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
    assert "needs option 'title'" in hints[1]
    assert "no synced command /nope" in hints[2]
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
