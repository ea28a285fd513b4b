"""The s3cop command: every way a user can get it wrong ends in one clear line and exit code 1,
within a second, and nothing is left half-done or hanging."""

from __future__ import annotations

import argparse
import logging
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import cli
from bot.cli import build_parser, main
from bot.logs import BriefNetworkErrors, RedactTokens, no_voice_notice
from db.database import bundled_migrations

CONFIG = """
[discord]
guild_id = 1
api_base = "http://127.0.0.1:{port}/api/v10"
[database]
path = "{db}"
"""


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(db="s.sqlite3", port=closed_port()), encoding="utf-8")
    return path


def too_new(path: Path) -> None:
    """A database as a newer s3cop would leave it."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


def one_error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the command; it must fail with exit code 1, quickly, with one line on stderr."""
    began = time.monotonic()
    assert main(argv) == 1
    assert time.monotonic() - began < 1.0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: ") and "Traceback" not in err[0]
    return err[0]


def test_run_without_token_is_one_clear_line(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    line = one_error_line(capsys, ["run", "--config", str(config)])
    assert line == "error: no token: set DISCORD_TOKEN (or discord.token in the config file)"


def test_run_with_broken_config_names_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[discord]\n[web]\nport = -1\n", encoding="utf-8")
    line = one_error_line(capsys, ["run", "--config", str(bad)])
    assert "discord.guild_id: required" in line
    assert f"(and 1 more: run 's3cop check-config {bad}')" in line


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "upgrade"],
        ["db", "backup", "copy.db"],
        ["run"],
        ["--config", "nope.toml", "db", "upgrade"],
        ["db", "upgrade", "--config", "nope.toml"],
    ],
)
def test_a_missing_config_file_is_one_line(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    line = one_error_line(capsys, argv)
    assert "no such file; copy config.example.toml there" in line
    assert list(tmp_path.iterdir()) == []  # nothing created on the way


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "{config}", "db", "upgrade"],
        ["db", "--config", "{config}", "upgrade"],
        ["db", "upgrade", "--config", "{config}"],
    ],
)
def test_config_is_accepted_before_or_after_the_subcommand(
    argv: list[str], config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(config=config) for a in argv]) == 0
    assert "schema version" in capsys.readouterr().out


def test_db_upgrade_and_backup(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert "schema version" in capsys.readouterr().out
    target = tmp_path / "backups" / "copy.sqlite3"
    assert main(["db", "backup", str(target), "--config", str(config)]) == 0
    assert target.stat().st_size > 0


def test_relative_database_path_is_read_from_the_config_files_folder(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert (tmp_path / "s.sqlite3").is_file()
    assert list(elsewhere.iterdir()) == []


def test_backup_of_a_missing_database_is_refused_and_creates_nothing(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "copy.sqlite3"
    line = one_error_line(capsys, ["db", "backup", str(target), "--config", str(config)])
    assert line == (
        f"error: no database at {tmp_path / 's.sqlite3'} to back up "
        f"(check database.path in {config})"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("backups", "is a folder; give the backup's file name"),
        ("s.sqlite3", "is the live database itself"),
    ],
)
def test_backup_refuses_a_folder_or_the_database_itself(
    target: str,
    message: str,
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "backups").mkdir()
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    capsys.readouterr()
    line = one_error_line(capsys, ["db", "backup", str(tmp_path / target), "--config", str(config)])
    assert message in line
    assert list((tmp_path / "backups").iterdir()) == []


def test_a_database_that_cannot_be_opened_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(db="missing/s.sqlite3", port=9), encoding="utf-8")
    line = one_error_line(capsys, ["db", "upgrade", "--config", str(config)])
    assert line == (
        f"error: no folder {tmp_path / 'missing'} for the database; create it or fix database.path"
    )


def test_a_file_that_is_not_a_database_is_one_line(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "s.sqlite3").write_text("not a database " * 100, encoding="utf-8")
    line = one_error_line(capsys, ["db", "upgrade", "--config", str(config)])
    assert line == (
        f"error: cannot open the database {tmp_path / 's.sqlite3'}: file is not a database "
        "(check database.path)"
    )


@pytest.mark.parametrize("command", [["db", "upgrade"], ["run"]])
def test_a_database_newer_than_the_code_is_one_line_and_the_process_ends(
    command: list[str], config: Path, tmp_path: Path
) -> None:
    """In a process of its own: a connection left open would keep it alive after main()."""
    too_new(tmp_path / "s.sqlite3")
    began = time.monotonic()
    code = "import sys; from bot.cli import main; sys.exit(main())"
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-c", code, *command, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=20,
        env={"DISCORD_TOKEN": "x", "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    elapsed = time.monotonic() - began
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: {tmp_path / 's.sqlite3'} is at schema version 99, but this s3cop knows only up "
        f"to {bundled_migrations()[-1].version}: upgrade s3cop, or restore a backup made by this "
        "version"
    ]
    # Interpreter start and imports included; generous for a loaded machine.
    assert elapsed < 10


def test_run_when_discord_cannot_be_reached_says_what_was_tried(
    config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setattr(cli, "RETRY_DELAY", 0.01)
    # configure_logging would replace pytest's capture; its filters are tested on their own.
    monkeypatch.setattr("bot.logs.configure_logging", lambda level, file=None: None)
    line = one_error_line(capsys, ["run", "--config", str(config)])
    api = CONFIG.split('"')[1].split("{")[0]
    assert line.startswith(f"error: cannot reach Discord's API at {api}")
    assert line.endswith(
        f"after {cli.CONNECT_ATTEMPTS} attempts; "
        f"check the network connection and discord.api_base in {config}"
    )
    retries = [r.getMessage() for r in caplog.records if r.name == "bot.cli"]
    assert len(retries) == cli.CONNECT_ATTEMPTS - 1
    assert all("retrying in" in r for r in retries)
    assert not [r for r in caplog.records if r.exc_info]


def test_check_config_warns_about_the_example_guild_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    copy = tmp_path / "config.toml"
    copy.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check-config", "--config", str(copy)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        f"warning: {copy}: discord.guild_id is still the example's placeholder"
    )
    assert out[-1] == f"{copy}: OK"


def test_every_option_has_a_help_line() -> None:
    def parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
        found = [parser]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action.choices.values():
                    found += parsers(choice)
        return found

    for parser in parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(c.help for c in action._choices_actions), parser.prog
            else:
                assert action.help, f"{parser.prog} {action.dest}"


def test_top_level_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "``" not in out and ":class:" not in out
    for command in ("run", "demo", "sandbox", "check-config", "db"):
        assert f"\n    {command} " in out


def test_tokens_are_redacted_from_logs() -> None:
    token = "MTA1234567890123456789012.GabcdE." + "x" * 38
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "token is %s", (token,), None)
    RedactTokens().filter(record)
    assert token not in record.getMessage()
    assert "[token]" in record.getMessage()


def test_network_errors_are_logged_as_one_line() -> None:
    try:
        raise ConnectionRefusedError(111, "Connect call failed")
    except OSError:
        record = logging.LogRecord(
            "discord.client", logging.ERROR, __file__, 1, "reconnect in %.2fs", (1.5,), None
        )
        record.exc_info = sys.exc_info()
    BriefNetworkErrors().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == "reconnect in 1.50s: [Errno 111] Connect call failed"


def test_the_voice_notice_is_left_out_of_the_log() -> None:
    notice = logging.LogRecord(
        "discord.client",
        logging.WARNING,
        __file__,
        1,
        "PyNaCl is not installed, voice will NOT be supported",
        None,
        None,
    )
    other = logging.LogRecord("bot", logging.WARNING, __file__, 1, "something else", None, None)
    assert not no_voice_notice(notice) and no_voice_notice(other)


def test_an_install_older_than_the_code_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull that added a package or dependency, run from the old install: how to update it."""
    monkeypatch.setitem(sys.modules, "tour", None)  # importing it now fails as if not installed
    line = one_error_line(capsys, ["demo"])
    assert line.startswith("error: tour is not installed;")
    assert "make demo" in line
