"""The README's example session, typed at ``s3cop sandbox`` exactly as written, does what the
README says it does; and every slash command the README shows is used by some test."""

from __future__ import annotations

import ast
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.local import local_community
from bot.prompt import run_prompt

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def example_block() -> list[str]:
    """The lines of the code block after "and type, for example", as written."""
    after = README.split("and type, for example", 1)[1]
    body = after.split("```\n", 1)[1].split("```", 1)[0]
    return body.splitlines()


def typed(lines: list[str]) -> list[str]:
    """What a person types: after each ``name>`` prompt, into each form field, and each line of
    a field of several lines (after ``|``; an empty one ends it). A field's heading is not
    typed."""
    keys = []
    for line in lines:
        prompt = re.match(r"^\w+> (.*)$", line)
        field = re.match(r"^\s+[^:|]+: (.*)$", line)
        paragraph = re.match(r"^\s+\|(?: (.*))?$", line)
        heading = re.match(r"^\s+[^|].*:$", line)
        assert prompt or field or paragraph or heading, f"README example line not typed: {line}"
        if prompt or field or paragraph:
            keys.append((prompt or field or paragraph).group(1) or "")  # type: ignore[union-attr]
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
    shown = [line.rstrip() for line in output.splitlines()]
    for line in lines:  # each prompt and form line appears just as the README shows it
        assert line in shown, line

    about, create, poll, press, voted, listed, dms = (
        section(output, next(line for line in lines if marker in line))
        for marker in (
            "/about",
            "/event create",
            "/poll create",
            "press Going",
            "choose Skills",
            "/tapahtuma lista",
            "> dms",
        )
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
    # The poll's options, typed one per line, are its three options; Aino's vote is counted.
    assert "Poll #1 is open" in poll and "In #general:" in poll
    assert all(f"**{n}.** {o}" in poll for n, o in ((1, "Green"), (2, "Digital"), (3, "Skills")))
    assert "Kirjattu äänestykseen" in voted and "Skills and talent" in voted
    assert "Kick-off" in listed
    # After a day, the reminder the bot sent her, in Finnish.
    assert "Muistutus" in dms and "Kick-off" in dms


def test_every_line_of_the_example_is_typed() -> None:
    assert typed(example_block())[:2] == [
        "/about",
        '/event create title:"Kick-off" start:"tomorrow 14:00" format:online '
        "link:https://meet.example.org/kickoff capacity:2",
    ]


def used_in_tests() -> set[str]:
    """Every command path (and its prefixes) written in a test: ``slash("event create")``,
    a prompt line ``/tapahtuma lista``."""
    used = set()
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for found in re.finditer(
                    r"(?:^|\s|>)/?([a-zäö][a-zäö-]*(?: [a-zäö-]+)*)", node.value
                ):
                    words = found.group(1).split()
                    used.update(" ".join(words[:n]) for n in range(1, len(words) + 1))
    return used


async def test_every_command_the_readme_shows_is_used_by_a_test(tmp_path: Path) -> None:
    async with local_community(tmp_path) as community:
        names = set()
        for command in community.sandbox.backend.commands.values():
            names.add(command.name)
            names.update((command.data.get("name_localizations") or {}).values())
    shown = {
        path
        for path in re.findall(r"`/([a-zäö-]+(?: [a-zäö-]+(?![\w:-]))*)", README)
        if path.split()[0] in names
    }
    assert shown, "the README shows no commands?"
    missing = sorted(shown - used_in_tests())
    assert not missing, f"README commands no test uses: {missing}"
