"""The README's example session, typed at ``s3cop sandbox`` exactly as written, does what the
README says it does."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.prompt import run_prompt

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def example_block() -> list[str]:
    """The lines of the code block after "and type, for example", as written."""
    after = README.split("and type, for example", 1)[1]
    body = after.split("```\n", 1)[1].split("```", 1)[0]
    return body.splitlines()


def typed(lines: list[str]) -> list[str]:
    """What a person types: after each ``name>`` prompt, and into each form field."""
    keys = []
    for line in lines:
        prompt = re.match(r"^(\w+)> (.*)$", line)
        field = re.match(r"^\s+[^:]+: (.*)$", line)
        assert prompt or field, f"README example line neither a prompt nor a form field: {line}"
        keys.append((prompt or field).group(2 if prompt else 1))  # type: ignore[union-attr]
    return keys


def section(output: str, line: str) -> str:
    """What the prompt printed after ``line`` up to the next prompt."""
    after = output.split(line + "\n", 1)[1]
    return re.split(r"^\w+> ", after, maxsplit=1, flags=re.M)[0]


@pytest.mark.parametrize(
    "start",
    [
        None,  # the current hour, as for a person trying it
        datetime(2026, 11, 28, 5, 0, tzinfo=UTC),
        datetime(2026, 11, 28, 13, 0, tzinfo=UTC),
        datetime(2027, 3, 27, 22, 0, tzinfo=UTC),  # the eve of a daylight-saving change
    ],
)
async def test_the_readme_example_works_as_written(start: datetime | None) -> None:
    lines = example_block()
    out = io.StringIO()
    script = io.StringIO("".join(f"{key}\n" for key in typed(lines)))
    assert await run_prompt(script, out, start=start) == 0
    output = out.getvalue()
    assert "  ! " not in output, output  # no line was refused
    for line in lines:  # each prompt and form line appears just as the README shows it
        assert line in output.splitlines(), line

    about, create, press, listed, dms = (
        section(output, next(line for line in lines if marker in line))
        for marker in ("/about", "/event create", "press Going", "/tapahtuma lista", "> dms")
    )
    assert "Uptime" in about
    # The form's answer became the description of the announcement everyone sees.
    assert "The bot opens a form" in create and "In #events:" in create
    assert "| Priorities for 2027 and who leads what" in create
    assert "[Going] [Maybe] [Can't go]" in create
    # Aino's own answer: Finnish, with Finnish buttons, and times as her Discord shows them.
    assert "s3cop (only Aino sees this):" in press
    assert "[Tulen] [Ehkä] [En pääse]" in press
    assert re.search(r"\d+\. \w+kuuta \d{4}", press) and " UTC" not in press
    assert "Kick-off" in listed
    # After a day, the reminder the bot sent her, in Finnish.
    assert "Muistutus" in dms and "Kick-off" in dms


def test_every_line_of_the_example_is_typed() -> None:
    assert typed(example_block())[:2] == [
        "/about",
        '/event create title:"Kick-off" start:"tomorrow 14:00" format:online '
        "link:https://meet.example.org/kickoff capacity:2",
    ]
