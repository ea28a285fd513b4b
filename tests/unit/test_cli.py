"""The s3cop command: clear one-line errors, database upgrade and online backup."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import main
from bot.logs import RedactTokens

CONFIG = """
[discord]
guild_id = 1
api_base = "http://127.0.0.1:9/api/v10"
[database]
path = "{db}"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(db=tmp_path / "s.sqlite3"), encoding="utf-8")
    return path


def test_run_without_token_is_one_clear_line(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["run", "--config", str(config)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: no token: set DISCORD_TOKEN (or discord.token in the config file)"]


def test_run_with_broken_config_names_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[discord]\n", encoding="utf-8")
    assert main(["run", "--config", str(bad)]) == 1
    assert "discord.guild_id" in capsys.readouterr().err


def test_db_upgrade_and_backup(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "--config", str(config), "upgrade"]) == 0
    assert "schema version" in capsys.readouterr().out
    target = tmp_path / "backups" / "copy.sqlite3"
    assert main(["db", "--config", str(config), "backup", str(target)]) == 0
    assert target.stat().st_size > 0


def test_tokens_are_redacted_from_logs() -> None:
    token = "MTA1234567890123456789012.GabcdE." + "x" * 38
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "token is %s", (token,), None)
    RedactTokens().filter(record)
    assert token not in record.getMessage()
    assert "[token]" in record.getMessage()
