"""An event announced in a private channel (a private group's) is told only to those who can
see that channel: not listed, not shown, not even refused by name to anyone else; not in the
public calendar feed nor in Discord's events list, which the whole server sees."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.clock import FakeClock
from bot.local import LocalCommunity, local_community
from tests.e2e.events_helpers import create_event
from tests.e2e.groups_helpers import create_group, group_named

BASE = "https://s3cop.example.org"
WEB = {"enabled": True, "host": "127.0.0.1", "port": 0, "public_base_url": BASE}
SECRET_LINK = "https://meet.example.org/hydrogen-secret"


async def private_event(community: LocalCommunity) -> None:
    """Lena leads a private group with Marco in it and announces its meeting (event #1); Sofia
    announces a plenary for everyone (event #2)."""
    await create_group(
        community, lead=community.members["lena"], visibility="private", joining="application"
    )
    group = await group_named(community, "Industrial transition")
    await community.as_member("lena").slash(
        "group member add", group=str(group.id), member=community.members["marco"]
    )
    await create_event(
        community,
        "lena",
        title="Hydrogen meeting",
        group=str(group.id),
        link=SECRET_LINK,
        description="Confidential agenda",
    )
    await create_event(community, "sofia", title="Plenary")


def shown(result: object) -> str:
    message = getattr(result, "message", None)
    return f"{getattr(result, 'content', '')} {message.embeds if message else ''}"


async def test_outsiders_are_told_nothing_of_a_private_groups_event(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with local_community(tmp_path, clock=clock, web=WEB) as community:
        sb = community.sandbox
        await private_event(community)
        marco, aino = community.as_member("marco"), community.as_member("aino")
        # The group's member sees it as any event.
        assert "Hydrogen meeting" in shown(await marco.slash("event list"))
        inside = await marco.slash("event info", event=1)
        assert SECRET_LINK in shown(inside)
        # An outsider: not listed, and refused exactly like an id that does not exist.
        listed = shown(await aino.slash("event list"))
        assert "Plenary" in listed and "Hydrogen" not in listed
        unknown = (await aino.slash("event info", event=99)).content
        for command in ("event info", "event ics"):
            refused = await aino.slash(command, event=1)
            assert refused.content == unknown.replace("#99", "#1"), refused.content
            assert refused.message is not None and not refused.message.attachments
            assert SECRET_LINK not in shown(refused)
        choices = await aino.autocomplete("event info", "event", "")
        assert [c["name"] for c in choices] == ["#2 Plenary"]
        # Discord's events list is the whole server's: only the plenary is mirrored.
        mirrored = await sb.wait_until(lambda: sb.scheduled_events(community.guild))
        assert [e.name for e in mirrored] == ["Plenary"]
        # The feed is read by whoever has its link: only the plenary.
        link = await aino.slash("calendar link")
        url = next(w for w in link.content.split() if w.startswith("https://"))
        port = community.bot.web.bound_port  # type: ignore[union-attr]
        path = url.removeprefix(BASE)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}{path}") as response,
        ):
            body = await response.read()
        assert b"SUMMARY:Plenary" in body
        assert b"Hydrogen" not in body and b"hydrogen-secret" not in body
