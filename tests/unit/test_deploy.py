"""deploy/: every file the README's Deploy section shows is here, parses, and agrees with the
code (the commands it runs are commands s3cop has, the config loads, the ports match)."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
S3COP = "/opt/s3cop/.venv/bin/s3cop"


def unit(name: str) -> configparser.ConfigParser:
    """A systemd unit file: INI sections, keys kept case-sensitive, no % interpolation."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def s3cop_command(argv: list[str]) -> list[str]:
    """The s3cop arguments of a command line, checked against the real parser."""
    assert argv[0] in (S3COP, "s3cop"), argv
    build_parser().parse_args(argv[1:])  # exits (fails the test) on an unknown option
    return argv[1:]


def test_every_file_the_readme_names_is_in_deploy() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"deploy/([\w.-]+)", readme))
    assert named == {p.name for p in DEPLOY.iterdir()}


def test_the_service_restarts_on_failure_with_the_token_from_a_private_file() -> None:
    service = unit("s3cop.service")["Service"]
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/s3cop/s3cop.env"
    assert service["StateDirectory"] == "s3cop"
    assert service["User"] != "root"
    args = s3cop_command(shlex.split(service["ExecStart"]))
    assert args == ["run", "--config", "/etc/s3cop/config.toml"]
    install = unit("s3cop.service")["Install"]
    assert install["WantedBy"] == "multi-user.target"


def test_the_env_file_holds_only_the_token() -> None:
    lines = (DEPLOY / "s3cop.env.example").read_text(encoding="utf-8").splitlines()
    settings = [line for line in lines if line and not line.startswith("#")]
    assert settings == ["DISCORD_TOKEN="]
    assert any("install -m 600" in line for line in lines)


def test_the_config_loads_with_the_database_on_the_state_directory() -> None:
    settings = load_settings(DEPLOY / "config.toml")
    state = "/var/lib/" + unit("s3cop.service")["Service"]["StateDirectory"]
    assert settings.database.path == Path(state) / "s3cop.sqlite3"
    assert settings.web.enabled and settings.web.host == "127.0.0.1"
    assert settings.discord.token is None  # the token lives in the env file only
    logs = "/var/log/" + unit("s3cop.service")["Service"]["LogsDirectory"]
    assert settings.logging.file is not None and str(settings.logging.file.parent) == logs


def test_the_backup_timer_runs_s3cop_db_backup() -> None:
    timer = unit("s3cop-backup.timer")["Timer"]
    assert timer["OnCalendar"] and timer["Persistent"] == "true"
    service = unit("s3cop-backup.service")["Service"]
    assert service["Type"] == "oneshot"
    shell = shlex.split(service["ExecStart"])
    assert shell[:2] == ["/bin/sh", "-c"]
    # systemd turns %% into % and $$ into $; the shell then fills in the date.
    inner = shlex.split(shell[2].replace("%%", "%").replace("$$", "$").removeprefix("exec "))
    args = s3cop_command(inner)
    assert args[:3] == ["db", "backup", "--config"]
    assert args[-1].startswith("/var/backups/s3cop/s3cop-$(date +%Y-%m-%d)")
    assert "/var/backups/s3cop" in service["ReadWritePaths"].split()


def test_logrotate_rotates_the_configured_log_file() -> None:
    text = (DEPLOY / "logrotate-s3cop").read_text(encoding="utf-8")
    found = re.search(r"^(/\S+)\s*\{(.*?)^\}", text, re.S | re.M)
    assert found is not None
    settings = load_settings(DEPLOY / "config.toml")
    assert Path(found.group(1)) == settings.logging.file
    directives = {line.split()[0] for line in found.group(2).splitlines() if line.strip()}
    assert {"rotate", "compress", "copytruncate", "missingok"} <= directives


def test_the_reverse_proxy_sends_calendar_feeds_to_the_bots_web_port() -> None:
    text = (DEPLOY / "nginx-s3cop.conf").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert body.count("{") == body.count("}") == 1
    assert all(line.strip().endswith((";", "{", "}")) for line in body.splitlines() if line.strip())
    location = re.search(r"location\s+(\S+)\s*\{", body)
    proxy = re.search(r"proxy_pass\s+http://([\d.]+):(\d+);", body)
    assert location is not None and proxy is not None
    settings = load_settings(DEPLOY / "config.toml")
    assert location.group(1) == "/calendar/"  # the feed route: /calendar/{token}.ics
    assert (proxy.group(1), int(proxy.group(2))) == (settings.web.host, settings.web.port)


def test_the_container_recipe_is_small_and_runs_s3cop() -> None:
    lines = [
        line
        for line in (DEPLOY / "Containerfile").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    instructions = [line.split()[0] for line in lines]
    assert instructions[0] == "FROM" and len(lines) <= 15
    assert set(instructions) <= {
        "FROM",
        "WORKDIR",
        "COPY",
        "RUN",
        "USER",
        "VOLUME",
        "EXPOSE",
        "CMD",
    }
    for line in lines:
        if line.startswith("COPY"):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    cmd = json.loads(lines[-1].removeprefix("CMD"))
    assert s3cop_command(cmd) == ["run", "--config", "/data/config.toml"]


@pytest.mark.parametrize("name", ["s3cop.service", "s3cop-backup.service", "s3cop-backup.timer"])
def test_units_have_a_description(name: str) -> None:
    assert unit(name)["Unit"]["Description"]
