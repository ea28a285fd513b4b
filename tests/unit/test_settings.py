"""Settings: the example file is valid, and every mistake is reported with its key path."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import (
    PLACEHOLDER_GUILD_ID,
    Settings,
    SettingsError,
    load_settings,
    parse_settings,
    setting_warnings,
)

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
    assert setting_warnings(config, settings)
    os.chmod(config, stat.S_IRUSR | stat.S_IWUSR)
    assert setting_warnings(config, settings) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"discord": {"guild_id": 1}, "events": {"reminders": "1x"}},
            "events.reminders: '1x' is not a list of reminder times; write them like '1d, 1h' "
            "(at most 5, each at most 60 days before the event)",
        ),
        (
            {"discord": {"guild_id": 1}, "discord_": {}},
            "discord_: unknown section; the sections are "
            + ", ".join(f"[{name}]" for name in Settings.model_fields),
        ),
        (
            {"discord": {"guild_id": 1, "api_base": "discord.com"}},
            "discord.api_base: must be a URL starting with http(s):// or ws(s)://",
        ),
        (
            {"discord": {"guild_id": 1}, "locale": {"timezone": "Mars/Olympus"}},
            "locale.timezone: unknown time zone 'Mars/Olympus'; use an IANA name such as "
            "Europe/Brussels",
        ),
    ],
)
def test_each_error_reads_as_one_clean_sentence(data: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(data)
    assert str(caught.value) == message


def test_relative_paths_are_read_from_the_config_files_folder(tmp_path: Path) -> None:
    config = tmp_path / "etc" / "config.toml"
    config.parent.mkdir()
    config.write_text(
        '[discord]\nguild_id = 1\n[database]\npath = "data/s.db"\n[logging]\nfile = "s3cop.log"\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    assert settings.database.path == tmp_path / "etc" / "data" / "s.db"
    assert settings.logging.file == tmp_path / "etc" / "s3cop.log"
    absolute = tmp_path / "abs.db"
    config.write_text(f'[discord]\nguild_id = 1\n[database]\npath = "{absolute}"\n')
    assert load_settings(config).database.path == absolute


def test_the_example_guild_id_is_warned_about() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.discord.guild_id == PLACEHOLDER_GUILD_ID
    assert any("placeholder" in w for w in setting_warnings(EXAMPLE, settings))


def test_missing_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path / "nope.toml")
    assert "no such file" in str(caught.value)
