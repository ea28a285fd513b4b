"""Settings: the example file is valid, and every mistake is reported with its key path."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings, parse_settings, permission_warnings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.toml"


def test_example_config_is_valid() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.locale.timezone == "Europe/Brussels"
    assert settings.web.enabled is False


def test_check_config_accepts_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLE)]) == 0
    assert "OK" in capsys.readouterr().out


def test_three_mistakes_give_three_key_path_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        '[discord]\nguild_id = "not a number"\n'
        '[locale]\ntimezone = "Europe/Atlantis"\n'
        "[web]\nport = 70000\n",
        encoding="utf-8",
    )
    assert main(["check-config", str(config)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"3 problem(s) in {config}"
    paths = sorted(line.split(":")[0] for line in lines[:-1])
    assert paths == ["discord.guild_id", "locale.timezone", "web.port"]
    assert any("IANA" in line for line in lines)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({}, "discord"),
        ({"discord": {"guild_id": 1, "tokne": "x"}}, "discord.tokne"),
        ({"discord": {"guild_id": 1}, "events": {"reminders": "soon"}}, "events.reminders"),
        ({"discord": {"guild_id": 1}, "locale": {"language": "sv"}}, "locale.language"),
        ({"discord": {"guild_id": 1, "api_base": "discord.com"}}, "discord.api_base"),
    ],
)
def test_each_mistake_names_its_key(data: dict[str, object], path: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(data)
    assert [p.path for p in caught.value.problems] == [path]


def test_channels_accept_names_or_ids() -> None:
    settings = parse_settings({"discord": {"guild_id": 1}, "channels": {"events": 42}})
    assert settings.channels.events == 42
    assert settings.channels.admin_log == "admin-log"


def test_token_prefers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = parse_settings({"discord": {"guild_id": 1, "token": "from-file"}})
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert settings.token() == "from-file"
    monkeypatch.setenv("DISCORD_TOKEN", "from-env")
    assert settings.token() == "from-env"
    assert "from-file" not in repr(settings)


def test_readable_token_file_is_warned_about(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[discord]\nguild_id = 1\ntoken = "secret"\n', encoding="utf-8")
    os.chmod(config, 0o644)
    settings = load_settings(config)
    assert permission_warnings(config, settings)
    os.chmod(config, stat.S_IRUSR | stat.S_IWUSR)
    assert permission_warnings(config, settings) == []


def test_missing_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path / "nope.toml")
    assert "no such file" in str(caught.value)
