"""The [groups] settings: kinds, declared groups, and readable errors for bad ones."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, parse_settings


def settings(groups: dict[str, object]) -> object:
    return parse_settings({"discord": {"guild_id": 1}, "groups": groups})


def test_defaults_and_declared_groups() -> None:
    parsed = settings(
        {"declared": [{"name": "S3 expert group", "kind": "expert_group", "lead": 7}]}
    )
    groups = parsed.groups  # type: ignore[attr-defined]
    assert groups.kinds["partnership"] == "Thematic partnerships"
    assert groups.alumni_role == "keep" and groups.declared[0].visibility == "public"


@pytest.mark.parametrize(
    ("groups", "path"),
    [
        ({"declared": [{"name": "X", "kind": "club", "lead": 7}]}, "groups"),
        ({"declared": [{"name": "", "kind": "other", "lead": 7}]}, "groups.declared.0.name"),
        ({"alumni_role": "forget"}, "groups.alumni_role"),
        ({"kinds": {"Bad Kind": "Category"}}, "groups.kinds"),
    ],
)
def test_bad_group_settings_name_their_key(groups: dict[str, object], path: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings(groups)
    assert any(p.path.startswith(path) for p in caught.value.problems), caught.value.problems
