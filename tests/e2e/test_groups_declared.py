"""Groups declared in the settings: made at start when missing, differences reported once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.local import community_settings, local_community
from db.groups import Groups
from tests.e2e.conftest import START
from tests.e2e.groups_helpers import Reconciles


async def test_declared_groups_are_made_when_missing_and_differences_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reconciles = Reconciles(caplog)
    async with local_community(tmp_path, clock=FakeClock(START), start=False) as community:
        olli = community.members["olli"].user.id

        def declare(description: str) -> None:
            community.settings = community_settings(
                community.sandbox,
                community.guild.id,
                tmp_path / "s3cop.sqlite3",
                groups={
                    "declared": [
                        {
                            "name": "S3 expert group",
                            "kind": "expert_group",
                            "lead": olli,
                            "description": description,
                            "joining": "application",
                            "visibility": "private",
                        },
                        {"name": "Ghosts", "kind": "other", "lead": 12345},
                    ]
                },
            )

        declare("Advises the Commission")
        await community.start_bot()
        await reconciles.next_settled(community, 0)
        assert community.db is not None
        made = await Groups(community.db).in_guild(community.guild.id)
        assert [g.name for g in made] == ["S3 expert group"]
        assert made[0].role_id in community.members["olli"].roles
        log = community.sandbox.messages(community.channels["admin-log"])
        assert ["Ghosts" in m.content and "lead" in m.content for m in log] == [True]

        declare("Advises the Commission on smart specialisation")
        await community.restart_bot()
        await reconciles.next_settled(community, 1)
        await community.restart_bot()  # told once, not at every start
        await reconciles.next_settled(community, 2)
        log = community.sandbox.messages(community.channels["admin-log"])
        differs = [m for m in log if "differs from its declaration" in m.content]
        assert len(differs) == 1 and "(description)" in differs[0].content
        assert len(await Groups(community.db).in_guild(community.guild.id)) == 1  # type: ignore[arg-type]
